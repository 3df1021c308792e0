package dev.sfd.unlearn;

import dev.sfd.diffusion.ScoreNetwork;

/**
 * A finished plain distillation, stage 1 of SFD-Two-Stage (SPEC-SFD 10.2): the one-step generator and the fake score
 * network it was trained against; stage 2 starts from both.
 */
public record Stage1(OneStepGenerator generator, ScoreNetwork fake) {
    public Stage1 {
        if (generator == null || fake == null) throw new dev.sfd.SfdException("a stage 1 needs both its generator and its fake score network");
    }
}
