package dev.sfd.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sfd.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** CpuBackend.matmul (vector and plain-Java paths) against a double-accumulating naive product. */
class GemmTest {
    static final int[] SIZES = {1, 7, 33, 129, 257};

    static Stream<CpuBackend> backends() {
        List<CpuBackend> l = new ArrayList<>();
        l.add(new CpuBackend(false));
        if (VectorSupport.AVAILABLE) l.add(new CpuBackend(true));
        return l.stream();
    }

    static Stream<Arguments> shapes() {
        List<Arguments> l = new ArrayList<>();
        Random r = new Random(3);
        for (CpuBackend be : (Iterable<CpuBackend>) backends()::iterator) {
            for (int m : SIZES) for (int n : SIZES) for (int k : SIZES) {
                // all transposes on a thinned grid (the full cube would take long on 2 cores)
                if (r.nextInt(4) != 0 && !(m == n && n == k)) continue;
                for (int t = 0; t < 4; t++) l.add(Arguments.of(be, m, n, k, (t & 1) != 0, (t & 2) != 0));
            }
        }
        return l.stream();
    }

    @ParameterizedTest(name = "{0} m={1} n={2} k={3} tA={4} tB={5}")
    @MethodSource("shapes")
    void float32MatchesNaive(CpuBackend be, int m, int n, int k, boolean ta, boolean tb) {
        Random r = new Random(m * 31L + n * 7L + k);
        run(be, r, 1, 1, 1, m, n, k, ta, tb, 1.0, 0.0);
        run(be, r, 1, 1, 1, m, n, k, ta, tb, 0.5, -0.75);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void batchedWithBroadcastAndBeta(CpuBackend be) {
        Random r = new Random(11);
        run(be, r, 3, 3, 3, 33, 17, 129, false, false, 1.0, 0.0);
        run(be, r, 1, 4, 4, 7, 65, 33, true, false, 2.0, 1.0);   // a broadcast
        run(be, r, 5, 1, 5, 19, 33, 40, false, true, 1.0, 0.5);  // b broadcast
        run(be, r, 1, 6, 6, 129, 1, 257, true, true, -1.0, 0.0);
        run(be, r, 64, 64, 64, 32, 32, 64, false, false, 1.0, 0.0); // many small products: batch-parallel path
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void largeParallelProduct(CpuBackend be) {
        Random r = new Random(5);
        run(be, r, 1, 1, 1, 301, 517, 383, false, false, 1.0, 0.0);
        run(be, r, 1, 1, 1, 517, 301, 300, true, true, 1.0, 1.0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void zeroInnerDimensionScalesC(CpuBackend be) {
        float[] c = {1, 2, 3, 4};
        be.matmul(Tensor.wrap(new float[0], 1, 2, 0), Tensor.wrap(new float[0], 1, 0, 2), Tensor.wrap(c, 1, 2, 2), false, false, 1, 0.5);
        assertEquals(Arrays.toString(new float[] {0.5f, 1, 1.5f, 2}), Arrays.toString(c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void float64MatchesNaive(CpuBackend be) {
        Random r = new Random(9);
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
            int batch = 2, m = 33, n = 7, k = 129;
            double[] a = Naive.randd(r, m * k * batch), b = Naive.randd(r, k * n), c = Naive.randd(r, batch * m * n);
            double[] abs = new double[c.length];
            double[] want = Naive.matmul(a, batch, b, 1, c, batch, m, n, k, ta, tb, 0.5, 2.0, abs);
            double[] got = c.clone();
            be.matmul(Tensor.wrap(a, batch, ta ? k : m, ta ? m : k), Tensor.wrap(b, 1, tb ? n : k, tb ? k : n),
                    Tensor.wrap(got, batch, m, n), ta, tb, 0.5, 2.0);
            Check.close("dgemm tA=" + ta + " tB=" + tb, got, want, 1e-12, 1e-12);
        }
    }

    static void run(CpuBackend be, Random r, int ba, int bb, int batch, int m, int n, int k, boolean ta, boolean tb,
                    double alpha, double beta) {
        float[] a = Naive.randf(r, ba * m * k), b = Naive.randf(r, bb * k * n), c = Naive.randf(r, batch * m * n);
        double[] abs = new double[c.length];
        double[] want = Naive.matmul(Naive.toD(a), ba, Naive.toD(b), bb, Naive.toD(c), batch, m, n, k, ta, tb, alpha, beta, abs);
        float[] got = c.clone();
        if (beta == 0) Arrays.fill(got, Float.NaN); // beta = 0 must not read C
        be.matmul(Tensor.wrap(a, ba, ta ? k : m, ta ? m : k), Tensor.wrap(b, bb, tb ? n : k, tb ? k : n),
                Tensor.wrap(got, batch, m, n), ta, tb, alpha, beta);
        String what = "sgemm " + be.vectorized() + " batch=" + batch + " m=" + m + " n=" + n + " k=" + k + " tA=" + ta + " tB=" + tb;
        Check.close(what, got, want, abs, 2e-6, 1e-6);
    }
}
