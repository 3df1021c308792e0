package dev.sfd.backend.cpu;

import java.util.Random;

/** Straightforward double-accumulating reference implementations the fast kernels are checked against. */
final class Naive {
    private Naive() {}

    static float[] randf(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian());
        return x;
    }

    static double[] randd(Random r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = r.nextGaussian();
        return x;
    }

    /**
     * c[b] = alpha op(a[b]) op(b[b]) + beta c[b] in double; also returns, in absOut, sum_k |alpha a b| + |beta c|
     * per element (an error scale for float comparisons).
     */
    static double[] matmul(double[] a, int ba, double[] b, int bb, double[] c, int batch, int m, int n, int k,
                           boolean ta, boolean tb, double alpha, double beta, double[] absOut) {
        double[] out = new double[batch * m * n];
        for (int s = 0; s < batch; s++) {
            int ao = ba == 1 ? 0 : s * m * k, bo = bb == 1 ? 0 : s * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0, abs = 0;
                    for (int q = 0; q < k; q++) {
                        double av = ta ? a[ao + q * m + i] : a[ao + i * k + q];
                        double bv = tb ? b[bo + j * k + q] : b[bo + q * n + j];
                        acc += av * bv;
                        abs += Math.abs(av * bv);
                    }
                    int ci = s * m * n + i * n + j;
                    double cv = beta == 0 ? 0 : beta * c[ci];
                    out[ci] = alpha * acc + cv;
                    absOut[ci] = Math.abs(alpha) * abs + Math.abs(cv);
                }
            }
        }
        return out;
    }

    static double[] conv2d(double[] x, int n, int ci, int h, int w, double[] wt, int co, int ks, double[] bias, int pad,
                           double[] absOut) {
        int ho = h + 2 * pad - ks + 1, wo = w + 2 * pad - ks + 1;
        double[] out = new double[n * co * ho * wo];
        for (int s = 0; s < n; s++)
            for (int o = 0; o < co; o++)
                for (int oh = 0; oh < ho; oh++)
                    for (int ow = 0; ow < wo; ow++) {
                        double acc = bias == null ? 0 : bias[o], abs = Math.abs(acc);
                        for (int i = 0; i < ci; i++)
                            for (int kh = 0; kh < ks; kh++)
                                for (int kw = 0; kw < ks; kw++) {
                                    int ih = oh + kh - pad, iw = ow + kw - pad;
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                                    double v = x[((s * ci + i) * h + ih) * w + iw] * wt[((o * ci + i) * ks + kh) * ks + kw];
                                    acc += v;
                                    abs += Math.abs(v);
                                }
                        int idx = ((s * co + o) * ho + oh) * wo + ow;
                        out[idx] = acc;
                        absOut[idx] = abs;
                    }
        return out;
    }

    static double[] conv2dBackwardData(double[] g, int n, int co, int ho, int wo, double[] wt, int ci, int ks, int pad,
                                       int h, int w, double[] absOut) {
        double[] gx = new double[n * ci * h * w];
        for (int s = 0; s < n; s++)
            for (int o = 0; o < co; o++)
                for (int oh = 0; oh < ho; oh++)
                    for (int ow = 0; ow < wo; ow++) {
                        double gv = g[((s * co + o) * ho + oh) * wo + ow];
                        for (int i = 0; i < ci; i++)
                            for (int kh = 0; kh < ks; kh++)
                                for (int kw = 0; kw < ks; kw++) {
                                    int ih = oh + kh - pad, iw = ow + kw - pad;
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                                    int idx = ((s * ci + i) * h + ih) * w + iw;
                                    double v = gv * wt[((o * ci + i) * ks + kh) * ks + kw];
                                    gx[idx] += v;
                                    absOut[idx] += Math.abs(v);
                                }
                    }
        return gx;
    }

    static double[] conv2dBackwardWeight(double[] x, int n, int ci, int h, int w, double[] g, int co, int ks, int pad,
                                         double[] absOut, double[] gradBias) {
        int ho = h + 2 * pad - ks + 1, wo = w + 2 * pad - ks + 1;
        double[] gw = new double[co * ci * ks * ks];
        for (int s = 0; s < n; s++)
            for (int o = 0; o < co; o++)
                for (int oh = 0; oh < ho; oh++)
                    for (int ow = 0; ow < wo; ow++) {
                        double gv = g[((s * co + o) * ho + oh) * wo + ow];
                        gradBias[o] += gv;
                        for (int i = 0; i < ci; i++)
                            for (int kh = 0; kh < ks; kh++)
                                for (int kw = 0; kw < ks; kw++) {
                                    int ih = oh + kh - pad, iw = ow + kw - pad;
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                                    int idx = ((o * ci + i) * ks + kh) * ks + kw;
                                    double v = gv * x[((s * ci + i) * h + ih) * w + iw];
                                    gw[idx] += v;
                                    absOut[idx] += Math.abs(v);
                                }
                    }
        return gw;
    }

    static double[] toD(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }
}
