package dev.sfd.models.attack;

import dev.sfd.FormatException;
import dev.sfd.NumericsException;
import dev.sfd.SfdException;
import dev.sfd.diffusion.EdmLoss;
import dev.sfd.diffusion.Sampler;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.eval.Metrics;
import dev.sfd.io.Checkpoint;
import dev.sfd.io.SafeTensors;
import dev.sfd.models.Classifier;
import dev.sfd.models.baselines.Baselines;
import dev.sfd.models.data.Dataset;
import dev.sfd.ops.Ops;
import dev.sfd.optim.Adam;
import dev.sfd.optim.GradClip;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.OneStepGenerator;
import dev.sfd.unlearn.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The relearning attack of "Towards Irreversible Machine Unlearning for Diffusion Models" (DiMRA), for class
 * forgetting: fine-tune the unlearned model with the plain EDM training loss on an auxiliary labelled dataset
 * that contains NO image of the forgotten class, and watch whether samples of the forgotten label come back as
 * the forgotten class. Every {@code every} steps (and at step 0 and at the end) it samples
 * {@code evalSamples} images of the forgotten label with Heun ({@code heunSteps}, fixed latents) and records
 * the forgotten-class rate ({@link Metrics#forgottenClassRate}: share the judge classifies as {@code c_f},
 * i.e. {@code 1 - UA}).
 *
 * <p><b>One-step generators (SFD).</b> The generator's network is an EDM denoiser evaluated at the fixed
 * {@code sigma_init}: {@code G(z, c) = D_theta(sigma_init z; sigma_init, c)}. The attack fine-tunes that same
 * network with the EDM loss over all noise levels (the only training signal an attacker with clean data has)
 * and reports two curves: the network sampled as a diffusion model with Heun, and its one-step samples
 * {@code G(z, c_f)}.
 *
 * <p>Settings: Adam (0.9, 0.999), EDM log-normal sigma (-1.2, 1.2), EDM weighting, no EMA (the attacked raw
 * weights are evaluated), gradient sanitiser, the network in eval mode (no label dropout, so the attack trains
 * only the conditional branches present in the auxiliary data).
 *
 * <p><b>Targeted relearning</b> ({@link #targeted}): the same fine-tuning on a handful of REAL images of the
 * forgotten class under the forgotten label (e.g. {@link AuxData#firstOfClass}), measuring how fast the class is
 * learnt again ({@link Result#firstStepReaching}). A retrain, which never saw the class, is the reference for
 * learning it from scratch. {@link TargetedRelearning} runs it as the comparison table measures it.
 *
 * <p>By default the attack evaluates every {@code every} steps and runs all its steps; {@link #evaluatingAt} gives an
 * explicit list of evaluation steps instead, and {@link #stoppingAt} ends the attack at the first evaluation whose
 * rate (both rates for a generator) reaches a threshold.
 *
 * <pre>{@code
 * var attack = new RelearnAttack(unlearned, null, testSet.withoutClasses(0), 0, judge, RelearnAttack.Settings.defaults());
 * RelearnAttack.Result r = attack.run(null, Path.of("attack.ckpt.safetensors"));   // resumable
 * double after = r.last().forgottenRate();
 * }</pre>
 */
public final class RelearnAttack {
    private static final String KIND = "relearn-attack";

    /**
     * @param steps       fine-tuning steps
     * @param every       evaluate every this many steps
     * @param batch       auxiliary images per step
     * @param lr          Adam learning rate
     * @param evalSamples forgotten-label samples per evaluation
     * @param heunSteps   Heun steps for the diffusion-sampled rate (2N - 1 network calls per image)
     * @param seed        Philox seed (batches, sigma, noise; the evaluation latents use seed + 1)
     */
    public record Settings(int steps, int every, int batch, double lr, int evalSamples, int heunSteps, long seed) {
        public Settings {
            if (steps < 1) throw new dev.sfd.ConfigException("relearn settings: attack steps must be >= 1, got " + steps + " (0 steps attack nothing)");
            dev.sfd.ConfigException.requirePositive("relearn evaluation interval (every)", every);
            dev.sfd.ConfigException.requirePositive("relearn batch", batch);
            dev.sfd.ConfigException.requirePositive("relearn learning rate", lr);
            dev.sfd.ConfigException.requirePositive("relearn evaluation samples", evalSamples);
            dev.sfd.ConfigException.requirePositive("relearn Heun steps", heunSteps);
        }

        public static Settings defaults() { return new Settings(500, 50, 16, 1e-4, 100, 18, 21); }

        public static Settings quick() { return new Settings(20, 10, 8, 1e-4, 16, 8, 21); }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("steps", steps);
            m.put("every", every);
            m.put("batch", batch);
            m.put("lr", lr);
            m.put("eval_samples", evalSamples);
            m.put("heun_steps", heunSteps);
            m.put("seed", seed);
            m.put("loss", "EDM (log-normal sigma -1.2/1.2, EDM weighting), Adam (0.9, 0.999), no EMA");
            return m;
        }
    }

    /** One evaluation: forgotten-class rate with Heun sampling, and with one-step sampling (NaN unless a generator). */
    public record Point(long step, double forgottenRate, double forgottenRateOneStep, double loss, double seconds) {}

    public record Result(List<Point> curve, ScoreNetwork attacked, double seconds) {
        public Point first() { return curve.get(0); }

        public Point last() { return curve.get(curve.size() - 1); }

        /** The first evaluated step whose Heun forgotten-class rate is at least {@code rate}, or empty if none. */
        public OptionalLong firstStepReaching(double rate) {
            for (Point p : curve) if (p.forgottenRate() >= rate) return OptionalLong.of(p.step());
            return OptionalLong.empty();
        }

        /** As {@link #firstStepReaching} for the one-step rate (empty for a diffusion model). */
        public OptionalLong firstStepReachingOneStep(double rate) {
            for (Point p : curve) if (p.forgottenRateOneStep() >= rate) return OptionalLong.of(p.step());
            return OptionalLong.empty();
        }
    }

    private final ScoreNetwork model;
    private final Double sigmaInit;
    private final Dataset aux;
    private final int forget;
    private final Classifier judge;
    private final Settings s;
    private final boolean targeted;
    /** Steps after which to evaluate (sorted, distinct, in 1..steps), or null for every {@code s.every()} steps. */
    private final long[] evalSteps;
    /** Stop at the first evaluation reaching this rate; NaN = run every step. */
    private final double stopRate;

    /**
     * @param model     the unlearned denoiser (for a one-step generator: its network)
     * @param sigmaInit the generator's sigma_init, or null for a diffusion model
     * @param aux       auxiliary labelled images without any image of class {@code forget}
     * @param judge     classifier for the forgotten-class rate
     */
    public RelearnAttack(ScoreNetwork model, Double sigmaInit, Dataset aux, int forget, Classifier judge, Settings settings) {
        this(model, sigmaInit, aux, forget, judge, settings, false);
    }

    /**
     * The targeted relearning attack: fine-tunes on {@code images}, real images of the forgotten class only, under
     * the forgotten label (every label in {@code images} must be {@code forget}).
     */
    public static RelearnAttack targeted(ScoreNetwork model, Double sigmaInit, Dataset images, int forget, Classifier judge, Settings settings) {
        return new RelearnAttack(model, sigmaInit, images, forget, judge, settings, true);
    }

    private RelearnAttack(ScoreNetwork model, Double sigmaInit, Dataset aux, int forget, Classifier judge, Settings settings, boolean targeted) {
        Baselines.requireForgetLabel(model, forget, "the attacked model");
        if (aux.size() == 0) throw new SfdException("relearn: the auxiliary dataset " + aux.name() + " is empty");
        if (aux.numClasses() > model.labelDim()) {
            throw new SfdException("relearn: " + aux.name() + " has " + aux.numClasses() + " classes but the model has label_dim " + model.labelDim());
        }
        Baselines.requireImageShape(aux, model, "relearn", "the model");
        int n = 0;
        for (int i = 0; i < aux.size(); i++) if (aux.label(i) == forget) n++;
        if (!targeted && n > 0) {
            throw new SfdException("relearn: the auxiliary dataset " + aux.name() + " contains " + n + " images of the forgotten class " + forget
                    + "; the attack must not see that class (remove them, e.g. dataset.withoutClasses(" + forget + "))");
        }
        if (targeted && n < aux.size()) {
            throw new SfdException("relearn --targeted: " + aux.name() + " holds " + (aux.size() - n) + " images outside the forgotten class " + forget
                    + "; the targeted attack trains on forgotten-class images only");
        }
        if (judge.numClasses() <= forget) throw new SfdException("relearn: the classifier has no class " + forget);
        this.targeted = targeted;
        this.evalSteps = null;
        this.stopRate = Double.NaN;
        this.model = model;
        this.sigmaInit = sigmaInit;
        this.aux = aux;
        this.forget = forget;
        this.judge = judge;
        this.s = settings;
    }

    private RelearnAttack(RelearnAttack a, long[] evalSteps, double stopRate) {
        this.model = a.model;
        this.sigmaInit = a.sigmaInit;
        this.aux = a.aux;
        this.forget = a.forget;
        this.judge = a.judge;
        this.s = a.s;
        this.targeted = a.targeted;
        this.evalSteps = evalSteps;
        this.stopRate = stopRate;
    }

    /**
     * This attack evaluated after exactly the given steps (and at step 0 and after the last step) instead of every
     * {@code every} steps, e.g. a 1-2-5 series that resolves early relearning finely and late relearning coarsely.
     *
     * @throws dev.sfd.ConfigException unless the steps are strictly increasing and within 1..steps
     */
    public RelearnAttack evaluatingAt(long... steps) {
        if (steps == null || steps.length == 0) throw new dev.sfd.ConfigException("relearn: give at least one evaluation step");
        for (int i = 0; i < steps.length; i++) {
            if (steps[i] < 1 || steps[i] > s.steps() || (i > 0 && steps[i] <= steps[i - 1])) {
                throw new dev.sfd.ConfigException("relearn: evaluation steps must increase strictly within 1.." + s.steps() + ", got " + Arrays.toString(steps));
            }
        }
        return new RelearnAttack(this, steps.clone(), stopRate);
    }

    /**
     * This attack ended at the first evaluation whose forgotten-class rate is at least {@code rate} (for a one-step
     * generator: both the Heun and the one-step rate), e.g. when only the number of steps to relearn is wanted.
     *
     * @throws dev.sfd.ConfigException unless {@code 0 < rate <= 1}
     */
    public RelearnAttack stoppingAt(double rate) {
        if (!(rate > 0 && rate <= 1)) throw new dev.sfd.ConfigException("relearn: the stop rate must be in (0, 1], got " + rate);
        return new RelearnAttack(this, evalSteps, rate);
    }

    /** Whether the point reaches the stop rate (never when no stop rate is set). */
    private boolean reached(Point p) {
        if (Double.isNaN(stopRate)) return false;
        return p.forgottenRate() >= stopRate && (sigmaInit == null || p.forgottenRateOneStep() >= stopRate);
    }

    private boolean due(int step) {
        if (step == s.steps()) return true;
        return evalSteps != null ? Arrays.binarySearch(evalSteps, step) >= 0 : step % s.every() == 0;
    }

    public Result run(TrainingListener listener) { return run(listener, null); }

    /**
     * Runs the attack; with a {@code checkpoint} file it writes the attack state there (attacked weights, Adam
     * moments, RNG counter, curve so far) at every evaluation point, and a run started with an existing checkpoint
     * of the same attack (same settings and same starting model) continues from it. A resumed attack is
     * bit-identical to an uninterrupted one; its {@code seconds} count both parts. The caller deletes the file
     * when it no longer needs it. With {@link #stoppingAt} the curve ends at the first evaluation that reaches the rate.
     */
    public Result run(TrainingListener listener, Path checkpoint) {
        long t0 = System.nanoTime();
        ScoreNetwork net = model.copy();
        net.requiresGrad(true).train(false);
        Adam adam = new Adam(net.parameters(), s.lr(), 0.9, 0.999, 1e-8, 0);
        RandomStream rng = new RandomStream(s.seed());
        EdmLoss edm = new EdmLoss();
        List<Point> curve = new ArrayList<>();
        String fingerprint = checkpoint != null ? Baselines.fingerprint(model) : null;
        double offset = 0;
        int start = 1;
        if (checkpoint != null && Files.isRegularFile(checkpoint)) {
            offset = restore(checkpoint, fingerprint, net, adam, rng, curve);
            start = (int) curve.get(curve.size() - 1).step() + 1;
        } else {
            curve.add(evaluate(net, 0, Double.NaN, t0, 0));
            if (checkpoint != null) save(checkpoint, fingerprint, net, adam, rng, curve);
        }
        if (listener != null) listener.onEvaluation(curve.get(curve.size() - 1).step(), figures(curve.get(curve.size() - 1)));
        double lossAvg = 0;
        int lossN = 0;
        if (reached(curve.get(curve.size() - 1))) start = s.steps() + 1;
        for (int step = start; step <= s.steps(); step++) {
            double[] u = rng.uniform(DType.FLOAT64, s.batch()).toDoubleArray();
            int[] idx = new int[s.batch()];
            for (int i = 0; i < idx.length; i++) idx[i] = Math.min(aux.size() - 1, (int) (u[i] * aux.size()));
            Dataset.Batch b = aux.batch(idx);
            Tensor loss = Ops.meanAll(edm.perSample(net, b.images(), Ops.oneHot(b.labels(), net.labelDim(), DType.FLOAT32), rng));
            double lv = loss.item();
            if (!Double.isFinite(lv)) throw new NumericsException("relearn: loss is " + lv + " at step " + step);
            adam.zeroGrad();
            loss.backward();
            GradClip.sanitize(net.parameters());
            adam.step();
            lossAvg += lv;
            lossN++;
            if (listener != null) {
                Map<String, Double> f = new LinkedHashMap<>();
                f.put("loss", lv);
                f.put("forgotten_rate", curve.get(curve.size() - 1).forgottenRate());
                listener.onStep(step, s.steps(), f);
            }
            if (due(step)) {
                Point p = evaluate(net, step, lossAvg / lossN, t0, offset);
                curve.add(p);
                lossAvg = 0;
                lossN = 0;
                if (checkpoint != null) save(checkpoint, fingerprint, net, adam, rng, curve);
                if (listener != null) listener.onEvaluation(step, figures(p));
                if (reached(p)) break;
            }
        }
        net.requiresGrad(false);
        return new Result(curve, net, offset + (System.nanoTime() - t0) / 1e9);
    }

    /**
     * The settings as checkpoints record them: the attack settings, for a targeted attack its data, and an explicit
     * evaluation schedule or stop rate when set (a plain attack's key is the settings alone, as in checkpoints written
     * before targeted attacks existed).
     */
    private String settingsKey() {
        return s.toMap() + (targeted ? " targeted aux=" + aux.name() + "/" + aux.size() : "")
                + (evalSteps != null ? " eval_steps=" + Arrays.toString(evalSteps) : "") + (Double.isNaN(stopRate) ? "" : " stop_at=" + stopRate);
    }

    private void save(Path file, String fingerprint, ScoreNetwork net, Adam adam, RandomStream rng, List<Point> curve) {
        double[] c = new double[curve.size() * 5];
        for (int i = 0; i < curve.size(); i++) {
            Point p = curve.get(i);
            c[5 * i] = p.step();
            c[5 * i + 1] = p.forgottenRate();
            c[5 * i + 2] = p.forgottenRateOneStep();
            c[5 * i + 3] = p.loss();
            c[5 * i + 4] = p.seconds();
        }
        Baselines.saveState(file, KIND, settingsKey(), fingerprint, net, adam, rng, Map.of("curve", Map.of("points", Tensor.of(c, curve.size(), 5))),
                Map.of());
    }

    /** Loads a checkpoint of this attack into net/adam/rng/curve; returns the seconds already spent. */
    private double restore(Path file, String fingerprint, ScoreNetwork net, Adam adam, RandomStream rng, List<Point> curve) {
        Checkpoint c = Baselines.restoreState(file, "relearn", KIND, settingsKey(), fingerprint, net, adam, rng);
        double[] pts = c.group("curve").get("points").toDoubleArray();
        for (int i = 0; i + 4 < pts.length; i += 5) curve.add(new Point((long) pts[i], pts[i + 1], pts[i + 2], pts[i + 3], pts[i + 4]));
        if (curve.isEmpty()) throw new FormatException("relearn: checkpoint " + file + " holds no evaluation point");
        return curve.get(curve.size() - 1).seconds();
    }

    private static Map<String, Double> figures(Point p) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("forgotten_rate", p.forgottenRate());
        if (!Double.isNaN(p.forgottenRateOneStep())) m.put("forgotten_rate_one_step", p.forgottenRateOneStep());
        return m;
    }

    private Point evaluate(ScoreNetwork net, long step, double loss, long t0, double offset) {
        double[] r = forgottenRates(net, sigmaInit, forget, judge, s.evalSamples(), s.heunSteps(), s.seed() + 1);
        return new Point(step, r[0], r[1], loss, offset + (System.nanoTime() - t0) / 1e9);
    }

    /**
     * The forgotten-class rate of {@code samples} images of label {@code forget} sampled with Heun (latents from
     * Philox {@code seed}), and of its one-step samples when {@code sigmaInit} is given (else NaN).
     */
    public static double[] forgottenRates(ScoreNetwork net, Double sigmaInit, int forget, Classifier judge, int samples, int heunSteps, long seed) {
        int[] labels = new int[samples];
        Arrays.fill(labels, forget);
        Tensor heun = sampleHeun(net, labels, heunSteps, seed);
        double rate = Metrics.forgottenClassRate(judge.predict(heun, 128), forget);
        double oneStep = Double.NaN;
        if (sigmaInit != null) {
            Tensor g = new OneStepGenerator(net, sigmaInit).sample(labels, seed);
            oneStep = Metrics.forgottenClassRate(judge.predict(g, 128), forget);
        }
        return new double[] {rate, oneStep};
    }

    /** Heun samples (deterministic, latents from Philox {@code seed}) of the given labels, in batches of 64. */
    public static Tensor sampleHeun(ScoreNetwork net, int[] labels, int heunSteps, long seed) { return sampleHeun(net, labels, heunSteps, seed, null); }

    /**
     * As {@link #sampleHeun(ScoreNetwork, int[], int, long)}, keeping each finished batch of 64 in {@code chunkDir}
     * (when not null) and reusing the batches found there, so a long evaluation that is killed continues where it
     * stopped. The files are named by Heun steps, seed, offset and a hash of the batch's labels; the caller keys the
     * folder by the network and removes it when done. The result is identical with or without the folder.
     */
    public static Tensor sampleHeun(ScoreNetwork net, int[] labels, int heunSteps, long seed, Path chunkDir) {
        Sampler sampler = Sampler.heun(heunSteps);
        int[] img = net.imageShape();
        List<Tensor> parts = new ArrayList<>();
        for (int start = 0; start < labels.length; start += 64) {
            int[] lab = Arrays.copyOfRange(labels, start, Math.min(labels.length, start + 64));
            Path chunk = chunkDir == null ? null
                    : chunkDir.resolve("heun" + heunSteps + "-seed" + (seed + start) + "-n" + lab.length + "-" + Integer.toHexString(Arrays.hashCode(lab)) + ".safetensors");
            if (chunk != null && Files.isRegularFile(chunk)) {
                parts.add(SafeTensors.read(chunk).tensors().get("x"));
                continue;
            }
            RandomStream r = new RandomStream(seed + start);
            Tensor z = r.normal(DType.FLOAT32, lab.length, img[0], img[1], img[2]);
            Tensor x = sampler.sample(net, z, Ops.oneHot(lab, net.labelDim(), DType.FLOAT32), r);
            if (chunk != null) {
                try {
                    Files.createDirectories(chunkDir);
                } catch (java.io.IOException e) {
                    throw new FormatException("cannot create sample cache " + chunkDir + ": " + e.getMessage(), e);
                }
                SafeTensors.write(chunk, Map.of("x", x), Map.of());
            }
            parts.add(x);
        }
        return Ops.concat(0, parts.toArray(new Tensor[0]));
    }
}
