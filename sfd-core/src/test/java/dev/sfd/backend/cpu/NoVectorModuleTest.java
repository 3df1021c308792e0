package dev.sfd.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sfd.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend without the Vector API. Surefire runs this class twice: with the module (then the forced
 * plain-Java path must agree with the vector path) and in a second execution without
 * {@code --add-modules jdk.incubator.vector} (then detection must fall back and the results must still be right).
 */
class NoVectorModuleTest {
    static final boolean MODULE_PRESENT = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    @Test
    void detectionMatchesModulePresence() {
        if (!MODULE_PRESENT) {
            assertFalse(VectorSupport.AVAILABLE, "vector kernels reported available without the module");
            assertFalse(new CpuBackend().vectorized());
        } else {
            assertEquals(!"false".equals(System.getProperty("sfd.vector")), VectorSupport.AVAILABLE);
        }
    }

    @Test
    void defaultBackendComputesCorrectly() {
        CpuBackend be = new CpuBackend();
        Random r = new Random(1);
        GemmTest.run(be, r, 1, 1, 1, 129, 33, 257, false, true, 1.0, 0.0);
        GemmTest.run(be, r, 2, 1, 2, 7, 257, 33, true, false, 0.5, 1.0);
        new ConvTest().matchesNaive(be, 2, 17, 20, 9, 11, 3, 1);
        new ConvTest().matchesNaive(be, 2, 20, 17, 7, 7, 1, 0);
    }

    @Test
    void scalarAndVectorPathsAgree() {
        CpuBackend scalar = new CpuBackend(false), fast = new CpuBackend(true);
        Random r = new Random(2);
        int n = 3, ci = 17, co = 33, h = 13, w = 9;
        float[] x = Naive.randf(r, n * ci * h * w), wt = Naive.randf(r, co * ci * 9), b = Naive.randf(r, co);
        float[] o1 = new float[n * co * h * w], o2 = new float[o1.length];
        scalar.conv2d(Tensor.wrap(x, n, ci, h, w), Tensor.wrap(wt, co, ci, 3, 3), Tensor.wrap(b, co), 1, Tensor.wrap(o1, n, co, h, w));
        fast.conv2d(Tensor.wrap(x, n, ci, h, w), Tensor.wrap(wt, co, ci, 3, 3), Tensor.wrap(b, co), 1, Tensor.wrap(o2, n, co, h, w));
        double[] want = Naive.toD(o1);
        Check.close("scalar vs vector conv2d", o2, want, null, 1e-5, 1e-4);
    }
}
