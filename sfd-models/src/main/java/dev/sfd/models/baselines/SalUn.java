package dev.sfd.models.baselines;

import dev.sfd.NumericsException;
import dev.sfd.SfdException;
import dev.sfd.autograd.Grad;
import dev.sfd.diffusion.EdmLoss;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.models.data.Dataset;
import dev.sfd.nn.Parameter;
import dev.sfd.ops.Ops;
import dev.sfd.optim.Adam;
import dev.sfd.optim.GradClip;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.TrainingListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SalUn-style unlearning (Fan et al., "SalUn: Empowering Machine Unlearning via Gradient-based Weight Saliency",
 * ICLR 2024), in EDM form. NEEDS DATA: real images of the forgotten class and of the remaining classes.
 *
 * <p><b>1. Saliency mask.</b> The gradient of the EDM loss on forgotten-class real images with their true label
 * is accumulated over {@code maskBatches} batches (each batch's gradient clipped to global norm
 * {@code gradClip}, as the SalUn DDPM code does); the mask keeps the weights with the largest {@code |g|}: the
 * top {@code maskFraction} of all weights ({@link MaskMode#GLOBAL}, SalUn's choice, 0.5) or of each tensor
 * ({@link MaskMode#PER_TENSOR}). Ties at the threshold are filled in parameter order, so exactly
 * {@code floor(fraction * n)} weights are selected.
 *
 * <p><b>2. Masked fine-tuning.</b> Each step: the random-label forgetting loss on a batch of forgotten-class
 * images {@code y} with noisy input {@code x = y + sigma n} (EDM log-normal sigma):
 * {@code lambda(sigma) ||D_theta(x; sigma, c_f) - sg(D_theta(x; sigma, c'))||^2}, where {@code c'} is a random
 * other class per image ({@code randomPseudoLabel}; SalUn's paper, eq. 6) or the fixed {@code (c_f + 1) mod C}
 * (SalUn's DDPM code): the forgotten label is relabelled so that on forgotten images it predicts what another
 * label predicts; plus {@code retainWeight} times the plain EDM loss on remaining-class images with their true
 * labels. The gradient is clipped to norm {@code gradClip}, multiplied by the mask, and applied with Adam
 * (0.9, 0.999); unmasked weights keep their values exactly (zero gradient, zero Adam moments).
 */
public final class SalUn {
    public static final String DATA_NEEDED = "forgotten-class images + retain set";

    public enum MaskMode { GLOBAL, PER_TENSOR }

    /**
     * @param steps         fine-tuning steps
     * @param batchForget   forgotten-class images per step
     * @param batchRemain   remaining-class images per step
     * @param lr            Adam learning rate (SalUn DDPM: 1e-4)
     * @param retainWeight  weight of the retain loss (SalUn's alpha)
     * @param maskFraction  share of weights that are trained (SalUn: 0.5)
     * @param maskMode      global or per-tensor threshold
     * @param maskBatches   batches of forgotten-class images for the saliency gradient
     * @param maskBatch     images per saliency batch
     * @param gradClip      global gradient-norm clip (SalUn DDPM: 1.0); 0 = none
     * @param randomPseudoLabel random other class per image (true) or the fixed (c_f + 1) mod C
     * @param seed          Philox seed
     */
    public record Settings(int steps, int batchForget, int batchRemain, double lr, double retainWeight, double maskFraction,
                           MaskMode maskMode, int maskBatches, int maskBatch, double gradClip, boolean randomPseudoLabel, long seed) {
        public Settings {
            dev.sfd.ConfigException.requirePositive("SalUn steps", steps);
            dev.sfd.ConfigException.requirePositive("SalUn forget batch", batchForget);
            dev.sfd.ConfigException.requireNonNegative("SalUn remain batch", batchRemain);
            dev.sfd.ConfigException.requirePositive("SalUn learning rate", lr);
            dev.sfd.ConfigException.requireNonNegative("SalUn retain weight", retainWeight);
            dev.sfd.ConfigException.requirePositive("SalUn mask batches", maskBatches);
            dev.sfd.ConfigException.requirePositive("SalUn mask batch", maskBatch);
            if (!(maskFraction > 0 && maskFraction <= 1)) throw new dev.sfd.ConfigException("SalUn settings: maskFraction must be in (0, 1], got " + maskFraction);
        }

        /** Full budget (SalUn DDPM: 500 steps at batch 128, lr 1e-4, mask 0.5; scaled to the CPU). */
        public static Settings defaults() { return new Settings(500, 16, 16, 1e-4, 1.0, 0.5, MaskMode.GLOBAL, 16, 32, 1.0, true, 13); }

        /** The {@code table --quick} budget. */
        public static Settings quick() { return new Settings(30, 8, 8, 1e-4, 1.0, 0.5, MaskMode.GLOBAL, 2, 16, 1.0, true, 13); }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", "salun");
            m.put("steps", steps);
            m.put("batch_forget", batchForget);
            m.put("batch_remain", batchRemain);
            m.put("lr", lr);
            m.put("retain_weight", retainWeight);
            m.put("mask_fraction", maskFraction);
            m.put("mask_mode", maskMode.name());
            m.put("mask_batches", maskBatches);
            m.put("mask_batch", maskBatch);
            m.put("grad_clip", gradClip);
            m.put("pseudo_label", randomPseudoLabel ? "random other class per image" : "(c_f + 1) mod C");
            m.put("sigma", "EDM log-normal (P_mean -1.2, P_std 1.2)");
            m.put("loss", "lambda ||D(x; c_f) - sg(D(x; c'))||^2 on forgotten images + retain_weight * EDM loss on retain images; masked Adam (0.9, 0.999)");
            m.put("seed", seed);
            return m;
        }
    }

    public record Result(ScoreNetwork model, double seconds, double maskSeconds, long trainedWeights, long totalWeights,
                         Map<String, Object> settings) {}

    private final ScoreNetwork teacher;
    private final int forget;
    private final Dataset forgetData;
    private final Dataset retainData;
    private final Settings s;

    /**
     * @param data a labelled training set containing the forgotten class and the remaining classes (e.g. the
     *             Fashion-MNIST training split); split here into forget and retain sets.
     */
    public SalUn(ScoreNetwork teacher, int forget, Dataset data, Settings settings) {
        Baselines.requireForgetLabel(teacher, forget, "the teacher");
        if (data.numClasses() != teacher.labelDim()) {
            throw new SfdException("SalUn: " + data.name() + " has " + data.numClasses() + " classes but the teacher has label_dim " + teacher.labelDim());
        }
        Baselines.requireImageShape(data, teacher, "SalUn", "the teacher");
        this.teacher = teacher;
        this.forget = forget;
        this.forgetData = data.withClasses(forget);
        this.retainData = data.withoutClasses(forget);
        if (forgetData.size() == 0) throw new SfdException("SalUn needs images of the forgotten class " + forget + ", but " + data.name() + " has none");
        if (settings.batchRemain() > 0 && retainData.size() == 0) throw new SfdException("SalUn: " + data.name() + " has no retain images");
        this.s = settings;
    }

    /** The saliency mask (1 = trained, 0 = frozen), one tensor per parameter of {@code net}, in parameter order. */
    public List<Tensor> saliencyMask(ScoreNetwork net, RandomStream rng) {
        List<Parameter> params = net.parameters();
        float[][] acc = new float[params.size()][];
        for (int i = 0; i < acc.length; i++) acc[i] = new float[params.get(i).numel()];
        EdmLoss loss = new EdmLoss();
        int[] lab = new int[s.maskBatch()];
        Arrays.fill(lab, forget);
        Tensor labels = Ops.oneHot(lab, net.labelDim(), DType.FLOAT32);
        for (int b = 0; b < s.maskBatches(); b++) {
            Dataset.Batch batch = forgetData.batch(Baselines.drawIndices(forgetData, s.maskBatch(), rng));
            net.zeroGrad();
            Ops.meanAll(loss.perSample(net, batch.images(), labels, rng)).backward();
            GradClip.sanitize(params);
            if (s.gradClip() > 0) GradClip.clipNorm(params, s.gradClip());
            for (int i = 0; i < acc.length; i++) {
                Tensor g = params.get(i).grad();
                if (g == null) continue;
                float[] gv = g.toFloatArray();
                for (int j = 0; j < gv.length; j++) acc[i][j] += gv[j];
            }
        }
        net.zeroGrad();
        for (float[] a : acc) for (int j = 0; j < a.length; j++) a[j] = Math.abs(a[j]);
        List<Tensor> masks = new ArrayList<>();
        if (s.maskMode() == MaskMode.GLOBAL) {
            boolean[][] keep = topFraction(acc, s.maskFraction());
            for (int i = 0; i < acc.length; i++) masks.add(toTensor(keep[i], params.get(i).shape()));
        } else {
            for (int i = 0; i < acc.length; i++) masks.add(toTensor(topFraction(new float[][] {acc[i]}, s.maskFraction())[0], params.get(i).shape()));
        }
        return masks;
    }

    /**
     * Marks exactly {@code floor(fraction * n)} of the values (n = all values of all arrays) with the largest
     * magnitude; ties at the threshold are taken in array order.
     */
    public static boolean[][] topFraction(float[][] values, double fraction) {
        int n = 0;
        for (float[] v : values) n += v.length;
        int k = (int) Math.floor(fraction * n);
        boolean[][] keep = new boolean[values.length][];
        for (int i = 0; i < values.length; i++) keep[i] = new boolean[values[i].length];
        if (k == 0) return keep;
        float[] all = new float[n];
        int p = 0;
        for (float[] v : values) {
            System.arraycopy(v, 0, all, p, v.length);
            p += v.length;
        }
        Arrays.sort(all);
        float thr = all[n - k];
        int above = 0;
        for (float[] v : values) for (float x : v) if (x > thr) above++;
        int ties = k - above;
        for (int i = 0; i < values.length; i++) {
            for (int j = 0; j < values[i].length; j++) {
                float x = values[i][j];
                if (x > thr) keep[i][j] = true;
                else if (x == thr && ties > 0) {
                    keep[i][j] = true;
                    ties--;
                }
            }
        }
        return keep;
    }

    private static Tensor toTensor(boolean[] keep, int[] shape) {
        float[] f = new float[keep.length];
        for (int i = 0; i < f.length; i++) f[i] = keep[i] ? 1f : 0f;
        return Tensor.of(f, shape);
    }

    public Result run(TrainingListener listener) {
        long t0 = System.nanoTime();
        teacher.requiresGrad(false).train(false);
        ScoreNetwork net = teacher.copy();
        net.requiresGrad(true).train(false);
        RandomStream rng = new RandomStream(s.seed());
        List<Tensor> mask = saliencyMask(net, rng);
        double maskSeconds = (System.nanoTime() - t0) / 1e9;
        long trained = 0, total = 0;
        for (Tensor m : mask) {
            trained += Math.round(Ops.sumAll(m).item());
            total += m.numel();
        }
        List<Parameter> params = net.parameters();
        Adam adam = new Adam(params, s.lr(), 0.9, 0.999, 1e-8, 0);
        EdmLoss edm = new EdmLoss();
        int classes = net.labelDim();
        int[] others = Baselines.others(classes, forget);
        int[] fl = new int[s.batchForget()];
        Arrays.fill(fl, forget);
        Tensor forgetLabels = Ops.oneHot(fl, classes, DType.FLOAT32);
        for (int step = 0; step < s.steps(); step++) {
            Dataset.Batch fb = forgetData.batch(Baselines.drawIndices(forgetData, s.batchForget(), rng));
            double[] sig = edm.sampleSigma(rng, fl.length);
            Tensor y = fb.images();
            Tensor noise = Ops.randn(y.backend(), y.dtype(), rng.seed(), rng.next(y.numel()), y.shape());
            Tensor x = Ops.add(y, Ops.mul(noise, Baselines.sigmaColumn(sig, y.dtype())));
            Tensor sigma = Baselines.sigmaVector(sig, y.dtype());
            int[] pseudo = s.randomPseudoLabel() ? Baselines.drawFrom(others, fl.length, rng) : filled(fl.length, (forget + 1) % classes);
            Tensor pseudoOut;
            try (var g = Grad.disabled()) {
                pseudoOut = net.denoise(x, sigma, Ops.oneHot(pseudo, classes, DType.FLOAT32)).detach();
            }
            Tensor forgetLoss = Baselines.weightedMse(net.denoise(x, sigma, forgetLabels), pseudoOut, sig);
            Tensor loss = forgetLoss;
            double rv = Double.NaN;
            if (s.batchRemain() > 0 && s.retainWeight() > 0) {
                Dataset.Batch rb = retainData.batch(Baselines.drawIndices(retainData, s.batchRemain(), rng));
                Tensor retainLoss = Ops.meanAll(edm.perSample(net, rb.images(), Ops.oneHot(rb.labels(), classes, DType.FLOAT32), rng));
                rv = retainLoss.item();
                loss = Ops.add(loss, Ops.mulScalar(retainLoss, s.retainWeight()));
            }
            double lv = loss.item();
            if (!Double.isFinite(lv)) throw new NumericsException("SalUn: loss is " + lv + " at step " + step);
            adam.zeroGrad();
            loss.backward();
            GradClip.sanitize(params);
            if (s.gradClip() > 0) GradClip.clipNorm(params, s.gradClip());
            for (int i = 0; i < params.size(); i++) {
                Tensor g = params.get(i).grad();
                if (g != null) params.get(i).data().setGrad(Ops.mul(g, mask.get(i)).detach());
            }
            adam.step();
            if (listener != null) listener.onStep(step + 1, s.steps(), Baselines.lossFigures(lv, forgetLoss.item(), rv, (System.nanoTime() - t0) / 1e9));
        }
        net.requiresGrad(false);
        Map<String, Object> settings = s.toMap();
        settings.put("forget", forget);
        settings.put("trained_weights", trained);
        settings.put("total_weights", total);
        settings.put("data", forgetData.name() + " + " + retainData.name());
        return new Result(net, (System.nanoTime() - t0) / 1e9, maskSeconds, trained, total, settings);
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }
}
