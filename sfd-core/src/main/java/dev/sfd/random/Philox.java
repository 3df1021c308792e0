package dev.sfd.random;

/**
 * Philox-4x32-10 (Salmon et al., SC'11) and the sfd stream layout, exactly as {@code docs/philox.md} defines
 * them. Every backend reproduces these numbers: uniforms bit-exactly, normals to ~1e-6 relative (the
 * transcendentals are {@link StrictMath} here).
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
    private static final double TWO_PI = 2.0 * Math.PI;

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
        double r1 = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
        double r2 = StrictMath.sqrt(-2.0 * StrictMath.log(u3));
        out[0] = r1 * StrictMath.cos(TWO_PI * u2);
        out[1] = r1 * StrictMath.sin(TWO_PI * u2);
        out[2] = r2 * StrictMath.cos(TWO_PI * u4);
        out[3] = r2 * StrictMath.sin(TWO_PI * u4);
    }

    /** Counter values a draw of {@code n} elements consumes: {@code ceil(n / 4)}. */
    public static long blocks(long n) {
        return (n + 3) >>> 2;
    }
}
