package dev.sfd.random;

/**
 * Philox-4x32-10 (Salmon et al., SC'11) and the sfd stream layout, exactly as {@code docs/philox.md} defines
 * them. Every backend reproduces these numbers bit-exactly, uniforms and normals, FLOAT32 and FLOAT64: the
 * Box-Muller transform uses {@link #detLog} and {@link #detSinCos2Pi}, polynomial evaluations in plain IEEE double
 * arithmetic (no libm, no FMA) that the CUDA kernels (native/cuda/philox.cu, native/PHILOX.md) compute in the same
 * order. Java double arithmetic is strict since Java 17; never use {@code Math.fma} here.
 *
 * <p>Stream layout: key {@code (k0, k1) = (lo32(seed), hi32(seed))}; element {@code i} of a draw at
 * {@code counter} reads word {@code i % 4} of block {@code counter + i / 4}, whose 128-bit Philox counter is
 * {@code (lo32(counter + b), hi32(counter + b), 0, 0)}.
 */
public final class Philox {
    static final int M0 = 0xD2511F53;
    static final int M1 = 0xCD9E8D57;
    static final int W0 = 0x9E3779B9;
    static final int W1 = 0xBB67AE85;
    static final int ROUNDS = 10;
    private static final double TWO_POW_M24 = 0x1.0p-24;

    private Philox() {}

