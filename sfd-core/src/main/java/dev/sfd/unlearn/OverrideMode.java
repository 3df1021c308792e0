package dev.sfd.unlearn;

import dev.sfd.ConfigException;
import java.util.Locale;

/**
 * Which teacher label the forget branch of Score Forgetting Distillation uses for a sample of a forgotten label
 * (Chen, Zhang, Zhou, "Score Forgetting Distillation", ICLR 2025, section 3: the generator and fake score network see the
 * forgotten label {@code c_f}, the teacher sees an override label; the released code offers the three choices below).
 * Set with {@link SfdConfig#overrideMode}.
 */
public enum OverrideMode {
    /** The plan's override class of each forgotten class ({@link ForgetPlan#overrideOf}); the paper's experiments. */
    FIXED,
    /**
     * A remaining class drawn uniformly and independently for every forgotten sample of every iteration from the run's
     * random stream (so a resumed run draws the same labels): the forgotten label is distilled towards the mixture of the
     * remaining classes. The plan's override classes are not used.
     */
    RANDOM,
    /**
     * Classifier-guided pseudo-labels: for every forgotten sample, the classifier ({@link OverrideClassifier}) judges the
     * fake score network's denoised estimate of the noisy generator sample (given the forgotten label), and the teacher
     * is given the remaining class with the highest logit (forgotten classes are masked out): the forgotten label is
     * distilled towards whichever remaining class each of its samples already resembles. The plan's override classes are
     * not used.
     */
    CLASSIFIER;

    /** The lower-case name used on the command line and in reports. */
    public String id() { return name().toLowerCase(Locale.ROOT); }

    /** Whether each forgotten class goes to its plan's fixed override class. */
    public boolean fixed() { return this == FIXED; }

    /** Parses {@code fixed}, {@code random} or {@code classifier} (any case); names the allowed values otherwise. */
    public static OverrideMode parse(String s) {
        if (s != null) {
            for (OverrideMode m : values()) if (m.id().equalsIgnoreCase(s.trim())) return m;
        }
        throw new ConfigException("override mode '" + s + "' is not one of fixed, random, classifier");
    }
}
