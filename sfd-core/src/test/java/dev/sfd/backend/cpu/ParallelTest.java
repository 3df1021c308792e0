package dev.sfd.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.tensor.Tensor;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The parallel runtime and the determinism of the parallel kernels. */
class ParallelTest {
    @Test
    void parallelForCoversEveryIndexOnce() {
        for (int n : new int[] {0, 1, 7, 1000, 100_003}) {
            for (int grain : new int[] {1, 10, 1 << 20}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(n);
                Parallel.parallelFor(n, grain, (a, b) -> {
                    for (int i = a; i < b; i++) seen.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "index " + i + " of " + n);
            }
        }
    }

    @Test
    void forDynamicRunsEveryItemOnceWithValidWorkers() {
        AtomicIntegerArray seen = new AtomicIntegerArray(1000);
        AtomicInteger badWorker = new AtomicInteger();
        Parallel.forDynamic(1000, Parallel.threads(), (w, i) -> {
            if (w < 0 || w >= Parallel.threads()) badWorker.incrementAndGet();
            seen.incrementAndGet(i);
        });
        for (int i = 0; i < 1000; i++) assertEquals(1, seen.get(i));
        assertEquals(0, badWorker.get());
    }

    @Test
    void nestedRegionsRunInline() {
        AtomicInteger nestedChunks = new AtomicInteger();
        Parallel.parallelFor(4, 1, (a, b) -> {
            assertTrue(Parallel.threads() == 1 || Parallel.inRegion());
            Parallel.parallelFor(1000, 1, (c, d) -> nestedChunks.incrementAndGet());
        });
        // every nested loop ran as a single inline chunk
        assertEquals(Math.min(4, Parallel.threads()), nestedChunks.get());
    }

    @Test
    void exceptionsPropagate() {
        assertThrows(IllegalStateException.class, () -> Parallel.parallelFor(100, 1, (a, b) -> {
            if (b == 100) throw new IllegalStateException("boom");
        }));
        assertThrows(IllegalStateException.class, () -> Parallel.forDynamic(10, 4, (w, i) -> {
            if (i == 9) throw new IllegalStateException("boom");
        }));
    }

    /** Backward-weight sums its batch in fixed groups: bitwise the same in parallel, sequentially and on repeat. */
    @Test
    void convBackwardWeightIsBitwiseReproducible() {
        CpuBackend be = new CpuBackend();
        Random r = new Random(1);
        int n = 12, c = 16, hw = 12;
        float[] x = Naive.randf(r, n * c * hw * hw), g = Naive.randf(r, n * c * hw * hw);
        float[] w1 = new float[c * c * 9], w2 = new float[c * c * 9], w3 = new float[c * c * 9];
        float[] b1 = new float[c], b2 = new float[c];
        Tensor tx = Tensor.wrap(x, n, c, hw, hw), tg = Tensor.wrap(g, n, c, hw, hw);
        be.conv2dBackwardWeight(tx, tg, 1, Tensor.wrap(w1, c, c, 3, 3), Tensor.wrap(b1, c));
        be.conv2dBackwardWeight(tx, tg, 1, Tensor.wrap(w2, c, c, 3, 3), Tensor.wrap(b2, c));
        Parallel.runSequential(() -> be.conv2dBackwardWeight(tx, tg, 1, Tensor.wrap(w3, c, c, 3, 3), null));
        assertArrayEquals(w1, w2);
        assertArrayEquals(w1, w3);
        assertArrayEquals(b1, b2);
    }

    @Test
    void gemmIsBitwiseTheSameInParallelAndSequentially() {
        CpuBackend be = new CpuBackend();
        Random r = new Random(2);
        int m = 300, n = 280, k = 520;
        float[] a = Naive.randf(r, m * k), b = Naive.randf(r, k * n), c1 = new float[m * n], c2 = new float[m * n];
        be.matmul(Tensor.wrap(a, 1, m, k), Tensor.wrap(b, 1, k, n), Tensor.wrap(c1, 1, m, n), false, false, 1, 0);
        Parallel.runSequential(() ->
                be.matmul(Tensor.wrap(a, 1, m, k), Tensor.wrap(b, 1, k, n), Tensor.wrap(c2, 1, m, n), false, false, 1, 0));
        assertArrayEquals(c1, c2);
    }
}
