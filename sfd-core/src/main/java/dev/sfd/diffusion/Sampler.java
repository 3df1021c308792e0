package dev.sfd.diffusion;

import dev.sfd.SfdException;
import dev.sfd.autograd.Grad;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;

/**
 * EDM samplers (SPEC-EDM section 4): deterministic Heun (Algorithm 1), Euler, and Heun with stochastic churn
 * (Algorithm 2). The trajectory is kept in FLOAT64; the network runs in its own dtype.
 */
public final class Sampler {
    public enum Kind { EULER, HEUN }

    private final Kind kind;
    private final int steps;
    private final double sigmaMin;
    private final double sigmaMax;
    private final double rho;
    private double sChurn;
    private double sMin;
    private double sMax = Double.POSITIVE_INFINITY;
    private double sNoise = 1.0;

    public Sampler(Kind kind, int steps) { this(kind, steps, Sigmas.SIGMA_MIN, Sigmas.SIGMA_MAX, Sigmas.RHO); }

    public Sampler(Kind kind, int steps, double sigmaMin, double sigmaMax, double rho) {
        if (steps < 1) throw new SfdException("sampler steps must be >= 1, got " + steps);
        this.kind = kind;
        this.steps = steps;
        this.sigmaMin = sigmaMin;
        this.sigmaMax = sigmaMax;
        this.rho = rho;
    }

    public static Sampler heun(int steps) { return new Sampler(Kind.HEUN, steps); }

    public static Sampler euler(int steps) { return new Sampler(Kind.EULER, steps); }

    /** Enables stochastic churn (EDM Algorithm 2); S_churn = 0 restores the deterministic sampler. */
    public Sampler churn(double sChurn, double sMin, double sMax, double sNoise) {
        this.sChurn = sChurn;
        this.sMin = sMin;
        this.sMax = sMax;
        this.sNoise = sNoise;
        return this;
    }

    /** Network evaluations per image: 2N - 1 for Heun, N for Euler. */
    public int nfe() { return kind == Kind.HEUN ? 2 * steps - 1 : steps; }

    public double[] timeSteps() { return Sigmas.karras(steps, sigmaMin, sigmaMax, rho); }

    /**
     * Runs the sampler from unit-normal {@code latents} [N, C, H, W]; {@code rng} is needed only with churn.
     * Returns FLOAT32 images (the network's dtype).
     */
    public Tensor sample(Denoiser d, Tensor latents, Tensor labels, RandomStream rng) {
        return sample(d, latents, labels, rng, steps);
    }

    /** Like {@link #sample} but stops after {@code upTo} steps (for fixtures and trajectory tests). */
    public Tensor sample(Denoiser d, Tensor latents, Tensor labels, RandomStream rng, int upTo) {
        try (var g = Grad.disabled()) {
            DType netType = latents.dtype();
            double[] t = timeSteps();
            int n = latents.dim(0);
            Tensor x = Ops.mulScalar(latents.to(DType.FLOAT64), t[0]);
            for (int i = 0; i < upTo; i++) {
                double tCur = t[i], tNext = t[i + 1];
                double gamma = (sChurn > 0 && tCur >= sMin && tCur <= sMax) ? Math.min(sChurn / steps, Math.sqrt(2) - 1) : 0;
                double tHat = tCur + gamma * tCur;
                if (gamma > 0) {
                    if (rng == null) throw new SfdException("stochastic churn needs a random stream");
                    Tensor eps = Ops.randn(x.backend(), DType.FLOAT64, rng.seed(), rng.next(x.numel()), x.shape());
                    x = Ops.add(x, Ops.mulScalar(eps, Math.sqrt(tHat * tHat - tCur * tCur) * sNoise));
                }
                Tensor dCur = slope(d, x, tHat, labels, netType, n);
                Tensor xNext = Ops.add(x, Ops.mulScalar(dCur, tNext - tHat));
                if (kind == Kind.HEUN && i < steps - 1) {
                    Tensor dPrime = slope(d, xNext, tNext, labels, netType, n);
                    xNext = Ops.add(x, Ops.mulScalar(Ops.add(dCur, dPrime), 0.5 * (tNext - tHat)));
                }
                x = xNext;
            }
            return x.to(netType);
        }
    }

    /** (x - D(x; t)) / t in FLOAT64. */
    private static Tensor slope(Denoiser d, Tensor x, double t, Tensor labels, DType netType, int n) {
        double[] s = new double[n];
        java.util.Arrays.fill(s, t);
        Tensor denoised = d.denoise(x.to(netType), Tensor.of(s, n).to(netType), labels).to(DType.FLOAT64);
        return Ops.mulScalar(Ops.sub(x, denoised), 1.0 / t);
    }
}
