package dev.sfd.nn;

import dev.sfd.ops.Ops;
import dev.sfd.tensor.Tensor;

/** Scaled dot-product attention composed from matmul and softmax (no learned weights). */
public final class Attention {
    private Attention() {}

    /**
     * Single-head attention over positions: q, k, v are [N, C, L] (channels first, as in SongUNet);
     * w[n,i,j] = softmax_j(sum_c q[n,c,i] k[n,c,j] / sqrt(C)); returns a[n,c,i] = sum_j w[n,i,j] v[n,c,j].
     */
    public static Tensor channelsFirst(Tensor q, Tensor k, Tensor v) {
        int c = q.dim(1);
        Tensor logits = Ops.matmul(Ops.transpose(q, 1, 2), k);                 // [N, L, L]
        Tensor w = Ops.softmax(Ops.mulScalar(logits, 1.0 / Math.sqrt(c)));
        return Ops.matmul(v, Ops.transpose(w, 1, 2));                          // [N, C, L]
    }
}
