package dev.sfd.backend.cpu;

/**
 * Register-tile kernels of the direct (im2col-free) FLOAT32 convolution in {@link Conv}. Both work on a
 * zero-padded copy of the input whose planes are {@code Hp x Wp}; an output position (oh, ow) is computed at
 * the "wide" index {@code q = oh * Wp + ow}, so every kernel tap (kh, kw) is the constant shift
 * {@code kh * Wp + kw} of the input plane and the tile reads the input directly, with no column matrix.
 * Columns {@code ow >= Wo} of the wide rows are computed and thrown away (or, in the weight gradient, meet
 * zeros in the wide gradient). Implementations are stateless and thread-safe.
 */
interface ConvTile {
    /** Output channels per tile. */
    int mr();

    /** Wide output positions per tile (a multiple of {@link #lanes()}). */
    int nr();

    /** The vector length the weight kernel sums over (1 for the scalar kernels). */
    int lanes();

    /**
     * {@code c[co + r*ldc + j] = sum_k a[ao + k*mr + r] * x[xo + koff[k] + j]} for {@code r < mr, j < nr, k < kk}
     * (stores, does not accumulate). {@code a} is the packed weight panel of one block of output channels.
     */
    void forward(int kk, int[] koff, float[] a, int ao, float[] x, int xo, float[] c, int co, int ldc);

    /**
     * Weight-gradient tile for {@code mr} output channels and {@code taps} (1 or 3) consecutive kernel columns:
     * {@code out[oo + r*ldo + t] = sum_{s < ns} sum_{j < len} g[go + s*gStride + r*ldg + j] * x[xo + s*xStride + j + t]}
     * for {@code r < rows}. {@code len} is a multiple of {@link #lanes()}; {@code scratch} holds at least
     * {@code mr * 3 * lanes()} floats. Sums are formed per lane and then added in lane order (deterministic).
     */
    void weight(int taps, int ns, int len, float[] g, int go, int gStride, int ldg, float[] x, int xo, int xStride,
                float[] out, int oo, int ldo, int rows, float[] scratch);

    /**
     * One sample's part of {@link #weight}: adds its sums into the accumulators at {@code scratch[so ..]}
     * ({@code mr * 3 * lanes()} floats, zeroed before the first sample). Adding the samples in order and then
     * calling {@link #weightReduce} gives the very bits {@link #weight} gives, so a caller may visit the samples
     * in its outer loop and keep one sample's gradient rows in cache across all input channels and taps.
     */
    void weightAdd(int taps, int len, float[] g, int go, int ldg, float[] x, int xo, int rows, float[] scratch, int so);

    /** Writes the accumulators at {@code scratch[so ..]} to {@code out[oo + r*ldo + t]} as {@link #weight} does. */
    void weightReduce(int taps, int rows, float[] scratch, int so, float[] out, int oo, int ldo);
}
