package dev.sfd.diffusion;

import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;

/**
 * EDM's denoising loss (SPEC-EDM section 2): ln sigma ~ N(P_mean, P_std^2),
 * {@code lambda = (sigma^2 + sd^2) / (sigma sd)^2}, {@code loss_i = lambda ||D(y + sigma n; sigma, label) - y||^2}.
 */
public final class EdmLoss {
    public static final double P_MEAN = -1.2;
    public static final double P_STD = 1.2;
    private final double pMean;
    private final double pStd;

    public EdmLoss() { this(P_MEAN, P_STD); }

    public EdmLoss(double pMean, double pStd) {
        this.pMean = pMean;
        this.pStd = pStd;
    }

    /** Draws sigma per sample from the log-normal. */
    public double[] sampleSigma(RandomStream rng, int n) {
        Tensor z = Ops.randn(dev.sfd.backend.Backends.current(), DType.FLOAT64, rng.seed(), rng.next(n), n);
        double[] s = z.toDoubleArray();
        for (int i = 0; i < n; i++) s[i] = Math.exp(pMean + pStd * s[i]);
        return s;
    }

    /** Per-sample loss [N] (summed over pixels) with noise and sigma drawn from {@code rng}. */
    public Tensor perSample(Denoiser net, Tensor images, Tensor labels, RandomStream rng) {
        int n = images.dim(0);
        double[] sigma = sampleSigma(rng, n);
        Tensor noise = Ops.randn(images.backend(), images.dtype(), rng.seed(), rng.next(images.numel()), images.shape());
        return perSample(net, images, labels, noise, sigma);
    }

    /** Per-sample loss [N] for given unit noise and sigmas (deterministic; used by fixtures and tests). */
    public Tensor perSample(Denoiser net, Tensor images, Tensor labels, Tensor unitNoise, double[] sigma) {
        int n = images.dim(0);
        double[] weight = new double[n];
        double sd2 = EdmPrecond.SIGMA_DATA * EdmPrecond.SIGMA_DATA;
        for (int i = 0; i < n; i++) weight[i] = (sigma[i] * sigma[i] + sd2) / (sigma[i] * sigma[i] * sd2);
        DType dt = images.dtype();
        Tensor sig = EdmPrecond.vec(sigma, dt);
        Tensor noisy = Ops.add(images, Ops.mul(unitNoise, EdmPrecond.col(sigma, dt)));
        Tensor d = net.denoise(noisy, sig, labels);
        Tensor err = Ops.square(Ops.sub(d, images));
        Tensor perSample = Ops.sum(err, new int[] {1, 2, 3}, false);
        return Ops.mul(perSample, EdmPrecond.vec(weight, dt));
    }
}
