package dev.sfd.models.baselines;

import dev.sfd.NumericsException;
import dev.sfd.autograd.Grad;
import dev.sfd.diffusion.Guidance;
import dev.sfd.diffusion.Sampler;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.ops.Ops;
import dev.sfd.optim.Adam;
import dev.sfd.optim.GradClip;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.TrainingListener;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ESD-style class erasure (Gandikota et al., "Erasing Concepts from Diffusion Models", ICCV 2023), adapted from
 * text prompts to class labels and from epsilon- to denoiser-prediction. Data-free.
 *
 * <p>A copy {@code D_theta} of the teacher is fine-tuned so that, for the forgotten label {@code c_f}, it
 * predicts the FROZEN teacher's negatively guided denoiser
 * {@code target = D_u - eta (D_c - D_u)}, with {@code D_c = D_teacher(x; sigma, c_f)} and the unconditional
 * branch {@code D_u = D_teacher(x; sigma, 0)} (ESD's {@code e_0 - eta (e_p - e_0)} in epsilon form is exactly
 * this in denoiser form, since {@code D = x - sigma eps}).
 *
 * <p>One step: (1) pick one index {@code i} uniformly in {@code 0..K-1} of the EDM rho-7 grid of {@code K}
 * levels from sigma 80 to 0.002; (2) draw {@code x} at noise level {@code t_i} by running {@code i} Euler
 * steps of the CURRENT fine-tuned model with label {@code c_f} (guidance weight {@code sampleGuidance}) from
 * {@code 80 z} (ESD's {@code quick_sample_till_t}: the noisy inputs come from the model itself, no data);
 * (3) loss = batch mean of {@code lambda(t_i) ||D_theta(x; t_i, c_f) - target||^2} with EDM's weight
 * {@code lambda = (sigma^2 + 0.25) / (0.25 sigma^2)}; Adam (0.9, 0.999), gradient sanitiser, all weights
 * trained (a class-conditional UNet has no cross-attention to restrict ESD-x to). Only the forgotten label is
 * trained; the other labels drift only through shared weights (as in ESD).
 *
 * <p>Needs a teacher trained with label dropout (its zero label must be a real unconditional branch); the
 * result records a warning otherwise.
 */
public final class EsdErasure {
    public static final String DATA_NEEDED = "none (data-free)";

    /**
     * @param steps          optimiser steps
     * @param batch          noisy inputs per step
     * @param lr             Adam learning rate
     * @param eta            negative-guidance strength (ESD's default 1.0)
     * @param sampleSteps    K: levels of the Euler grid used to produce the noisy inputs
     * @param sampleGuidance CFG weight of the self-sampling (1 = plain conditional)
     * @param seed           Philox seed
     */
    public record Settings(int steps, int batch, double lr, double eta, int sampleSteps, double sampleGuidance, long seed) {
        public Settings {
            dev.sfd.ConfigException.requirePositive("ESD steps", steps);
            dev.sfd.ConfigException.requirePositive("ESD batch", batch);
            dev.sfd.ConfigException.requirePositive("ESD learning rate", lr);
            dev.sfd.ConfigException.requirePositive("ESD sample steps", sampleSteps);
            dev.sfd.ConfigException.requireNonNegative("ESD eta", eta);
            dev.sfd.ConfigException.requireNonNegative("ESD sample guidance", sampleGuidance);
        }

        /** Full budget (untuned starting point; ESD itself: 1000 steps, batch 1, lr 1e-5 on SD). */
        public static Settings defaults() { return new Settings(400, 8, 5e-5, 1.0, 10, 1.0, 11); }

        /** The {@code table --quick} budget. */
        public static Settings quick() { return new Settings(40, 6, 1e-4, 1.0, 8, 1.0, 11); }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", "esd");
            m.put("steps", steps);
            m.put("batch", batch);
            m.put("lr", lr);
            m.put("eta", eta);
            m.put("sample_steps", sampleSteps);
            m.put("sample_guidance", sampleGuidance);
            m.put("sigma", "t_i of the rho-7 grid (80 .. 0.002, K levels), i ~ U{0..K-1}; x_t by i Euler steps of the fine-tuned model, label c_f");
            m.put("target", "D_u - eta (D_c - D_u) of the frozen teacher");
            m.put("loss", "EDM-weighted MSE, Adam (0.9, 0.999)");
            m.put("seed", seed);
            return m;
        }
    }

    /** The fine-tuned denoiser, the wall time, and the settings (with any warning). */
    public record Result(ScoreNetwork model, double seconds, Map<String, Object> settings) {}

    private final ScoreNetwork teacher;
    private final int forget;
    private final Settings s;

    public EsdErasure(ScoreNetwork teacher, int forget, Settings settings) {
        Baselines.requireForgetLabel(teacher, forget, "the teacher");
        this.teacher = teacher;
        this.forget = forget;
        this.s = settings;
    }

    /** The loss target for noisy inputs {@code x} at levels {@code sigma}: {@code D_u - eta (D_c - D_u)} of the frozen teacher. */
    public Tensor target(Tensor x, Tensor sigma) {
        int n = x.dim(0);
        try (var g = Grad.disabled()) {
            int[] lab = new int[n];
            Arrays.fill(lab, forget);
            Tensor onehot = Ops.oneHot(lab, teacher.labelDim(), x.dtype());
            Tensor d = teacher.denoise(Ops.concat(0, x, x), Ops.concat(0, sigma, sigma),
                    Ops.concat(0, onehot, Tensor.zeros(onehot.backend(), onehot.dtype(), onehot.shape())));
            Tensor dc = Ops.narrow(d, 0, 0, n), du = Ops.narrow(d, 0, n, n);
            return Ops.sub(du, Ops.mulScalar(Ops.sub(dc, du), s.eta())).detach();
        }
    }

    public Result run(TrainingListener listener) {
        long t0 = System.nanoTime();
        teacher.requiresGrad(false).train(false);
        ScoreNetwork student = teacher.copy();
        student.requiresGrad(true).train(false);
        Adam adam = new Adam(student.parameters(), s.lr(), 0.9, 0.999, 1e-8, 0);
        RandomStream rng = new RandomStream(s.seed());
        Sampler euler = Sampler.euler(s.sampleSteps());
        double[] grid = euler.timeSteps();
        int[] img = teacher.imageShape();
        int[] lab = new int[s.batch()];
        Arrays.fill(lab, forget);
        Tensor labels = Ops.oneHot(lab, teacher.labelDim(), DType.FLOAT32);
        for (int step = 0; step < s.steps(); step++) {
            int i = Math.min(s.sampleSteps() - 1, (int) (rng.uniform(DType.FLOAT64, 1).toDoubleArray()[0] * s.sampleSteps()));
            Tensor z = rng.normal(DType.FLOAT32, s.batch(), img[0], img[1], img[2]);
            Tensor x = euler.sample(Guidance.of(student, s.sampleGuidance()), z, labels, null, i).detach();
            double[] sig = new double[s.batch()];
            Arrays.fill(sig, grid[i]);
            Tensor sigma = Baselines.sigmaVector(sig, x.dtype());
            Tensor target = target(x, sigma);
            Tensor loss = Baselines.weightedMse(student.denoise(x, sigma, labels), target, sig);
            double lv = loss.item();
            if (!Double.isFinite(lv)) throw new NumericsException("ESD: loss is " + lv + " at step " + step);
            adam.zeroGrad();
            loss.backward();
            GradClip.sanitize(student.parameters());
            adam.step();
            if (listener != null) {
                Map<String, Double> f = new LinkedHashMap<>();
                f.put("loss", lv);
                f.put("sigma", grid[i]);
                f.put("seconds", (System.nanoTime() - t0) / 1e9);
                listener.onStep(step + 1, s.steps(), f);
            }
        }
        student.requiresGrad(false);
        Map<String, Object> settings = s.toMap();
        settings.put("forget", forget);
        if (!Baselines.hasUnconditionalBranch(teacher)) {
            settings.put("warning", "the teacher was not trained with label dropout: its zero label is not a trained unconditional branch");
        }
        return new Result(student, (System.nanoTime() - t0) / 1e9, settings);
    }
}
