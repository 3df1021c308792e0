package dev.sfd.diffusion;

import dev.sfd.SfdException;

/** Noise-level schedules of EDM (SPEC-EDM section 3). */
public final class Sigmas {
    public static final double SIGMA_MIN = 0.002;
    public static final double SIGMA_MAX = 80.0;
    public static final double RHO = 7.0;

    private Sigmas() {}

    /**
     * The rho-interpolation {@code (min^(1/rho) + u (max^(1/rho) - min^(1/rho)))^rho}: u = 0 gives min, u = 1
     * gives max. Used with u ~ U(0, 0.8) for the SiD/SFD generator loss (SPEC-SFD section 7).
     */
    public static double rhoInterp(double u, double sigmaMin, double sigmaMax, double rho) {
        double a = Math.pow(sigmaMin, 1 / rho), b = Math.pow(sigmaMax, 1 / rho);
        return Math.pow(a + u * (b - a), rho);
    }

    /** EDM's sampling grid: n levels from sigmaMax down to sigmaMin, then a final 0 (length n + 1). */
    public static double[] karras(int n, double sigmaMin, double sigmaMax, double rho) {
        if (n < 1) throw new SfdException("sampler needs at least 1 step, got " + n);
        double[] t = new double[n + 1];
        double a = Math.pow(sigmaMax, 1 / rho), b = Math.pow(sigmaMin, 1 / rho);
        for (int i = 0; i < n; i++) t[i] = n == 1 ? sigmaMax : Math.pow(a + (double) i / (n - 1) * (b - a), rho);
        t[n] = 0;
        return t;
    }

    public static double[] karras(int n) { return karras(n, SIGMA_MIN, SIGMA_MAX, RHO); }
}
