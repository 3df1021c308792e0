package dev.sfd.models.train;


/**
 * Hyper-parameters of EDM teacher training (SPEC-EDM section 2; CPU recipe SPEC-SFD section 16).
 *
 * @param iterations     total optimiser steps
 * @param batch          images per step
 * @param lr             Adam learning rate after warm-up
 * @param warmupImages   linear learning-rate ramp over this many images (0 = none)
 * @param emaHalfLifeImages EMA half-life in images
 * @param emaRampup      EMA ramp-up ratio (half-life = min(halfLife, imagesSeen * ratio)); 0 disables
 * @param seed           seed of the Philox stream (batches, sigma, noise, dropout)
 * @param checkpointEvery steps between checkpoints
 */
public record TeacherConfig(long iterations, int batch, double lr, long warmupImages, double emaHalfLifeImages,
                            double emaRampup, long seed, long checkpointEvery) {
    public TeacherConfig {
        dev.sfd.ConfigException.requirePositive("training iterations", iterations);
        dev.sfd.ConfigException.requirePositive("training batch", batch);
        dev.sfd.ConfigException.requirePositive("training learning rate", lr);
        dev.sfd.ConfigException.requirePositive("checkpoint interval", checkpointEvery);
    }

    /** The CPU recipe: batch 64, lr 1e-3 with a 5% warm-up, EMA half-life 100k images with ramp-up 0.05. */
    public static TeacherConfig cpuRecipe(long iterations) {
        return new TeacherConfig(iterations, 64, 1e-3, Math.max(1, iterations * 64 / 20), 100_000, 0.05, 1, 200);
    }
}
