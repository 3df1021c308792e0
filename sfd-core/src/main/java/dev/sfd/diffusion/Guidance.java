package dev.sfd.diffusion;

import dev.sfd.SfdException;
import dev.sfd.ops.Ops;
import dev.sfd.tensor.Tensor;

/**
 * Classifier-free guidance (SPEC-EDM section 6): {@code D_w = D_u + w (D_c - D_u)}, with the unconditional
 * branch given all-zero labels. {@code w = 1} is the plain conditional denoiser (one network call);
 * otherwise the conditional and unconditional halves run as one batch of 2N. Stored as {@code w}; the DDPM
 * code's scale s corresponds to {@code w = 1 + s}.
 */
public final class Guidance {
    private Guidance() {}

    public static Denoiser of(ScoreNetwork net, double w) {
        if (w < 0 || Double.isNaN(w)) throw new SfdException("guidance weight must be >= 0, got " + w);
        if (w == 1.0) return net::denoise;
        return (x, sigma, labels) -> {
            if (labels == null) throw new SfdException("guidance needs class labels (the unconditional branch is the zero label)");
            int n = x.dim(0);
            Tensor xx = Ops.concat(0, x, x);
            Tensor ss = Ops.concat(0, sigma, sigma);
            Tensor ll = Ops.concat(0, labels, Tensor.zeros(labels.backend(), labels.dtype(), labels.shape()));
            Tensor d = net.denoise(xx, ss, ll);
            Tensor dc = Ops.narrow(d, 0, 0, n), du = Ops.narrow(d, 0, n, n);
            return Ops.add(du, Ops.mulScalar(Ops.sub(dc, du), w));
        };
    }
}
