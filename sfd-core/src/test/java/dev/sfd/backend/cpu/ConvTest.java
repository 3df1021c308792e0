package dev.sfd.backend.cpu;

import dev.sfd.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** conv2d forward / backward-data / backward-weight (+bias) against naive double loops on awkward shapes. */
class ConvTest {
    static Stream<Arguments> cases() {
        // n, ci, co, h, w, k, pad
        int[][] shapes = {
            {1, 1, 1, 1, 1, 1, 0}, {2, 3, 5, 7, 5, 3, 1}, {3, 17, 20, 9, 11, 3, 1}, {2, 17, 20, 9, 11, 3, 0},
            {4, 20, 17, 7, 7, 1, 0}, {2, 5, 3, 6, 9, 1, 1}, {2, 4, 6, 8, 7, 5, 2}, {1, 3, 4, 5, 5, 5, 0},
            {4, 32, 32, 16, 16, 3, 1}, {3, 33, 31, 13, 15, 3, 1}, {8, 16, 48, 8, 8, 3, 1}, {2, 6, 6, 6, 6, 3, 2},
            // direct-convolution edge cases: 1 input / 1 output channel (U-Net ends), tap reads past the last sample,
            // a 1x1 kernel with padding, padding > K-1 (col2im backward-data), more samples than weight groups
            {2, 1, 32, 32, 32, 3, 1}, {2, 32, 1, 32, 32, 3, 1}, {3, 64, 9, 8, 8, 3, 1}, {1, 5, 9, 3, 4, 3, 2},
            {2, 3, 4, 5, 6, 1, 1}, {2, 4, 4, 6, 6, 3, 3}, {17, 8, 8, 4, 4, 3, 1}, {2, 2, 3, 1, 1, 3, 1},
        };
        List<Arguments> l = new ArrayList<>();
        for (CpuBackend be : (Iterable<CpuBackend>) GemmTest.backends()::iterator) {
            for (int[] s : shapes) l.add(Arguments.of(be, s[0], s[1], s[2], s[3], s[4], s[5], s[6]));
        }
        return l.stream();
    }

    @ParameterizedTest(name = "{0} n={1} ci={2} co={3} h={4} w={5} k={6} pad={7}")
    @MethodSource("cases")
    void matchesNaive(CpuBackend be, int n, int ci, int co, int h, int w, int k, int pad) {
        Random r = new Random(n * 1000 + ci * 100 + co * 10 + k);
        int ho = h + 2 * pad - k + 1, wo = w + 2 * pad - k + 1;
        float[] x = Naive.randf(r, n * ci * h * w), wt = Naive.randf(r, co * ci * k * k), bias = Naive.randf(r, co);
        float[] g = Naive.randf(r, n * co * ho * wo);
        String what = be.vectorized() + " n=" + n + " ci=" + ci + " co=" + co + " h=" + h + " w=" + w + " k=" + k + " pad=" + pad;

        for (boolean withBias : new boolean[] {false, true}) {
            double[] abs = new double[n * co * ho * wo];
            double[] want = Naive.conv2d(Naive.toD(x), n, ci, h, w, Naive.toD(wt), co, k, withBias ? Naive.toD(bias) : null, pad, abs);
            float[] out = new float[want.length];
            Arrays.fill(out, Float.NaN);
            be.conv2d(Tensor.wrap(x, n, ci, h, w), Tensor.wrap(wt, co, ci, k, k), withBias ? Tensor.wrap(bias, co) : null, pad,
                    Tensor.wrap(out, n, co, ho, wo));
            Check.close("conv2d " + what + " bias=" + withBias, out, want, abs, 2e-6, 1e-6);
        }

        double[] absX = new double[n * ci * h * w];
        double[] wantX = Naive.conv2dBackwardData(Naive.toD(g), n, co, ho, wo, Naive.toD(wt), ci, k, pad, h, w, absX);
        float[] gx = new float[wantX.length];
        Arrays.fill(gx, Float.NaN);
        be.conv2dBackwardData(Tensor.wrap(g, n, co, ho, wo), Tensor.wrap(wt, co, ci, k, k), pad, Tensor.wrap(gx, n, ci, h, w));
        Check.close("conv2dBackwardData " + what, gx, wantX, absX, 2e-6, 1e-6);

        double[] absW = new double[co * ci * k * k];
        double[] wantB = new double[co];
        double[] wantW = Naive.conv2dBackwardWeight(Naive.toD(x), n, ci, h, w, Naive.toD(g), co, k, pad, absW, wantB);
        float[] gw = new float[wantW.length], gb = new float[co];
        Arrays.fill(gw, Float.NaN);
        Arrays.fill(gb, Float.NaN);
        be.conv2dBackwardWeight(Tensor.wrap(x, n, ci, h, w), Tensor.wrap(g, n, co, ho, wo), pad, Tensor.wrap(gw, co, ci, k, k),
                Tensor.wrap(gb, co));
        Check.close("conv2dBackwardWeight " + what, gw, wantW, absW, 2e-6, 1e-6);
        Check.close("conv2dBackwardWeight bias " + what, gb, wantB, null, 1e-5, 1e-4);
        // and without the bias gradient
        Arrays.fill(gw, Float.NaN);
        be.conv2dBackwardWeight(Tensor.wrap(x, n, ci, h, w), Tensor.wrap(g, n, co, ho, wo), pad, Tensor.wrap(gw, co, ci, k, k), null);
        Check.close("conv2dBackwardWeight (no bias) " + what, gw, wantW, absW, 2e-6, 1e-6);
    }

