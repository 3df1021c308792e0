package dev.sfd.unlearn;

import dev.sfd.SfdException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every knob of Score Forgetting Distillation, immutable; each {@code withX}-style method returns a modified copy.
 * {@link #paperEdm()} holds the paper's EDM/CIFAR-10 settings (SPEC-SFD 15.3); {@link #defaults()} the
 * measured CPU recipe for the small Fashion-MNIST teacher (SPEC-SFD 16 and 18). The trainable copies run
 * without dropout and label dropout (the CPU recipe's choice, SPEC-SFD Q1).
 */
public final class SfdConfig implements Cloneable {
    /** Gradient clipping applied before each Adam step. */
    public enum Clip { NONE, VALUE, NORM }

    /** EMA of the generator: EDM half-life rule, a fixed per-step decay, or none. */
    public enum EmaMode { HALF_LIFE, FIXED, NONE }

    private long iterations = 400;
    private int batchRemain = 8;
    private int batchForget = 8;
    private double lrGenerator = 5e-5;
    private double lrFake = 5e-5;
    /** Share of the iterations after which both learning rates fall linearly (1 = constant learning rates). */
    private double lrAnnealStart = 1.0;
    /** Learning-rate multiplier reached at the last iteration when annealing. */
    private double lrAnnealFinal = 0.1;
    /** Per-step pull of the generator weights back toward their initial values (0 = off; not in the paper). */
    private double anchor = 0.0;
    /** Initial iterations that update only the fake score network (0 = off; not in the paper). */
    private long fakeWarmup = 0;
    /** Regular expression over the generator's parameter names: only matches are trained (null = all; not in the paper). */
    private String generatorTrainable = null;
    /** Weight of the remain-branch output anchor to the initial generator (0 = off; not in the paper). */
    private double keep = 0.0;
    /** Tie each forgotten label's embedding to its override's (LabelTie; not in the paper). */
    private boolean tieForgotten = false;
    /** Relative sampling weights of remaining classes in the remain branch (empty = uniform, the paper). */
    private java.util.SortedMap<Integer, Double> remainWeights = java.util.Collections.emptySortedMap();
    private double alpha = 1.2;
    private double sigmaInit = 2.5;
    private double lambdaRemain = 1.0;
    private double lambdaForget = 0.1;
    private double lambdaFakeRemain = 1.0;
    private double lambdaFakeForget = 0.1;
    private double generatorTMax = 0.8;
    private double sigmaMin = 0.002;
    private double sigmaMax = 80;
    private double rho = 7;
    private double fakePMean = -1.2;
    private double fakePStd = 1.2;
    private double beta1 = 0.0;
    private double beta2 = 0.999;
    private double adamEps = 1e-8;
    private Clip clip = Clip.NONE;
    private double clipValue = 1.0;
    private boolean sanitize = true;
    private double generatorLossScale = 1.0;
    private EmaMode emaMode = EmaMode.HALF_LIFE;
    private double emaHalfLifeImages = 500_000;
    /**
     * EMA half-life as a share of the images seen so far. EDM (and the paper) use 0.05, which on a run of a
     * few thousand images averages over a handful of noisy 16-image steps; 0.5 measured FD 43.7 instead of
     * 72.5 on the demo (docs/results/README.md, session 3).
     */
    private double emaRampup = 0.5;
    private double emaDecay = 0.9999;
    private double guidanceTrainFake = 1.0;
    private double guidanceEvalFake = 1.0;
    private double guidanceTeacher = 1.0;
    private long seed = 7;
    private long checkpointEvery = 50;

    private SfdConfig() {}

    /**
     * The CPU recipe measured in SPEC-SFD section 18 (8+8 batch, lr 5e-5, forget weights 0.1) with an EMA of
     * ramp-up 0.5 (see {@link #emaHalfLife}); 400 iterations.
     */
    public static SfdConfig defaults() { return new SfdConfig(); }

    /** The paper's EDM backbone settings (CIFAR-10, SPEC-SFD 15.3): 256 per update, lr 1e-5, weights 0.01, loss scale 100. */
    public static SfdConfig paperEdm() {
        SfdConfig c = new SfdConfig();
        c.iterations = 80_000;
        c.batchRemain = 128;
        c.batchForget = 128;
        c.lrGenerator = 1e-5;
        c.lrFake = 1e-5;
        c.lambdaForget = 0.01;
        c.lambdaFakeForget = 0.01;
        c.generatorLossScale = 100;
        c.emaRampup = 0.05;
        return c;
    }

    private SfdConfig copy() {
        try {
            return (SfdConfig) clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    private static void positive(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) throw new SfdException("SfdConfig: " + name + " must be positive and finite, got " + v);
    }

    private static void nonNegative(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) throw new SfdException("SfdConfig: " + name + " must be >= 0 and finite, got " + v);
    }

    public SfdConfig iterations(long n) { positive("iterations", n); SfdConfig c = copy(); c.iterations = n; return c; }

    /** Remain and forget batch sizes per update (the paper uses equal sizes). */
    public SfdConfig batch(int remain, int forget) {
        positive("remain batch", remain);
        nonNegative("forget batch", forget);
        SfdConfig c = copy(); c.batchRemain = remain; c.batchForget = forget; return c;
    }

    public SfdConfig learningRates(double generator, double fake) {
        positive("generator lr", generator);
        positive("fake lr", fake);
        SfdConfig c = copy(); c.lrGenerator = generator; c.lrFake = fake; return c;
    }

    /**
     * Linear learning-rate annealing (not in the paper): both learning rates stay constant for the first
     * {@code startFraction} of the iterations, then fall linearly to {@code finalFraction} of their value at the last
     * iteration. With Adam at beta1 = 0 every step moves a weight by about the learning rate whatever the gradient's
     * signal-to-noise ratio, so the generator's noise floor scales with it; annealing lets a short run settle after the
     * forgotten label has been overridden. Measured on the demo's stage 2 (anneal from 0.4 to 0.1x): it did not lower
     * FD (docs/results/README.md, session 4). {@code startFraction = 1} turns it off.
     */
    public SfdConfig lrAnneal(double startFraction, double finalFraction) {
        if (!(startFraction >= 0 && startFraction <= 1)) throw new SfdException("SfdConfig: lr anneal start must be in [0, 1], got " + startFraction);
        if (!(finalFraction >= 0 && finalFraction <= 1)) throw new SfdException("SfdConfig: lr anneal final factor must be in [0, 1], got " + finalFraction);
        SfdConfig c = copy(); c.lrAnnealStart = startFraction; c.lrAnnealFinal = finalFraction; return c;
    }

    /** Learning-rate multiplier of iteration {@code step} (0-based) under {@link #lrAnneal}. */
    public double lrScale(long step) {
        if (lrAnnealStart >= 1) return 1.0;
        double start = lrAnnealStart * iterations;
        double last = iterations - 1;
        if (step <= start || last <= start) return 1.0;
        double t = Math.min(1.0, (step - start) / (last - start));
        return 1.0 - (1.0 - lrAnnealFinal) * t;
    }

    /**
     * Anchors the generator to its initial weights (not in the paper; a decoupled L2-SP pull, as AdamW's weight decay
     * but toward the starting point instead of zero): after each Adam step {@code w <- w - rate * (w - w_init)}. Meant
     * for stage 2 of SFD-Two-Stage, which starts from a good distilled generator: with Adam at beta1 = 0 every weight
     * moves by about the learning rate per step whatever its gradient's signal-to-noise ratio, so the weights that the
     * forgetting does not need drift as a random walk; the pull bounds that drift (to about lr / sqrt(2 rate) per weight)
     * while a consistent forgetting gradient can still move a weight up to about lr / rate. {@code 0} turns it off.
     * Measured on the demo's stage 2 (docs/results/README.md, session 5): 0.005 gave remaining FD 34.5 against 37.5
     * (one seed, inside the seed spread); 0.02 kept the forgotten label from being overridden.
     */
    public SfdConfig anchor(double rate) {
        if (!(rate >= 0 && rate < 1)) throw new SfdException("SfdConfig: anchor rate must be in [0, 1), got " + rate);
        SfdConfig c = copy(); c.anchor = rate; return c;
    }

    /**
     * The first {@code n} iterations update only the fake score network (generator and EMA held; not in the paper).
     * Meant for a stage 2 that starts from a distilled generator's EMA weights: the stage-1 fake net tracked the raw,
     * noisier generator, so for its first steps the SiD gradient would compare the teacher with the score of a
     * distribution the generator no longer draws. The warm-up iterations count towards {@link #iterations}.
     * Measured on the demo's stage 2 (session 5): 30 warm-up iterations made the FD worse, so that mismatch is not what
     * costs the FD.
     */
    public SfdConfig fakeWarmup(long n) {
        if (n < 0) throw new SfdException("SfdConfig: fake warm-up must be >= 0 iterations, got " + n);
        SfdConfig c = copy(); c.fakeWarmup = n; return c;
    }

    /**
     * Trains only the generator parameters whose state-dict names match {@code regex} (a full match, e.g.
     * {@code .*(map_label|map_layer\\d|affine)\\..*} for SongUNet's conditioning path); the others keep their initial
     * values. {@code null} trains all of them (the paper). Not in the paper: a parameter-efficient stage 2 for
     * SFD-Two-Stage, where the class enters the network only through the conditioning path, so a small trainable set
     * can redirect a label while the rest of the distilled generator, which the remaining classes share, cannot drift.
     * The fake score network is always trained in full. The pattern must match at least one parameter.
     * Measured on the demo's stage 2 (session 5, lr 1e-4): remaining FD 32.5 and 41.2 on two seeds against 37.5 and 38.1
     * with every parameter trained; the forgotten class's look-alike classes carry the loss either way.
     */
    public SfdConfig generatorTrainable(String regex) {
        if (regex != null) {
            if (regex.isBlank()) throw new SfdException("SfdConfig: generator-trainable pattern is blank (use null to train every parameter)");
            try {
                java.util.regex.Pattern.compile(regex);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new SfdException("SfdConfig: generator-trainable pattern '" + regex + "' is not a regular expression: " + e.getDescription());
            }
        }
        SfdConfig c = copy(); c.generatorTrainable = regex; return c;
    }

    /**
     * Adds {@code weight * mean_remain ||G(z, c) - G_0(z, c)||^2} (squared distance summed over pixels, averaged over
     * the remain branch's samples) to the generator loss, where {@code G_0} is the generator the run started from with
     * the same latent and label (not in the paper). Meant for stage 2 of SFD-Two-Stage, where {@code G_0} is the
     * distilled stage-1 generator: the remaining classes are already right there, so instead of relying only on the SiD
     * loss (a noisy, zero-mean signal at equilibrium, with which Adam at beta1 = 0 moves every weight by about the
     * learning rate per step) the remaining labels are tied to their stage-1 images in output space, while the
     * forgotten labels stay free to move. Data-free: the targets are the generator's own initial outputs. In a one-stage
     * run from the teacher {@code G_0} is the teacher's one-step denoiser, a blurry target; do not use it there.
     * {@code 0} turns it off. Measured on the Fashion-MNIST demo's stage 2 (docs/results/README.md, session 6): weight 1
     * gave remaining-class FD 27.7 / 25.5 / 26.2 on three seeds against 37.5 / 38.1 without it, with the override complete
     * by iteration ~100 instead of ~50; weight 10 kept the forgotten label from moving at all.
     */
    public SfdConfig keep(double weight) {
        if (!(weight >= 0) || !Double.isFinite(weight)) throw new SfdException("SfdConfig: keep weight must be a finite number >= 0, got " + weight);
        SfdConfig c = copy(); c.keep = weight; return c;
    }

    /**
     * Ties each forgotten label's embedding column to its override class's column before training and after every
     * generator step ({@link LabelTie}), and feeds the generator the override label for forgotten samples, so that the
     * forgotten label draws exactly what the override label draws. Its purpose is robustness to relearning: fine-tuning
     * the result on data without the forgotten class cannot move the forgotten column, so it cannot bring the class back
     * through that label. Needs a network with a linear label embedding ({@code ScoreNetwork#labelEmbedding()}).
     * Not in the paper.
     */
    public SfdConfig tieForgotten(boolean on) { SfdConfig c = copy(); c.tieForgotten = on; return c; }

    /**
     * Draws the remain branch's labels with these relative weights instead of uniformly (not in the paper; the paper
     * draws remaining labels uniformly). Keys are class ids, values positive weights; a remaining class without an
     * entry has weight 1, so {@code {2: 3.0}} makes class 2 three times as likely as each other remaining class.
     * Every key must be a remaining class of the plan (checked when the trainer is built). Meant for the classes that
     * look like the forgotten one: they share most of the generator's features with it, so the forgetting gradient
     * moves them most, and more remain samples of them give the SiD loss more chances to pull them back. An empty map
     * restores uniform sampling.
     */
    public SfdConfig remainWeights(Map<Integer, Double> weights) {
        java.util.TreeMap<Integer, Double> w = new java.util.TreeMap<>();
        for (Map.Entry<Integer, Double> e : weights.entrySet()) {
            Integer k = e.getKey();
            Double v = e.getValue();
            if (k == null || k < 0) throw new SfdException("SfdConfig: remain weight for class " + k + ": class ids are >= 0");
            if (v == null || !(v > 0) || !Double.isFinite(v)) {
                throw new SfdException("SfdConfig: remain weight for class " + k + " must be a positive finite number, got " + v);
            }
            w.put(k, v);
        }
        SfdConfig c = copy(); c.remainWeights = java.util.Collections.unmodifiableSortedMap(w); return c;
    }

    public SfdConfig alpha(double a) { nonNegative("alpha", a); SfdConfig c = copy(); c.alpha = a; return c; }

    public SfdConfig sigmaInit(double s) { positive("sigmaInit", s); SfdConfig c = copy(); c.sigmaInit = s; return c; }

    /** Generator-loss weights lambda_r, lambda_f (SPEC-SFD section 6). */
    public SfdConfig generatorWeights(double remain, double forget) {
        nonNegative("lambda_r", remain);
        nonNegative("lambda_f", forget);
        SfdConfig c = copy(); c.lambdaRemain = remain; c.lambdaForget = forget; return c;
    }

    /** Fake-score-loss weights lambda'_r, lambda'_f (SPEC-SFD section 5). */
    public SfdConfig fakeWeights(double remain, double forget) {
        nonNegative("lambda'_r", remain);
        nonNegative("lambda'_f", forget);
        SfdConfig c = copy(); c.lambdaFakeRemain = remain; c.lambdaFakeForget = forget; return c;
    }

    /** Sets lambda_f and lambda'_f together. */
    public SfdConfig forgetWeight(double w) { return generatorWeights(lambdaRemain, w).fakeWeights(lambdaFakeRemain, w); }

    /** Upper end of u ~ U(0, tMax) in the generator-loss noise rule (0.8 for EDM). */
    public SfdConfig generatorTMax(double t) {
        if (!(t > 0 && t <= 1)) throw new SfdException("SfdConfig: generatorTMax must be in (0, 1], got " + t);
        SfdConfig c = copy(); c.generatorTMax = t; return c;
    }

    public SfdConfig adam(double beta1, double beta2, double eps) {
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) throw new SfdException("SfdConfig: Adam betas must be in [0, 1)");
        positive("adam eps", eps);
        SfdConfig c = copy(); c.beta1 = beta1; c.beta2 = beta2; c.adamEps = eps; return c;
    }

    public SfdConfig clip(Clip mode, double value) {
        if (mode != Clip.NONE) positive("clip value", value);
        SfdConfig c = copy(); c.clip = mode; c.clipValue = value; return c;
    }

    public SfdConfig sanitize(boolean on) { SfdConfig c = copy(); c.sanitize = on; return c; }

    public SfdConfig generatorLossScale(double s) { positive("generatorLossScale", s); SfdConfig c = copy(); c.generatorLossScale = s; return c; }

    public SfdConfig emaHalfLife(double images, double rampup) {
        positive("EMA half-life", images);
        nonNegative("EMA ramp-up", rampup);
        SfdConfig c = copy(); c.emaMode = EmaMode.HALF_LIFE; c.emaHalfLifeImages = images; c.emaRampup = rampup; return c;
    }

    public SfdConfig emaFixed(double decay) {
        if (!(decay >= 0 && decay < 1)) throw new SfdException("SfdConfig: EMA decay must be in [0, 1), got " + decay);
        SfdConfig c = copy(); c.emaMode = EmaMode.FIXED; c.emaDecay = decay; return c;
    }

    public SfdConfig emaOff() { SfdConfig c = copy(); c.emaMode = EmaMode.NONE; return c; }

    /** Classifier-free guidance weights per role (w = 1: unguided); needs a teacher trained with label dropout. */
    public SfdConfig guidance(double trainFake, double evalFake, double teacher) {
        nonNegative("guidance", trainFake);
        nonNegative("guidance", evalFake);
        nonNegative("guidance", teacher);
        SfdConfig c = copy(); c.guidanceTrainFake = trainFake; c.guidanceEvalFake = evalFake; c.guidanceTeacher = teacher; return c;
    }

    public SfdConfig seed(long s) { SfdConfig c = copy(); c.seed = s; return c; }

    public SfdConfig checkpointEvery(long n) { positive("checkpointEvery", n); SfdConfig c = copy(); c.checkpointEvery = n; return c; }

    public long iterations() { return iterations; }
    public int batchRemain() { return batchRemain; }
    public int batchForget() { return batchForget; }
    public double lrGenerator() { return lrGenerator; }
    public double lrFake() { return lrFake; }
    public double lrAnnealStart() { return lrAnnealStart; }
    public double lrAnnealFinal() { return lrAnnealFinal; }
    public double anchor() { return anchor; }
    public long fakeWarmup() { return fakeWarmup; }
    /** The generator-trainable pattern, or null when every generator parameter is trained. */
    public String generatorTrainable() { return generatorTrainable; }
    public double keep() { return keep; }
    public boolean tieForgotten() { return tieForgotten; }
    /** Relative remain-branch sampling weights by class id (empty: uniform); unlisted remaining classes weigh 1. */
    public java.util.SortedMap<Integer, Double> remainWeights() { return remainWeights; }
    public double alpha() { return alpha; }
    public double sigmaInit() { return sigmaInit; }
    public double lambdaRemain() { return lambdaRemain; }
    public double lambdaForget() { return lambdaForget; }
    public double lambdaFakeRemain() { return lambdaFakeRemain; }
    public double lambdaFakeForget() { return lambdaFakeForget; }
    public double generatorTMax() { return generatorTMax; }
    public double sigmaMin() { return sigmaMin; }
    public double sigmaMax() { return sigmaMax; }
    public double rho() { return rho; }
    public double fakePMean() { return fakePMean; }
    public double fakePStd() { return fakePStd; }
    public double beta1() { return beta1; }
    public double beta2() { return beta2; }
    public double adamEps() { return adamEps; }
    public Clip clip() { return clip; }
    public double clipValue() { return clipValue; }
    public boolean sanitize() { return sanitize; }
    public double generatorLossScale() { return generatorLossScale; }
    public EmaMode emaMode() { return emaMode; }
    public double emaHalfLifeImages() { return emaHalfLifeImages; }
    public double emaRampup() { return emaRampup; }
    public double emaDecay() { return emaDecay; }
    public double guidanceTrainFake() { return guidanceTrainFake; }
    public double guidanceEvalFake() { return guidanceEvalFake; }
    public double guidanceTeacher() { return guidanceTeacher; }
    public long seed() { return seed; }
    public long checkpointEvery() { return checkpointEvery; }

    /** All values by name (reports, checkpoints). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("iterations", iterations);
        m.put("batch_remain", batchRemain);
        m.put("batch_forget", batchForget);
        m.put("lr_generator", lrGenerator);
        m.put("lr_fake", lrFake);
        if (lrAnnealStart < 1) { // only when used, so checkpoints written before this option still resume
            m.put("lr_anneal_start", lrAnnealStart);
            m.put("lr_anneal_final", lrAnnealFinal);
        }
        if (anchor > 0) m.put("anchor", anchor); // only when used, as lr_anneal_*
        if (fakeWarmup > 0) m.put("fake_warmup", fakeWarmup);
        if (generatorTrainable != null) m.put("generator_trainable", generatorTrainable);
        if (keep > 0) m.put("keep", keep);
        if (tieForgotten) m.put("tie_forgotten", true); // only when on, so earlier checkpoints still resume
        if (!remainWeights.isEmpty()) m.put("remain_weights", remainWeightsSpec(remainWeights));
        m.put("alpha", alpha);
        m.put("sigma_init", sigmaInit);
        m.put("lambda_r", lambdaRemain);
        m.put("lambda_f", lambdaForget);
        m.put("lambda_fake_r", lambdaFakeRemain);
        m.put("lambda_fake_f", lambdaFakeForget);
        m.put("generator_t_max", generatorTMax);
        m.put("fake_p_mean", fakePMean);
        m.put("fake_p_std", fakePStd);
        m.put("adam_beta1", beta1);
        m.put("adam_beta2", beta2);
        m.put("adam_eps", adamEps);
        m.put("clip", clip.name());
        m.put("clip_value", clipValue);
        m.put("sanitize", sanitize);
        m.put("generator_loss_scale", generatorLossScale);
        m.put("ema", emaMode.name());
        m.put("ema_half_life_images", emaHalfLifeImages);
        m.put("ema_rampup", emaRampup);
        m.put("ema_decay", emaDecay);
        m.put("guidance_train_fake", guidanceTrainFake);
        m.put("guidance_eval_fake", guidanceEvalFake);
        m.put("guidance_teacher", guidanceTeacher);
        m.put("seed", seed);
        m.put("checkpoint_every", checkpointEvery);
        return m;
    }

    /** Throws when a class of {@link #remainWeights} is not among {@code remain} (the plan's remaining classes). */
    static void requireRemainWeightsFit(Map<Integer, Double> weights, int[] remain) {
        java.util.Set<Integer> remainSet = new java.util.TreeSet<>();
        for (int c : remain) remainSet.add(c);
        for (int c : weights.keySet()) {
            if (!remainSet.contains(c)) {
                throw new SfdException("remain weights name class " + c + ", which is not a remaining class of this plan (remaining: " + remainSet + ")");
            }
        }
    }

    /** Checks {@link #remainWeights} against a plan before anything runs (the trainer checks again when built). */
    public void requireRemainWeightsFit(ForgetPlan plan, int numClasses) {
        requireRemainWeightsFit(remainWeights, plan.remainClasses(numClasses));
    }

    /** {@code "2:3.0,4:3.0"}: the form of {@link #parseRemainWeights} and of the config map. */
    public static String remainWeightsSpec(Map<Integer, Double> weights) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<Integer, Double> e : new java.util.TreeMap<>(weights).entrySet()) {
            if (b.length() > 0) b.append(',');
            b.append(e.getKey()).append(':').append(e.getValue());
        }
        return b.toString();
    }

    /** Parses {@code "CLASS:WEIGHT,..."} (e.g. {@code "2:3,4:3,6:3"}); an empty string is uniform sampling. */
    public static Map<Integer, Double> parseRemainWeights(String spec) {
        java.util.TreeMap<Integer, Double> w = new java.util.TreeMap<>();
        if (spec == null || spec.isBlank()) return w;
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split(":");
            if (kv.length != 2) throw new SfdException("remain weights '" + spec + "': expected CLASS:WEIGHT pairs separated by commas, got '" + part.trim() + "'");
            int k;
            double v;
            try {
                k = Integer.parseInt(kv[0].trim());
                v = Double.parseDouble(kv[1].trim());
            } catch (NumberFormatException e) {
                throw new SfdException("remain weights '" + spec + "': '" + part.trim() + "' is not CLASS:WEIGHT (an integer and a number)");
            }
            if (w.put(k, v) != null) throw new SfdException("remain weights '" + spec + "': class " + k + " is listed twice");
        }
        return w;
    }

    @Override
    public String toString() { return "SfdConfig" + toMap(); }

    @Override
    public boolean equals(Object o) { return o instanceof SfdConfig c && c.toMap().equals(toMap()); }

    @Override
    public int hashCode() { return toMap().hashCode(); }
}
