package dev.sfd.diffusion;

import dev.sfd.nn.Module;
import dev.sfd.tensor.Tensor;

/**
 * A class-conditional denoiser {@code D(x; sigma, y)} (SPEC-EDM section 1): the expected clean image given a
 * noisy image {@code x} [N, C, H, W] at noise levels {@code sigma} [N] and one-hot labels {@code y}
 * [N, labelDim] (null or all-zero rows = unconditional). Teacher, fake score network and one-step generator
 * in SFD are all ScoreNetworks of the same architecture.
 */
public abstract class ScoreNetwork extends Module implements Denoiser {

    /** The denoiser output, same shape as x. */
    @Override
    public abstract Tensor denoise(Tensor x, Tensor sigma, Tensor labels);

    /** Number of classes (0 for an unconditional network). */
    public abstract int labelDim();

    /** [C, H, W] of one image. */
    public abstract int[] imageShape();

    /**
     * Where the one-hot label enters linearly, or null when it does not (unconditional networks, or a label path that
     * is not a linear map of the one-hot vector). Unlearning uses it to tie a forgotten label to another one
     * ({@link dev.sfd.unlearn.LabelTie}).
     */
    public LabelEmbedding labelEmbedding() { return null; }

    /** A new network of the same architecture and configuration, holding a copy of this one's weights. */
    public abstract ScoreNetwork copy();

    /** Architecture metadata stored with saved weights (see {@link NoiseNet#metadata()}). */
    public java.util.Map<String, String> metadata() { return java.util.Map.of(); }

    /** Short text describing the architecture (for reports and model cards). */
    public String describe() { return getClass().getSimpleName(); }
}
