package dev.sfd.unlearn;

import dev.sfd.SfdException;
import dev.sfd.eval.Figures;

/**
 * When a forgetting run stops. A run first trains its planned iterations ({@link SfdConfig#iterations()}); then
 * {@link #decide} is asked at every quick evaluation. {@link #fixedLength()} stops at the planned length.
 * {@link #forgotten(long)} continues until the plan is done (UA &gt;= {@value #FORGOTTEN_UA} and override share
 * &gt;= {@value #FORGOTTEN_OVERRIDE} on the quick evaluation; in random and classifier override modes the share drawn as
 * any remaining class, {@link Figures#overrideShare()}), until {@value #PATIENCE} evaluations in a row bring no
 * gain in UA + override share (a plateau), or until a maximum number of iterations. Every decision carries an outcome
 * and a reason, which reports store.
 *
 * <p>A rule keeps the plateau state of one run: use a fresh one per run ({@link #fresh()}).
 */
public final class StopRule {
    /** Quick-evaluation thresholds at which a plan counts as done: the product's ({@link dev.sfd.eval.Bar#PRODUCT}). */
    public static final double FORGOTTEN_UA = dev.sfd.eval.Bar.UA, FORGOTTEN_OVERRIDE = dev.sfd.eval.Bar.OVERRIDE;
    /** Quick evaluations without gain after which {@link #forgotten(long)} stops at a plateau. */
    public static final int PATIENCE = 2;

    /** What a decision says. */
    public enum Outcome {
        /** Keep training to the next evaluation. */
        CONTINUE,
        /** The planned iterations are done and the rule does not extend runs (or the plan forgets nothing). */
        PLANNED_LENGTH,
        /** The quick evaluation shows the plan done. */
        FORGOTTEN,
        /** No gain over the last evaluations. */
        PLATEAU,
        /** The maximum number of iterations is reached. */
        MAX_ITERATIONS,
        /** {@link ForgetRun#cancel()} was called. */
        CANCELLED
    }

    /** A decision at {@code step}: stop or continue, and why. */
    public record Decision(long step, Outcome outcome, String reason) {
        public boolean stop() { return outcome != Outcome.CONTINUE; }
    }

    private final long maxIterations;
    private final double minUa, minOverride;
    private final int patience;
    private double best = Double.NEGATIVE_INFINITY;
    private int stale;

    private StopRule(long maxIterations, double minUa, double minOverride, int patience) {
        if (maxIterations < 0) throw new SfdException("StopRule: max iterations must be >= 0 (0 = the planned length), got " + maxIterations);
        if (patience < 1) throw new SfdException("StopRule: patience must be >= 1 evaluation, got " + patience);
        if (!(minUa >= 0 && minUa <= 1) || !(minOverride >= 0 && minOverride <= 1)) {
            throw new SfdException("StopRule: thresholds are shares in [0, 1], got UA " + minUa + ", override " + minOverride);
        }
        this.maxIterations = maxIterations;
        this.minUa = minUa;
        this.minOverride = minOverride;
        this.patience = patience;
    }

    /** Stops at the planned iterations; needs no quick evaluation. */
    public static StopRule fixedLength() { return new StopRule(0, FORGOTTEN_UA, FORGOTTEN_OVERRIDE, PATIENCE); }

    /** Continues past the planned iterations until the plan is done, a plateau, or {@code maxIterations} (0 = the planned length). */
    public static StopRule forgotten(long maxIterations) { return new StopRule(maxIterations, FORGOTTEN_UA, FORGOTTEN_OVERRIDE, PATIENCE); }

    /** The same rule with other thresholds. */
    public StopRule thresholds(double ua, double overrideShare) { return new StopRule(maxIterations, ua, overrideShare, patience); }

    /** The same rule with another plateau patience. */
    public StopRule patience(int evaluations) { return new StopRule(maxIterations, minUa, minOverride, evaluations); }

    /** The same rule with its plateau state reset (one rule object per run). */
    public StopRule fresh() { return new StopRule(maxIterations, minUa, minOverride, patience); }

    /** The most iterations a run may reach under this rule, given its planned iterations. */
    public long maxIterations(long planned) { return Math.max(planned, maxIterations); }

    /** Whether this rule may continue a run of {@code planned} iterations (then it needs quick evaluations). */
    public boolean canExtend(long planned) { return maxIterations > planned; }

    /**
     * Whether quick figures {@code candidate} are better than {@code best} (null = none yet) by this rule's measure: a
     * plan done ({@link Figures#forgotten} at the rule's thresholds) beats one not done, then the larger UA + override
     * share wins; a tie is no improvement. {@link ForgetRun} keeps the weights of the best evaluation by this order.
     */
    public boolean improves(Figures candidate, Figures best) {
        if (candidate == null) return false;
        if (best == null) return true;
        boolean c = candidate.forgotten(minUa, minOverride), b = best.forgotten(minUa, minOverride);
        if (c != b) return c;
        double pc = candidate.ua() + candidate.overrideShare(), pb = best.ua() + best.overrideShare();
        if (Double.isNaN(pb)) return !Double.isNaN(pc);
        return pc > pb + 1e-9;
    }

    /** Whether {@code quick} shows the plan done at this rule's thresholds. */
    public boolean done(Figures quick) { return quick != null && quick.forgotten(minUa, minOverride); }

    /**
     * The decision at {@code step} (at or past the planned iterations) from the quick evaluation there; {@code quick}
     * may be null when the rule cannot continue anyway.
     */
    public Decision decide(long step, long planned, Figures quick) {
        long max = maxIterations(planned);
        if (!canExtend(planned)) return new Decision(step, Outcome.PLANNED_LENGTH, "planned length of " + planned + " iterations reached");
        if (quick == null) throw new SfdException("StopRule: a decision past the planned length needs a quick evaluation at step " + step);
        String figures = String.format("UA %.3f, %s %.3f", quick.ua(), quick.overrideShareName(), quick.overrideShare());
        if (quick.forgotten(minUa, minOverride)) {
            return new Decision(step, Outcome.FORGOTTEN, "plan done at iteration " + step + " (" + figures + ")");
        }
        if (step >= max) {
            return new Decision(step, Outcome.MAX_ITERATIONS, "plan not done at iteration " + step + " (" + figures + "); maximum " + max + " reached");
        }
        double progress = quick.ua() + quick.overrideShare();
        if (progress > best + 1e-9) {
            best = progress;
            stale = 0;
        } else if (++stale >= patience) {
            return new Decision(step, Outcome.PLATEAU, "plan not done at iteration " + step + " (" + figures + ") and no gain over "
                    + patience + " evaluations");
        }
        return new Decision(step, Outcome.CONTINUE, "plan not done at iteration " + step + " (" + figures + "); continuing (maximum " + max + ")");
    }
}