    /**
     * The Philox-4x32-10 block function: writes the 4 output words for counter {@code (c0..c3)} and key
     * {@code (k0, k1)} into {@code out[0..3]}.
     */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < ROUNDS; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32), lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32), lo1 = (int) p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
            if (round < ROUNDS - 1) {
                k0 += W0;
                k1 += W1;
            }
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** Block {@code counter} of the sfd stream for {@code seed} (see the class comment), into {@code out[0..3]}. */
    public static void streamBlock(long seed, long counter, int[] out) {
        block((int) counter, (int) (counter >>> 32), 0, 0, (int) seed, (int) (seed >>> 32), out);
    }

    /** Uniform [0, 1) value of one word: {@code (w >>> 8) * 2^-24} (exact in FLOAT32). */
    public static double toUniform(int word) {
        return (word >>> 8) * TWO_POW_M24;
    }

    /** Fills {@code out[off .. off+n)} with uniform [0, 1) draws of the stream (seed, counter). */
    public static void uniform(long seed, long counter, float[] out, int off, int n) {
        int[] w = new int[4];
        for (int i = 0; i < n; i++) {
            if ((i & 3) == 0) streamBlock(seed, counter + (i >>> 2), w);
            out[off + i] = (float) toUniform(w[i & 3]);
        }
    }

    /** Fills {@code out[off .. off+n)} with uniform [0, 1) draws of the stream (seed, counter). */
    public static void uniform(long seed, long counter, double[] out, int off, int n) {
        int[] w = new int[4];
        for (int i = 0; i < n; i++) {
            if ((i & 3) == 0) streamBlock(seed, counter + (i >>> 2), w);
            out[off + i] = toUniform(w[i & 3]);
        }
    }

    /** Fills {@code out[off .. off+n)} with standard normal draws (Box-Muller in double, rounded to float). */
    public static void normal(long seed, long counter, float[] out, int off, int n) {
        double[] four = new double[4];
        int[] w = new int[4];
        for (int b = 0; 4 * b < n; b++) {
            normalBlock(seed, counter + b, w, four);
            for (int j = 0; j < 4 && 4 * b + j < n; j++) out[off + 4 * b + j] = (float) four[j];
        }
    }

    /** Fills {@code out[off .. off+n)} with standard normal draws (Box-Muller). */
    public static void normal(long seed, long counter, double[] out, int off, int n) {
        double[] four = new double[4];
        int[] w = new int[4];
        for (int b = 0; 4 * b < n; b++) {
            normalBlock(seed, counter + b, w, four);
            for (int j = 0; j < 4 && 4 * b + j < n; j++) out[off + 4 * b + j] = four[j];
        }
    }

    /** The 4 normals of block {@code counter} (docs/philox.md, "Normal"); {@code w} is scratch. */
    private static void normalBlock(long seed, long counter, int[] w, double[] out) {
        streamBlock(seed, counter, w);
        double u1 = ((w[0] >>> 8) + 1) * TWO_POW_M24;   // (0, 1]: log is finite
        double u2 = (w[1] >>> 8) * TWO_POW_M24;
        double u3 = ((w[2] >>> 8) + 1) * TWO_POW_M24;
        double u4 = (w[3] >>> 8) * TWO_POW_M24;
        double r1 = Math.sqrt(-2.0 * detLog(u1));     // sqrt is correctly rounded (IEEE 754), as on the GPU
        double r2 = Math.sqrt(-2.0 * detLog(u3));
        double[] sc = new double[2];
        detSinCos2Pi(u2, sc);
        out[0] = r1 * sc[1];
        out[1] = r1 * sc[0];
        detSinCos2Pi(u4, sc);
        out[2] = r2 * sc[1];
        out[3] = r2 * sc[0];
    }

    /**
     * Natural logarithm of a normal positive double (here u in [2^-24, 1]) with {@code + - * /} only, in a fixed
     * order: u = 2^e m with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s), s = (m - 1) / (m + 1), by its odd series
     * to s^23 (|s| < 0.172: truncation below 1e-19), ln 2 split in two parts. Within a few ulp of {@link Math#log};
     * bit-identical to {@code det_log} in native/cuda/philox.cu (docs/philox.md).
     */
    static double detLog(double u) {
        long bits = Double.doubleToRawLongBits(u);
        int e = (int) ((bits >>> 52) & 0x7ff) - 1023;
        double m = Double.longBitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L);   // [1, 2)
        if (m > 1.4142135623730951) {
            m = m * 0.5;
            e = e + 1;
        }
        double s = (m - 1.0) / (m + 1.0), z = s * s;
        double p = 2.0 / 23.0;
        p = p * z + 2.0 / 21.0;
        p = p * z + 2.0 / 19.0;
        p = p * z + 2.0 / 17.0;
        p = p * z + 2.0 / 15.0;
        p = p * z + 2.0 / 13.0;
        p = p * z + 2.0 / 11.0;
        p = p * z + 2.0 / 9.0;
        p = p * z + 2.0 / 7.0;
        p = p * z + 2.0 / 5.0;
        p = p * z + 2.0 / 3.0;
        p = p * z + 2.0;
        double de = e;
        return de * 6.93147180369123816490e-01 + (de * 1.90821492927058770002e-10 + s * p);
    }

    /**
     * {@code sc[0] = sin(2 pi u)}, {@code sc[1] = cos(2 pi u)} for u in [0, 1) with {@code + - * /} only: quadrant
     * q = floor(4u), reduced angle a = r pi/2 (or (1 - r) pi/2) in [0, pi/4], Taylor polynomials to a^17 / a^16.
     * Bit-identical to {@code det_sincos_2pi} in native/cuda/philox.cu (docs/philox.md).
     */
    static void detSinCos2Pi(double u, double[] sc) {
        double t = 4.0 * u;
        int q = (int) t;
        double r = t - q;                                       // exact
        boolean flip = r > 0.5;
        double a = (flip ? 1.0 - r : r) * 1.5707963267948966, a2 = a * a;
        double ps = 1.0 / 355687428096000.0;
        ps = ps * a2 - 1.0 / 1307674368000.0;
        ps = ps * a2 + 1.0 / 6227020800.0;
        ps = ps * a2 - 1.0 / 39916800.0;
        ps = ps * a2 + 1.0 / 362880.0;
        ps = ps * a2 - 1.0 / 5040.0;
        ps = ps * a2 + 1.0 / 120.0;
        ps = ps * a2 - 1.0 / 6.0;
        ps = ps * a2 + 1.0;
        double sa = a * ps;
        double pc = 1.0 / 20922789888000.0;
        pc = pc * a2 - 1.0 / 87178291200.0;
        pc = pc * a2 + 1.0 / 479001600.0;
        pc = pc * a2 - 1.0 / 3628800.0;
        pc = pc * a2 + 1.0 / 40320.0;
        pc = pc * a2 - 1.0 / 720.0;
        pc = pc * a2 + 1.0 / 24.0;
        pc = pc * a2 - 1.0 / 2.0;
        pc = pc * a2 + 1.0;
        double ca = pc;
        double s0 = flip ? ca : sa, c0 = flip ? sa : ca;       // sin, cos of r pi/2
        switch (q) {
            case 0 -> { sc[0] = s0; sc[1] = c0; }
            case 1 -> { sc[0] = c0; sc[1] = -s0; }
            case 2 -> { sc[0] = -s0; sc[1] = -c0; }
            default -> { sc[0] = -c0; sc[1] = s0; }
        }
    }

    /** Counter values a draw of {@code n} elements consumes: {@code ceil(n / 4)}. */
    public static long blocks(long n) {
        return (n + 3) >>> 2;
    }
}
