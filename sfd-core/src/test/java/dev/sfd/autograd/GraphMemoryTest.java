package dev.sfd.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Storage;
import dev.sfd.tensor.Tensor;
import java.lang.ref.WeakReference;
import org.junit.jupiter.api.Test;

/** The graph keeps only what backward rules saved, and drops that as soon as the rule ran. */
class GraphMemoryTest {
    private static boolean collected(WeakReference<?> ref) {
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ref.get() == null;
    }

    /** Builds {@code sum(reshape(x * 2 - 1))} and returns a weak reference to the storage of {@code x * 2}. */
    private static WeakReference<Storage> chain(Tensor x, Tensor[] lossOut) {
        Tensor doubled = Ops.mulScalar(x, 2.0);                  // saved by nobody: sub and reshape keep sizes only
        WeakReference<Storage> ref = new WeakReference<>(doubled.storage());
        Tensor diff = Ops.sub(doubled, Tensor.ones(DType.FLOAT32, 4, 3));
        lossOut[0] = Ops.sumAll(Ops.reshape(diff, 12));
        return ref;
    }

    @Test
    void anIntermediateNoRuleSavedIsCollectableBeforeBackward() {
        Tensor x = new RandomStream(1).normal(DType.FLOAT32, 4, 3).requiresGrad(true);
        Tensor[] loss = new Tensor[1];
        WeakReference<Storage> ref = chain(x, loss);
        assertTrue(collected(ref), "the storage of x * 2 is still reachable from the graph");
        loss[0].backward();
        for (float v : x.grad().toFloatArray()) assertEquals(2f, v);
    }

    @Test
    void savedTensorsAreDroppedOnceTheirRuleRan() {
        Tensor w = new RandomStream(2).normal(DType.FLOAT32, 3, 3).requiresGrad(true);
        Tensor h = Ops.exp(w);                                   // square saves h
        WeakReference<Storage> ref = new WeakReference<>(h.storage());
        Tensor loss = Ops.sumAll(Ops.square(h));
        h = null;
        assertNotNull(ref.get());
        loss.backward();
        // loss still references its node, but every node's rule (and what it saved) was released
        assertTrue(collected(ref), "square's saved input survived backward");
        assertThrows(SfdException.class, loss::backward);
    }

    @Test
    void fusedGroupNormSiluIsBitIdenticalToTheTwoOps() {
        RandomStream rng = new RandomStream(3);
        Tensor x0 = rng.normal(DType.FLOAT32, 2, 8, 5, 5);
        Tensor gamma0 = rng.normal(DType.FLOAT32, 8), beta0 = rng.normal(DType.FLOAT32, 8);
        Tensor up = rng.normal(DType.FLOAT32, 2, 8, 5, 5);
        float[][] fused = run(x0, gamma0, beta0, up, true), split = run(x0, gamma0, beta0, up, false);
        for (int i = 0; i < fused.length; i++) assertArrayEquals(split[i], fused[i], "output/gradient " + i);
    }

    private static float[][] run(Tensor x0, Tensor g0, Tensor b0, Tensor up, boolean fused) {
        Tensor x = x0.detach().requiresGrad(true);
        Tensor g = Ops.contiguousCopy(g0).requiresGrad(true), b = Ops.contiguousCopy(b0).requiresGrad(true);
        Tensor y = fused ? Ops.groupNormSilu(x, 4, g, b, 1e-6) : Ops.silu(Ops.groupNorm(x, 4, g, b, 1e-6));
        Ops.sumAll(Ops.mul(y, up)).backward();
        return new float[][] {y.toFloatArray(), x.grad().toFloatArray(), g.grad().toFloatArray(), b.grad().toFloatArray()};
    }
}
