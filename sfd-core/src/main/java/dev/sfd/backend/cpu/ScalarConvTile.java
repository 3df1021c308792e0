package dev.sfd.backend.cpu;

/** Plain-Java {@link ConvTile} (4 channels x 16 positions) for JVMs without the Vector API. */
final class ScalarConvTile implements ConvTile {
    static final ScalarConvTile INSTANCE = new ScalarConvTile();
    private static final int MR = 4, NR = 16;

    private ScalarConvTile() {}

    @Override public int mr() { return MR; }

    @Override public int nr() { return NR; }

    @Override public int lanes() { return 1; }

    @Override
    public void forward(int kk, int[] koff, float[] a, int ao, float[] x, int xo, float[] c, int co, int ldc) {
        for (int r = 0; r < MR; r++) java.util.Arrays.fill(c, co + r * ldc, co + r * ldc + NR, 0f);
        for (int k = 0; k < kk; k++) {
            int b = xo + koff[k], ak = ao + k * MR;
            for (int r = 0; r < MR; r++) {
                float av = a[ak + r];
                int d = co + r * ldc;
                for (int j = 0; j < NR; j++) c[d + j] += av * x[b + j];
            }
        }
    }

    @Override
    public void weight(int taps, int ns, int len, float[] g, int go, int gStride, int ldg, float[] x, int xo, int xStride,
                       float[] out, int oo, int ldo, int rows, float[] scratch) {
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < taps; t++) {
                float s = 0f;
                for (int n = 0; n < ns; n++) {
                    int gb = go + n * gStride + r * ldg, xb = xo + n * xStride + t;
                    for (int j = 0; j < len; j++) s += g[gb + j] * x[xb + j];
                }
                out[oo + r * ldo + t] = s;
            }
        }
    }

    @Override
    public void weightAdd(int taps, int len, float[] g, int go, int ldg, float[] x, int xo, int rows, float[] scratch, int so) {
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < taps; t++) {
                float s = scratch[so + r * 3 + t];
                int gb = go + r * ldg, xb = xo + t;
                for (int j = 0; j < len; j++) s += g[gb + j] * x[xb + j];
                scratch[so + r * 3 + t] = s;
            }
        }
    }

    @Override
    public void weightReduce(int taps, int rows, float[] scratch, int so, float[] out, int oo, int ldo) {
        for (int r = 0; r < rows; r++) for (int t = 0; t < taps; t++) out[oo + r * ldo + t] = scratch[so + r * 3 + t];
    }
}
