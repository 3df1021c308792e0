package dev.sfd.unlearn;

import dev.sfd.SfdException;
import dev.sfd.eval.Figures;

/**
 * Quick evaluation of a generator during a forgetting run, which the {@link StopRule} decides on. sfd-core knows no
 * classifier or dataset: an implementation (for example sfd-models' Fashion-MNIST evaluator) draws a few images per
 * class, classifies them and returns at least UA and the override share. Must not change the generator, and should be
 * deterministic (fixed latents), so that a resumed run decides as the uninterrupted one did.
 */
@FunctionalInterface
public interface Judge {
    /** The figures of a run with fixed override classes ({@link OverrideMode#FIXED}). */
    Figures judge(OneStepGenerator generator, ForgetPlan plan);

    /**
     * The figures of a run in override mode {@code mode} ({@link Figures#overrideMode()} must be {@code mode}). A judge
     * that only knows fixed override classes refuses the other modes; sfd-models' evaluator implements all of them.
     */
    default Figures judge(OneStepGenerator generator, ForgetPlan plan, OverrideMode mode) {
        if (!mode.fixed()) {
            throw new SfdException("this judge only evaluates fixed override classes, not override mode " + mode.id()
                    + " (implement Judge.judge(generator, plan, mode), as the Evaluator's quickJudge does)");
        }
        return judge(generator, plan);
    }
}