    /**
     * Every generated Vector API tile (not only the one this machine picks) against the naive loops: forward
     * and weight gradient (backward-data is a forward convolution). Shapes cover partial channel blocks and
     * weight chunks that straddle the last valid channel.
     */
    @ParameterizedTest(name = "tile {0}")
    @ValueSource(strings = {"8x2", "6x2", "4x3", "4x2"})
    void everyVectorTileMatchesNaive(String name) {
        Assumptions.assumeTrue(VectorSupport.AVAILABLE, "jdk.incubator.vector is not present");
        ConvTile tile = VecConvTile.pick(name);
        CpuKernels k = VectorSupport.kernels(true);
        int[][] shapes = {{2, 3, 5, 7, 5, 3, 1}, {3, 17, 20, 9, 11, 3, 1}, {2, 6, 7, 8, 8, 3, 1}, {2, 4, 10, 6, 9, 3, 0},
            {2, 5, 4, 6, 6, 5, 2}, {3, 9, 13, 5, 7, 1, 0}};
        for (int[] s : shapes) {
            int n = s[0], ci = s[1], co = s[2], h = s[3], w = s[4], ks = s[5], pad = s[6];
            int ho = h + 2 * pad - ks + 1, wo = w + 2 * pad - ks + 1;
            Random r = new Random(n * 7 + ci * 11 + co);
            float[] x = Naive.randf(r, n * ci * h * w), wt = Naive.randf(r, co * ci * ks * ks), bias = Naive.randf(r, co);
            float[] g = Naive.randf(r, n * co * ho * wo);
            String what = "tile " + name + " " + Arrays.toString(s);
            double[] abs = new double[n * co * ho * wo];
            double[] want = Naive.conv2d(Naive.toD(x), n, ci, h, w, Naive.toD(wt), co, ks, Naive.toD(bias), pad, abs);
            float[] out = new float[want.length];
            Arrays.fill(out, Float.NaN);
            DirectConv.forward(tile, x, n, ci, h, w, wt, co, ks, bias, pad, out);
            Check.close("forward " + what, out, want, abs, 2e-6, 1e-6);
            double[] absW = new double[co * ci * ks * ks];
            double[] wantW = Naive.conv2dBackwardWeight(Naive.toD(x), n, ci, h, w, Naive.toD(g), co, ks, pad, absW, new double[co]);
            float[] gw = new float[wantW.length];
            Arrays.fill(gw, Float.NaN);
            DirectConv.backwardWeight(tile, k, x, n, ci, h, w, g, co, ks, pad, gw);
            Check.close("weight gradient " + what, gw, wantW, absW, 2e-6, 1e-6);
        }
    }
}
