package dev.sfd.diffusion;

import dev.sfd.nn.Module;
import dev.sfd.tensor.Tensor;

/** The raw network {@code F(x_in, c_noise, y)} that {@link EdmPrecond} wraps (SongUNet, an MLP, ...). */
public abstract class NoiseNet extends Module {
    /** x [N, C, H, W] (already scaled by c_in), cNoise [N], labels [N, labelDim] or null. */
    public abstract Tensor forward(Tensor x, Tensor cNoise, Tensor labels);

    public abstract int labelDim();

    public abstract int[] imageShape();

    /** Where the one-hot label enters linearly, or null (see {@link ScoreNetwork#labelEmbedding()}). */
    public LabelEmbedding labelEmbedding() { return null; }

    /** Architecture description stored with saved weights so a loader can rebuild the network. */
    public java.util.Map<String, String> metadata() { return java.util.Map.of(); }

    /** A fresh network with the same configuration (weights are copied by the caller). */
    public abstract NoiseNet newInstance();
}
