package dev.sfd.diffusion;

import dev.sfd.tensor.Tensor;

/** Anything that maps (x, sigma, labels) to a denoised x: a {@link ScoreNetwork} or a guided combination. */
@FunctionalInterface
public interface Denoiser {
    Tensor denoise(Tensor x, Tensor sigma, Tensor labels);
}
