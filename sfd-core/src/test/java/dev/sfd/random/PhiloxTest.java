package dev.sfd.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.backend.Backends;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PhiloxTest {

    private static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        int[] out = new int[4];
        Philox.block(c0, c1, c2, c3, k0, k1, out);
        return out;
    }

    /** Random123 kat_vectors, philox4x32 with 10 rounds. */
    @Test
    void random123KnownAnswers() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, block(0, 0, 0, 0, 0, 0));
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, block(-1, -1, -1, -1, -1, -1));
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
    }

    @Test
    void streamLayoutSplitsSeedAndCounterIntoWords() {
        long seed = 0x299f31d0_a4093822L, counter = 0x85a308d3_243f6a88L;
        int[] w = new int[4];
        Philox.streamBlock(seed, counter, w);
        assertArrayEquals(block(0x243f6a88, 0x85a308d3, 0, 0, 0xa4093822, 0x299f31d0), w);
        // element i of a draw reads word i % 4 of block counter + i / 4; the carry reaches the high word
        double[] u = new double[8];
        Philox.uniform(seed, 0xFFFF_FFFFL, u, 0, 8);
        int[] next = block(0, 1, 0, 0, 0xa4093822, 0x299f31d0);
        for (int j = 0; j < 4; j++) assertEquals((next[j] >>> 8) * 0x1.0p-24, u[4 + j]);
    }

    @Test
    void uniformIsExactInFloatAndMatchesDouble() {
        float[] f = new float[1001];
        double[] d = new double[1001];
        Philox.uniform(42, 3, f, 0, f.length);
        Philox.uniform(42, 3, d, 0, d.length);
        for (int i = 0; i < f.length; i++) {
            assertEquals(d[i], f[i], 0.0);
            assertTrue(d[i] >= 0 && d[i] < 1);
        }
    }

    @Test
    void partialBlocksArePrefixesOfTheFullDraw() {
        double[] full = new double[12];
        Philox.normal(9, 100, full, 0, 12);
        for (int n : new int[] {1, 2, 3, 5, 7, 11}) {
            double[] part = new double[n + 2];
            Philox.normal(9, 100, part, 2, n);
            for (int i = 0; i < n; i++) assertEquals(full[i], part[2 + i], 0.0);
        }
        float[] ff = new float[12];
        Philox.normal(9, 100, ff, 0, 12);
        for (int i = 0; i < 12; i++) assertEquals((float) full[i], ff[i], 0.0f);
    }

    @Test
    void normalMomentsOverAMillionDraws() {
        int n = 1_000_000;
        double[] x = new double[n];
        Philox.normal(1234, 0, x, 0, n);
        double[] m = moments(x);
        // standard errors: mean 1e-3, var 1.4e-3, skew 2.4e-3, kurtosis 4.9e-3; allow ~5 sigma
        assertEquals(0.0, m[0], 5e-3, "mean");
        assertEquals(1.0, m[1], 7e-3, "variance");
        assertEquals(0.0, m[2], 1.2e-2, "skewness");
        assertEquals(3.0, m[3], 2.5e-2, "kurtosis");
        double tail = 0;
        for (double v : x) if (Math.abs(v) > 3) tail++;
        assertEquals(0.0027, tail / n, 4e-4, "P(|x| > 3)");
    }

    @Test
    void uniformMomentsOverAMillionDraws() {
        int n = 1_000_000;
        double[] x = new double[n];
        Philox.uniform(77, 1L << 40, x, 0, n);
        double[] m = moments(x);
        assertEquals(0.5, m[0], 2e-3, "mean");
        assertEquals(1.0 / 12, m[1], 1e-3, "variance");
        assertEquals(0.0, m[2], 1.2e-2, "skewness");
        int[] bins = new int[10];
        for (double v : x) bins[(int) (v * 10)]++;
        for (int b : bins) assertEquals(n / 10.0, b, 1500, "histogram bin");
    }

    /** mean, variance, skewness, kurtosis. */
    private static double[] moments(double[] x) {
        double mean = 0;
        for (double v : x) mean += v;
        mean /= x.length;
        double m2 = 0, m3 = 0, m4 = 0;
        for (double v : x) {
            double d = v - mean;
            m2 += d * d;
            m3 += d * d * d;
            m4 += d * d * d * d;
        }
        m2 /= x.length;
        m3 /= x.length;
        m4 /= x.length;
        return new double[] {mean, m2, m3 / Math.pow(m2, 1.5), m4 / (m2 * m2)};
    }

    @Test
    void randomStreamAdvancesByBlocksAndRestores() {
        RandomStream s = new RandomStream(5);
        assertEquals(0, s.next(1));
        assertEquals(1, s.next(4));
        assertEquals(2, s.next(5));
        assertEquals(4, s.next(0));
        assertEquals(4, s.counter());
        long[] st = s.state();
        assertArrayEquals(new long[] {5, 4}, st);

        var be = Backends.reference();
        Tensor a = s.normal(be, DType.FLOAT64, 3, 5);
        Tensor b = s.uniform(be, DType.FLOAT32, 7);
        RandomStream r = new RandomStream(0);
        r.restore(st[0], st[1]);
        assertArrayEquals(a.toDoubleArray(), r.normal(be, DType.FLOAT64, 3, 5).toDoubleArray(), 0.0);
        assertArrayEquals(b.toFloatArray(), r.uniform(be, DType.FLOAT32, 7).toFloatArray(), 0.0f);
        assertEquals(s.counter(), r.counter());
        assertEquals(4 + 4 + 2, s.counter());

        // consecutive draws whose sizes are multiples of 4 continue one long draw
        RandomStream c = new RandomStream(11);
        double[] first = c.normal(be, DType.FLOAT64, 8).toDoubleArray(), second = c.normal(be, DType.FLOAT64, 4).toDoubleArray();
        double[] all = new double[12];
        Philox.normal(11, 0, all, 0, 12);
        for (int i = 0; i < 8; i++) assertEquals(all[i], first[i], 0.0);
        for (int i = 0; i < 4; i++) assertEquals(all[8 + i], second[i], 0.0);
    }

    @Test
    void convenienceDrawsUseTheCurrentBackend() {
        try (var scope = Backends.use(Backends.reference())) {
            Tensor t = new RandomStream(3).normal(DType.FLOAT32, 2, 2);
            assertEquals(Backends.reference(), t.backend());
        }
    }

    /** native/PHILOX.md section 5: the CUDA kernels (and their emulation) produce exactly these bits. */
    @Test
    void normalsAreBitIdenticalToTheCudaKernelsKnownAnswers() {
        long[] f64 = {0xbfef0bcb49733447L, 0x3fc8d59d8f80533cL, 0xbff3c5198e384292L, 0x3ffec867b90983e8L,
                      0xbfb2bc0292cac9b6L, 0x3fc1cf3fbb6b8d45L, 0xbff1b4e63547e420L, 0x3fd4e861490136e9L};
        int[] f32 = {0xbf785e5a, 0x3e46acec, 0xbf9e28cc, 0x3ff6433e, 0xbd95e015, 0x3e0e79fe, 0xbf8da732, 0x3ea7430a};
        double[] d = new double[8];
        float[] f = new float[8];
        Philox.normal(42, 0, d, 0, 8);
        Philox.normal(42, 0, f, 0, 8);
        for (int i = 0; i < 8; i++) {
            assertEquals(f64[i], Double.doubleToRawLongBits(d[i]), "f64 normal " + i + " = " + d[i]);
            assertEquals(f32[i], Float.floatToRawIntBits(f[i]), "f32 normal " + i + " = " + f[i]);
        }
        float[] u = new float[4];
        Philox.uniform(42, 0, u, 0, 4);
        assertArrayEquals(new float[] {0x9ceaf0 * 0x1p-24f, 0x77f549 * 0x1p-24f, 0x12bf50 * 0x1p-24f, 0x5742b3 * 0x1p-24f}, u);
    }

    /** The deterministic log / sin / cos stay within a few ulp of StrictMath (whose argument 2 pi u is itself rounded). */
    @Test
    void deterministicTranscendentalsAreAccurate() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        double[] sc = new double[2];
        for (int i = 0; i < 200_000; i++) {
            double u = (r.nextInt(1 << 24) + 1) * 0x1p-24;
            double l = Philox.detLog(u), want = StrictMath.log(u);
            assertTrue(Math.abs(l - want) <= 4 * Math.ulp(want) + 1e-300, "log " + u + ": " + l + " vs " + want);
            double v = r.nextInt(1 << 24) * 0x1p-24;
            Philox.detSinCos2Pi(v, sc);
            assertEquals(StrictMath.sin(2 * Math.PI * v), sc[0], 2e-15, "sin 2 pi " + v);
            assertEquals(StrictMath.cos(2 * Math.PI * v), sc[1], 2e-15, "cos 2 pi " + v);
        }
    }
}
