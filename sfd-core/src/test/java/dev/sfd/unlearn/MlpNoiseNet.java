package dev.sfd.unlearn;

import dev.sfd.diffusion.LabelEmbedding;
import dev.sfd.diffusion.NoiseNet;
import dev.sfd.nn.Linear;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;

/** A small MLP F(x_in, c_noise, y) for 2-D points stored as [N, 2, 1, 1]. */
final class MlpNoiseNet extends NoiseNet {
    private final int classes;
    private final int hidden;
    private final Linear l0;
    private final Linear l1;
    private final Linear l2;
    private final Linear out;

    MlpNoiseNet(int classes, int hidden, long seed) {
        this.classes = classes;
        this.hidden = hidden;
        RandomStream rng = new RandomStream(seed);
        l0 = register("l0", new Linear(2 + classes + 2, hidden, true, 1.0, rng, DType.FLOAT32));
        l1 = register("l1", new Linear(hidden, hidden, true, 1.0, rng, DType.FLOAT32));
        l2 = register("l2", new Linear(hidden, hidden, true, 1.0, rng, DType.FLOAT32));
        out = register("out", new Linear(hidden, 2, true, 0.1, rng, DType.FLOAT32));
    }

    @Override
    public Tensor forward(Tensor x, Tensor cNoise, Tensor labels) {
        int n = x.dim(0);
        Tensor c = Ops.reshape(cNoise, n, 1);
        Tensor h = Ops.concat(1, Ops.reshape(x, n, 2), labels, Ops.sin(c), Ops.cos(c));
        h = Ops.silu(l0.forward(h));
        h = Ops.silu(l1.forward(h));
        h = Ops.silu(l2.forward(h));
        return Ops.reshape(out.forward(h), n, 2, 1, 1);
    }

    @Override
    public int labelDim() { return classes; }

    /** The labels are input features 2 .. 2 + classes of the first layer. */
    @Override
    public LabelEmbedding labelEmbedding() { return new LabelEmbedding(l0.weight(), 2, classes); }

    @Override
    public int[] imageShape() { return new int[] {2, 1, 1}; }

    @Override
    public NoiseNet newInstance() { return new MlpNoiseNet(classes, hidden, 0); }
}
