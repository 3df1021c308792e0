package dev.sfd.unlearn;

import dev.sfd.SfdException;

/**
 * A named, complete way to run Score Forgetting Distillation: the configuration of the run that forgets, where its
 * generator starts (the teacher, a stage 1 distilled first, or a given {@link Stage1}), how often it is evaluated
 * quickly and when it stops. The recipes here are the single source of defaults for the library, the command line and
 * the comparison table:
 *
 * <ul>
 *   <li>{@link #paper()}: the paper's EDM settings (SPEC-SFD 15.3), one stage from the teacher, fixed length.</li>
 *   <li>{@link #oneStage()}: the CPU recipe for small teachers, one stage from the teacher: 8 + 8 images per
 *       iteration, learning rate 5e-5, forget weight 0.1, an EMA with ramp-up 0.5; 150 planned iterations, continued
 *       until the plan is done (up to 400).</li>
 *   <li>{@link #twoStage(Stage1)}: SFD-Two-Stage from a finished plain distillation;
 *       stage 2 uses forget weight 0.3, a restarted EMA, and the output anchor {@link SfdConfig#keep} 1 that ties the
 *       remaining labels' images to stage 1's; 150 planned iterations, continued until the plan is done (up to 400).</li>
 *   <li>{@link #twoStage(long)}: the same, distilling stage 1 first for the given number of iterations.</li>
 *   <li>{@link #robust(Stage1)}: what {@code ./sfd demo} runs: {@link #twoStage(Stage1)} with each forgotten label's
 *       embedding tied to its override's ({@link SfdConfig#tieForgotten}), so that fine-tuning without the forgotten
 *       class cannot bring it back through its label; 50 planned iterations.</li>
 * </ul>
 *
 * Every recipe is immutable; the {@code with}-style methods return modified copies. {@link ForgetRun} runs one.
 */
public final class SfdRecipe {
    /** Planned iterations of the CPU recipes' forgetting run. */
    public static final long CPU_ITERATIONS = 150;
    /**
     * Planned iterations of the robust recipe's forgetting run: with the tie the forgotten label draws the override from
     * the first step, so stage 2 only has to settle the fake score network and the remaining classes; the stop rule
     * still continues a run whose quick evaluation shows the plan unfinished.
     */
    public static final long ROBUST_ITERATIONS = 50;
    /** The most iterations the CPU recipes' stop rule continues to. */
    public static final long CPU_MAX_ITERATIONS = 400;
    /** Forget weight of the CPU recipes' stage 2 (larger than stage 1's, as in the paper). */
    public static final double STAGE2_FORGET_WEIGHT = 0.3;
    /** Weight of the stage-2 output anchor to stage 1 ({@link SfdConfig#keep}). */
    public static final double STAGE2_KEEP = 1.0;
    /** Iterations between quick evaluations in the CPU recipes. */
    public static final int EVAL_EVERY = 50;
    /** Images per remaining class in a quick evaluation. */
    public static final int QUICK_PER_CLASS = 40;

    private final String name;
    private final SfdConfig config;
    private final long stage1Iterations;
    private final Stage1 stage1;
    private final int evalEvery;
    private final int quickPerClass;
    private final StopRule stopRule;

    private SfdRecipe(String name, SfdConfig config, long stage1Iterations, Stage1 stage1, int evalEvery, int quickPerClass, StopRule stopRule) {
        this.name = name;
        this.config = config;
        this.stage1Iterations = stage1Iterations;
        this.stage1 = stage1;
        this.evalEvery = evalEvery;
        this.quickPerClass = quickPerClass;
        this.stopRule = stopRule;
    }

    /** The paper's EDM backbone settings ({@link SfdConfig#paperEdm()}): one stage from the teacher, fixed length, no quick evaluations. */
    public static SfdRecipe paper() {
        return new SfdRecipe("SFD (paper settings)", SfdConfig.paperEdm(), 0, null, 0, QUICK_PER_CLASS, StopRule.fixedLength());
    }

    /** The CPU recipe, one stage from the teacher (see the class comment). */
    public static SfdRecipe oneStage() {
        return new SfdRecipe("SFD (one stage from the teacher)", SfdConfig.defaults().iterations(CPU_ITERATIONS), 0, null, EVAL_EVERY,
                QUICK_PER_CLASS, StopRule.forgotten(CPU_MAX_ITERATIONS));
    }

    /** The demo's recipe: SFD-Two-Stage from a finished stage 1 (see the class comment). */
    public static SfdRecipe twoStage(Stage1 stage1) {
        if (stage1 == null) throw new SfdException("SfdRecipe.twoStage: stage 1 is null (use twoStage(iterations) to distil one first)");
        return new SfdRecipe("SFD-Two-Stage from a given stage 1", stage2Config().sigmaInit(stage1.generator().sigmaInit()), 0, stage1,
                EVAL_EVERY, QUICK_PER_CLASS, StopRule.forgotten(CPU_MAX_ITERATIONS));
    }

