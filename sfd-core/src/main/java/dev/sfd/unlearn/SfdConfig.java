package dev.sfd.unlearn;

import dev.sfd.FormatException;
import dev.sfd.ConfigException;
import dev.sfd.io.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every knob of Score Forgetting Distillation, immutable; each {@code withX}-style method returns a modified copy.
 * {@link #paperEdm()} holds the paper's EDM/CIFAR-10 settings (SPEC-SFD 15.3); {@link #defaults()} the CPU
 * values for small teachers (SPEC-SFD 16 and 18). Complete ways to run SFD, with where the generator starts and when
 * the run stops, are the named recipes of {@link SfdRecipe}, which build on these two. The trainable copies run
 * without dropout and label dropout (the CPU recipe's choice, SPEC-SFD Q1). Checkpoints store a configuration as
 * versioned JSON ({@link #toJson()}, {@link #fromStored}).
 */
public final class SfdConfig implements Cloneable {
    /** EMA of the generator: EDM half-life rule, or none. */
    public enum EmaMode { HALF_LIFE, NONE }

    private long iterations = 400;
    private int batchRemain = 8;
    private int batchForget = 8;
    private double lrGenerator = 5e-5;
    private double lrFake = 5e-5;
    /** Weight of the remain-branch output anchor to the initial generator (0 = off; not in the paper). */
    private double keep = 0.0;
    /** Tie each forgotten label's embedding to its override's (LabelTie; not in the paper). */
    private boolean tieForgotten = false;
    /** Teacher label of forgotten samples (OverrideMode). */
    private OverrideMode overrideMode = OverrideMode.FIXED;
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
    private double generatorLossScale = 1.0;
    private EmaMode emaMode = EmaMode.HALF_LIFE;
    private double emaHalfLifeImages = 500_000;
    /**
     * EMA half-life as a share of the images seen so far. EDM (and the paper) use 0.05, which on a run of a
     * few thousand images averages over a handful of noisy 16-image steps; a longer ramp-up averages over more
     * of them (the measurements are in docs/results/README.md).
     */
    private double emaRampup = 0.5;
    private double guidanceTrainFake = 1.0;
    private double guidanceEvalFake = 1.0;
    private double guidanceTeacher = 1.0;
    private long seed = 7;
    private long checkpointEvery = 50;

    private SfdConfig() {}

    /**
     * The CPU values of SPEC-SFD section 18 (8+8 batch, lr 5e-5, forget weights 0.1) with an EMA of ramp-up 0.5 (see
     * {@link #emaHalfLife}); 400 iterations. {@link SfdRecipe#oneStage()} and {@link SfdRecipe#twoStage} start from it.
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
        if (!(v > 0) || Double.isInfinite(v)) throw new ConfigException("SfdConfig: " + name + " must be positive and finite, got " + v);
    }

    private static void nonNegative(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) throw new ConfigException("SfdConfig: " + name + " must be >= 0 and finite, got " + v);
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
     * Adds {@code weight * mean_remain ||G(z, c) - G_0(z, c)||^2} (squared distance summed over pixels, averaged over
     * the remain branch's samples) to the generator loss, where {@code G_0} is the generator the run started from with
     * the same latent and label (not in the paper). Meant for stage 2 of SFD-Two-Stage, where {@code G_0} is the
     * distilled stage-1 generator: the remaining classes are already right there, so instead of relying only on the SiD
     * loss (a noisy, zero-mean signal at equilibrium, with which Adam at beta1 = 0 moves every weight by about the
     * learning rate per step) the remaining labels are tied to their stage-1 images in output space, while the
     * forgotten labels stay free to move. Data-free: the targets are the generator's own initial outputs. In a one-stage
     * run from the teacher {@code G_0} is the teacher's one-step denoiser, a blurry target; do not use it there.
     * {@code 0} turns it off. Too large a weight keeps the forgotten label from moving at all; measurements are in
     * docs/results/README.md.
     */
    public SfdConfig keep(double weight) {
        if (!(weight >= 0) || !Double.isFinite(weight)) throw new ConfigException("SfdConfig: keep weight must be a finite number >= 0, got " + weight);
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
     * Which teacher label a forgotten sample is distilled towards ({@link OverrideMode}): the plan's fixed override class
     * (the default), a uniformly drawn remaining class per sample, or the remaining class a classifier picks per sample
     * (the two choices of the paper's released code besides the fixed one). The last two need no override class and
     * cannot be combined with {@link #tieForgotten}; {@link OverrideMode#CLASSIFIER} needs a classifier given to the
     * trainer ({@link ScoreForgettingDistillation#classifier}, {@link ForgetRun#classifier}).
     */
    public SfdConfig overrideMode(OverrideMode mode) {
        if (mode == null) throw new ConfigException("SfdConfig: override mode is null");
        SfdConfig c = copy(); c.overrideMode = mode; return c;
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
        if (!(t > 0 && t <= 1)) throw new ConfigException("SfdConfig: generatorTMax must be in (0, 1], got " + t);
        SfdConfig c = copy(); c.generatorTMax = t; return c;
    }

    public SfdConfig adam(double beta1, double beta2, double eps) {
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) throw new ConfigException("SfdConfig: Adam betas must be in [0, 1)");
        positive("adam eps", eps);
        SfdConfig c = copy(); c.beta1 = beta1; c.beta2 = beta2; c.adamEps = eps; return c;
    }

    public SfdConfig generatorLossScale(double s) { positive("generatorLossScale", s); SfdConfig c = copy(); c.generatorLossScale = s; return c; }

    public SfdConfig emaHalfLife(double images, double rampup) {
        positive("EMA half-life", images);
        nonNegative("EMA ramp-up", rampup);
        SfdConfig c = copy(); c.emaMode = EmaMode.HALF_LIFE; c.emaHalfLifeImages = images; c.emaRampup = rampup; return c;
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
    public double keep() { return keep; }
    public boolean tieForgotten() { return tieForgotten; }
    public OverrideMode overrideMode() { return overrideMode; }
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
    public double generatorLossScale() { return generatorLossScale; }
    public EmaMode emaMode() { return emaMode; }
    public double emaHalfLifeImages() { return emaHalfLifeImages; }
    public double emaRampup() { return emaRampup; }
    public double guidanceTrainFake() { return guidanceTrainFake; }
    public double guidanceEvalFake() { return guidanceEvalFake; }
    public double guidanceTeacher() { return guidanceTeacher; }
    public long seed() { return seed; }
    public long checkpointEvery() { return checkpointEvery; }

    /** Version of the JSON form written by {@link #toJson()}; version 1 was the {@code Map.toString()} text older checkpoints hold. */
    public static final int FORMAT_VERSION = 2;

    /** All values by name, in a fixed order (reports, cache keys, the body of {@link #toJson()}). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("iterations", iterations);
        m.put("batch_remain", batchRemain);
        m.put("batch_forget", batchForget);
        m.put("lr_generator", lrGenerator);
        m.put("lr_fake", lrFake);
        m.put("keep", keep);
        if (tieForgotten) m.put("tie_forgotten", true); // only when on, as older versions wrote it
        if (!overrideMode.fixed()) m.put("override_mode", overrideMode.id()); // only when not the default: older configurations stay as they were
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
        m.put("generator_loss_scale", generatorLossScale);
        m.put("ema", emaMode.name());
        m.put("ema_half_life_images", emaHalfLifeImages);
        m.put("ema_rampup", emaRampup);
        m.put("guidance_train_fake", guidanceTrainFake);
        m.put("guidance_eval_fake", guidanceEvalFake);
        m.put("guidance_teacher", guidanceTeacher);
        m.put("seed", seed);
        m.put("checkpoint_every", checkpointEvery);
        return m;
    }

    /**
     * Checks that this configuration can carry out {@code plan} on a teacher with {@code numClasses} labels: the plan's
     * classes exist, a plan that forgets something has a forget batch and a forget weight (with either at 0 the run
     * would train for its whole length and forget nothing), and the label tie is only combined with the fixed override
     * mode (it copies one fixed override class's embedding over the forgotten one). Throws a {@link dev.sfd.ConfigException} naming the setting;
     * the trainer calls it when built, commands before any work.
     */
    public void requireFits(ForgetPlan plan, int numClasses) {
        plan.validate(numClasses);
        if (plan.isEmpty()) return;
        if (batchForget == 0) {
            throw new ConfigException("the forget batch is 0 but the plan " + plan + " forgets classes: no forgotten label would ever "
                    + "be trained (give a positive forget batch, e.g. --batch-forget 8, or an empty plan for distillation only)");
        }
        if (lambdaForget == 0) {
            throw new ConfigException("the forget weight is 0 but the plan " + plan + " forgets classes: the run would forget nothing "
                    + "(give a positive forget weight, e.g. --forget-weight 0.1)");
        }
        if (tieForgotten && !overrideMode.fixed()) {
            throw new dev.sfd.ConfigException("the label tie (tieForgotten, --robust) copies a fixed override class's embedding over the "
                    + "forgotten class's, but the override mode is " + overrideMode.id() + ", which picks a remaining class per sample "
                    + "(use override mode fixed with the tie, or turn the tie off)");
        }
    }

    /** The configuration as versioned JSON ({@code format}, {@code version}, then {@link #toMap()}): what checkpoints store. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "sfd-config");
        m.put("version", FORMAT_VERSION);
        m.putAll(toMap());
        return Json.write(m);
    }

    /**
     * Reads a stored configuration: the JSON of {@link #toJson()} (version {@value #FORMAT_VERSION}), or the
     * version-1 text older checkpoints hold ({@code {iterations=150, batch_remain=8, ...}}), which migrates. Throws
     * naming the version when it is unknown, and naming the knob when the configuration used one that was retired
     * (docs/results/README.md, "Retired knobs") or one this version does not know.
     */
    public static SfdConfig fromStored(String text) {
        return fromMap(storedValues(text));
    }

    /** The raw values of a stored configuration by name (no migration or checks), e.g. to read one value of any version. */
    public static Map<String, Object> storedValues(String text) {
        if (text == null || text.isBlank()) throw new FormatException("stored SFD configuration is empty");
        String t = text.strip();
        if (t.startsWith("{\"") || t.startsWith("{\n") || t.equals("{}")) {
            Map<String, Object> m = new LinkedHashMap<>(Json.parseMap(t));
            Object format = m.remove("format");
            Object version = m.remove("version");
            if (!"sfd-config".equals(format)) throw new FormatException("stored SFD configuration has format " + format + ", expected sfd-config");
            if (!(version instanceof Number) || ((Number) version).intValue() != FORMAT_VERSION) {
                throw new FormatException("stored SFD configuration has version " + version + "; this build reads version "
                        + FORMAT_VERSION + " (and the version-1 text of older checkpoints)");
            }
            m.put(VERSION_KEY, FORMAT_VERSION);
            return m;
        }
        if (!t.startsWith("{") || !t.endsWith("}")) throw new FormatException("stored SFD configuration is neither JSON nor the version-1 text: " + t);
        Map<String, Object> m = new LinkedHashMap<>();
        String body = t.substring(1, t.length() - 1);
        if (!body.isBlank()) {
            // version 1: Map.toString(); no value of a current knob contains ", " (a retired regex might: it fails below anyway)
            for (String part : body.split(", ")) {
                int eq = part.indexOf('=');
                if (eq <= 0) throw new FormatException("version-1 SFD configuration: cannot read '" + part + "' in " + t);
                m.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        m.put(VERSION_KEY, 1);
        return m;
    }

    private static final String VERSION_KEY = "\u0000version";

    private static SfdConfig fromMap(Map<String, Object> values) {
        int version = ((Number) values.get(VERSION_KEY)).intValue();
        SfdConfig c = new SfdConfig();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            String k = e.getKey();
            Object v = e.getValue();
            if (k.equals(VERSION_KEY)) continue;
            switch (k) {
                case "iterations" -> c.iterations = (long) num(k, v);
                case "batch_remain" -> c.batchRemain = (int) num(k, v);
                case "batch_forget" -> c.batchForget = (int) num(k, v);
                case "lr_generator" -> c.lrGenerator = num(k, v);
                case "lr_fake" -> c.lrFake = num(k, v);
                case "keep" -> c.keep = num(k, v);
                case "tie_forgotten" -> c.tieForgotten = Boolean.parseBoolean(String.valueOf(v));
                case "override_mode" -> {
                    try {
                        c.overrideMode = OverrideMode.parse(String.valueOf(v));
                    } catch (dev.sfd.ConfigException x) {
                        throw new FormatException("stored SFD configuration (version " + version + "): " + x.getMessage());
                    }
                }
                case "alpha" -> c.alpha = num(k, v);
                case "sigma_init" -> c.sigmaInit = num(k, v);
                case "lambda_r" -> c.lambdaRemain = num(k, v);
                case "lambda_f" -> c.lambdaForget = num(k, v);
                case "lambda_fake_r" -> c.lambdaFakeRemain = num(k, v);
                case "lambda_fake_f" -> c.lambdaFakeForget = num(k, v);
                case "generator_t_max" -> c.generatorTMax = num(k, v);
                case "fake_p_mean" -> c.fakePMean = num(k, v);
                case "fake_p_std" -> c.fakePStd = num(k, v);
                case "adam_beta1" -> c.beta1 = num(k, v);
                case "adam_beta2" -> c.beta2 = num(k, v);
                case "adam_eps" -> c.adamEps = num(k, v);
                case "generator_loss_scale" -> c.generatorLossScale = num(k, v);
                case "ema" -> {
                    if ("FIXED".equals(String.valueOf(v))) throw retired("ema=FIXED (emaFixed)", version);
                    try {
                        c.emaMode = EmaMode.valueOf(String.valueOf(v));
                    } catch (IllegalArgumentException x) {
                        throw new FormatException("stored SFD configuration (version " + version + "): ema is '" + v + "', expected one of HALF_LIFE, NONE");
                    }
                }
                case "ema_half_life_images" -> c.emaHalfLifeImages = num(k, v);
                case "ema_rampup" -> c.emaRampup = num(k, v);
                case "guidance_train_fake" -> c.guidanceTrainFake = num(k, v);
                case "guidance_eval_fake" -> c.guidanceEvalFake = num(k, v);
                case "guidance_teacher" -> c.guidanceTeacher = num(k, v);
                case "seed" -> c.seed = (long) num(k, v);
                case "checkpoint_every" -> c.checkpointEvery = (long) num(k, v);
                // version 1 always wrote these; their values changed nothing unless a retired knob was set
                case "clip" -> { if (version > 1 || !"NONE".equals(String.valueOf(v))) throw retired("clip=" + v + " (clip)", version); }
                case "sanitize" -> { if (version > 1 || !"true".equals(String.valueOf(v))) throw retired("sanitize=" + v + " (sanitize)", version); }
                case "clip_value", "ema_decay" -> { if (version > 1) throw retired(k, version); }
                // version 1 wrote these only when the knob was used
                case "lr_anneal_start", "lr_anneal_final", "anchor", "fake_warmup", "generator_trainable", "remain_weights" ->
                        throw retired(k + "=" + v, version);
                default -> throw new FormatException("stored SFD configuration (version " + version + ") has the unknown key '" + k + "'");
            }
        }
        return c;
    }

    private static FormatException retired(String knob, int version) {
        return new FormatException("stored SFD configuration (version " + version + ") uses the retired knob " + knob
                + ", which this build no longer has (docs/results/README.md, \"Retired knobs\"); resume it with the release that wrote it");
    }

    private static double num(String key, Object v) {
        if (v instanceof String s && !s.equals("NaN") && !s.endsWith("Infinity")) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new FormatException("stored SFD configuration: " + key + " is '" + s + "', not a number");
            }
        }
        return Json.toDouble(v);
    }

    /** The same configuration up to the iteration count (which only says where a run stops: a finished run may continue). */
    public boolean sameRunAs(SfdConfig other) { return other != null && iterations(1).equals(other.iterations(1)); }

    @Override
    public String toString() { return "SfdConfig" + toMap(); }

    @Override
    public boolean equals(Object o) { return o instanceof SfdConfig c && c.toMap().equals(toMap()); }

    @Override
    public int hashCode() { return toMap().hashCode(); }
}
