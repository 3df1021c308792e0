package dev.sfd.unlearn;

import dev.sfd.eval.Figures;

/**
 * Quick evaluation of a generator during a forgetting run, which the {@link StopRule} decides on. sfd-core knows no
 * classifier or dataset: an implementation (for example sfd-models' Fashion-MNIST evaluator) draws a few images per
 * class, classifies them and returns at least UA and the override share. Must not change the generator, and should be
 * deterministic (fixed latents), so that a resumed run decides as the uninterrupted one did.
 */
@FunctionalInterface
public interface Judge {
    Figures judge(OneStepGenerator generator, ForgetPlan plan);
}