    /** SFD-Two-Stage that first distils stage 1 from the teacher for {@code stage1Iterations} (forget weight 0), then forgets as {@link #twoStage(Stage1)}. */
    public static SfdRecipe twoStage(long stage1Iterations) {
        if (stage1Iterations <= 0) throw new dev.sfd.ConfigException("SfdRecipe.twoStage: stage 1 needs >= 1 iteration, got " + stage1Iterations);
        return new SfdRecipe("SFD-Two-Stage (" + stage1Iterations + " stage-1 iterations)", stage2Config(), stage1Iterations, null,
                EVAL_EVERY, QUICK_PER_CLASS, StopRule.forgotten(CPU_MAX_ITERATIONS));
    }

    /** {@link #twoStage(Stage1)} with {@link SfdConfig#tieForgotten} on (needs a network with a linear label embedding). */
    public static SfdRecipe robust(Stage1 stage1) {
        SfdRecipe r = twoStage(stage1);
        return new SfdRecipe("SFD-Two-Stage with tied labels (robust) from a given stage 1",
                r.config.tieForgotten(true).iterations(ROBUST_ITERATIONS), 0, stage1, r.evalEvery, r.quickPerClass, r.stopRule);
    }

    private static SfdConfig stage2Config() {
        return SfdConfig.defaults().iterations(CPU_ITERATIONS).forgetWeight(STAGE2_FORGET_WEIGHT).keep(STAGE2_KEEP);
    }

    /** A name for reports, e.g. {@code SFD-Two-Stage from a given stage 1}. */
    public String name() { return name; }

    /** Configuration of the run that forgets (the one stage, or stage 2). */
    public SfdConfig config() { return config; }

    /**
     * Configuration of a stage 1 distilled by this recipe: the forgetting run's configuration without forgetting, the
     * output anchor, a preset sigma_init or an override mode (stage 1 forgets nothing, so it is the same stage 1 for every
     * override mode), for {@link #stage1Iterations()} iterations.
     */
    public SfdConfig stage1Config() {
        if (stage1Iterations <= 0) throw new SfdException("recipe '" + name + "' distils no stage 1");
        SfdConfig defaults = SfdConfig.defaults();
        return config.iterations(stage1Iterations).forgetWeight(0).keep(0).sigmaInit(defaults.sigmaInit()).overrideMode(OverrideMode.FIXED);
    }

    /** Iterations of the stage 1 this recipe distils first (0 = none). */
    public long stage1Iterations() { return stage1Iterations; }

    /** The given stage 1 the forgetting starts from, or null. */
    public Stage1 stage1() { return stage1; }

    /** Iterations between quick evaluations (0 = none). */
    public int evalEvery() { return evalEvery; }

    /** Images per remaining class in a quick evaluation (for judges that take a count). */
    public int quickPerClass() { return quickPerClass; }

    /** The stop rule a run of this recipe starts with (a fresh copy). */
    public StopRule stopRule() { return stopRule.fresh(); }

    /** The same recipe with another configuration of the forgetting run (e.g. {@code r.config(r.config().seed(8))}). */
    public SfdRecipe config(SfdConfig c) {
        if (c == null) throw new SfdException("SfdRecipe: configuration is null");
        return new SfdRecipe(name, c, stage1Iterations, stage1, evalEvery, quickPerClass, stopRule);
    }

    /** Shorthand for {@code config(config().seed(s))}. */
    public SfdRecipe seed(long s) { return config(config.seed(s)); }

    /** Shorthand for {@code config(config().iterations(n))}: planned iterations of the forgetting run. */
    public SfdRecipe iterations(long n) { return config(config.iterations(n)); }

    /** The same recipe with quick evaluations every {@code n} iterations (0 = none, which needs a rule that does not extend). */
    public SfdRecipe evalEvery(int n) {
        if (n < 0) throw new SfdException("SfdRecipe: evaluation interval must be >= 0 (0 = none), got " + n);
        return new SfdRecipe(name, config, stage1Iterations, stage1, n, quickPerClass, stopRule);
    }

    /** The same recipe with {@code n} images per remaining class in quick evaluations. */
    public SfdRecipe quickPerClass(int n) {
        if (n < 1) throw new SfdException("SfdRecipe: quick evaluations need >= 1 image per class, got " + n);
        return new SfdRecipe(name, config, stage1Iterations, stage1, evalEvery, n, stopRule);
    }

    /** The same recipe with another stop rule. */
    public SfdRecipe stopRule(StopRule rule) {
        if (rule == null) throw new SfdException("SfdRecipe: stop rule is null");
        return new SfdRecipe(name, config, stage1Iterations, stage1, evalEvery, quickPerClass, rule);
    }

    /** Throws unless the stop rule can get the quick evaluations it needs. */
    public void validate() {
        if (stopRule.canExtend(config.iterations()) && evalEvery <= 0) {
            throw new SfdException("recipe '" + name + "': the stop rule continues past " + config.iterations()
                    + " iterations, which needs quick evaluations (evaluation interval > 0)");
        }
    }

    @Override
    public String toString() { return name + " " + config.toMap(); }
}
