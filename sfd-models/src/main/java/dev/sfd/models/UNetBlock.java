package dev.sfd.models;

import dev.sfd.nn.Attention;
import dev.sfd.nn.Conv2d;
import dev.sfd.nn.GroupNorm;
import dev.sfd.nn.Linear;
import dev.sfd.nn.Module;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;

/**
 * SongUNet's residual block with optional up/down sampling and self-attention (SPEC-EDM section 5.4).
 * Submodules are registered in EDM's order so state-dict names and order match PyTorch.
 */
final class UNetBlock extends Module {
    private static final double SKIP_SCALE = Math.sqrt(0.5);
    private static final double INIT_ZERO = 1e-5;
    private static final double INIT_ATTN = Math.sqrt(0.2);

    final int inChannels;
    final int outChannels;
    private final GroupNorm norm0;
    private final Conv2d conv0;
    private final Linear affine;
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Conv2d skip;
    private final GroupNorm norm2;
    private final Conv2d qkv;
    private final Conv2d proj;
    private final double dropoutP;

    UNetBlock(int cin, int cout, int embChannels, boolean up, boolean down, boolean attention, double dropoutP, RandomStream rng, DType dt) {
        this.inChannels = cin;
        this.outChannels = cout;
        norm0 = register("norm0", GroupNorm.edm(cin, dt));
        conv0 = register("conv0", new Conv2d(cin, cout, 3, true, up, down, 1.0, rng, dt));
        affine = register("affine", new Linear(embChannels, cout, true, 1.0, rng, dt));
        norm1 = register("norm1", GroupNorm.edm(cout, dt));
        conv1 = register("conv1", new Conv2d(cout, cout, 3, true, false, false, INIT_ZERO, rng, dt));
        skip = (cout != cin || up || down) ? register("skip", new Conv2d(cin, cout, 1, true, up, down, 1.0, rng, dt)) : null;
        if (attention) {
            norm2 = register("norm2", GroupNorm.edm(cout, dt));
            qkv = register("qkv", new Conv2d(cout, cout * 3, 1, true, false, false, INIT_ATTN, rng, dt));
            proj = register("proj", new Conv2d(cout, cout, 1, true, false, false, INIT_ZERO, rng, dt));
        } else {
            norm2 = null;
            qkv = null;
            proj = null;
        }
        this.dropoutP = dropoutP;
    }

    Tensor forward(Tensor x, Tensor emb) {
        Tensor orig = x;
        Tensor h = conv0.forward(norm0.forwardSilu(x));
        Tensor a = affine.forward(emb);                                   // [N, cout]
        h = norm1.forwardSilu(Ops.add(h, Ops.reshape(a, a.dim(0), a.dim(1), 1, 1)));
        if (dropoutP > 0 && isTraining()) {
            h = Ops.dropout(h, dropoutP, random().seed(), random().next(h.numel()));
        }
        h = conv1.forward(h);
        h = Ops.mulScalar(Ops.add(h, skip != null ? skip.forward(orig) : orig), SKIP_SCALE);
        if (qkv != null) {
            int n = h.dim(0), c = h.dim(1), hh = h.dim(2), ww = h.dim(3);
            Tensor t = Ops.reshape(qkv.forward(norm2.forward(h)), n, c, 3, hh * ww);   // interleaved q/k/v channels
            Tensor q = Ops.reshape(Ops.narrow(t, 2, 0, 1), n, c, hh * ww);
            Tensor k = Ops.reshape(Ops.narrow(t, 2, 1, 1), n, c, hh * ww);
            Tensor v = Ops.reshape(Ops.narrow(t, 2, 2, 1), n, c, hh * ww);
            Tensor att = Attention.channelsFirst(q, k, v);
            h = Ops.mulScalar(Ops.add(proj.forward(Ops.reshape(att, n, c, hh, ww)), h), SKIP_SCALE);
        }
        return h;
    }
}
