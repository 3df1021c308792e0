package dev.sfd.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sfd.backend.Backends;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JCudaProbeTest {
    /** The probes never throw; each reports a reason when its library does not load. */
    @Test
    void probesReportInsteadOfThrowing() {
        for (JCudaProbe.Status s : new JCudaProbe.Status[] {JCudaProbe.jcuda(), JCudaProbe.jcublas(), JCudaProbe.jcudnn()}) {
            System.out.println("probe " + s);
            if (!s.available()) assertFalse(s.reason().isEmpty(), s.library());
        }
    }

    /** cuBLAS SGEMM against sfd_gemm_fwd_f32 on the real GPU; skipped (with the reason) where JCublas does not load. */
    @Test
    void cublasGemmMatchesOurKernel() {
        JCudaProbe.Status s = JCudaProbe.jcublas();
        assumeTrue(s.available(), "skipped: " + s);
        CudaBackend gpu = CudaBackend.gpu();
        SplittableRandom r = new SplittableRandom(3);
        int m = 67, k = 129, n = 33;
        float[] a = new float[2 * m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        Tensor ta = new Tensor(gpu.upload(a), 2, m, k), tb = new Tensor(gpu.upload(b), 1, k, n);
        Tensor c1 = Tensor.zeros(gpu, DType.FLOAT32, 2, m, n), c2 = Tensor.zeros(gpu, DType.FLOAT32, 2, m, n);
        gpu.matmul(ta, tb, c1, false, false, 1.0, 0.0);
        CublasGemm.matmul(ta, tb, c2, false, false, 1.0, 0.0);
        float[] x = c1.toFloatArray(), y = c2.toFloatArray();
        for (int i = 0; i < x.length; i++) assertEquals(y[i], x[i], 1e-4 * (1 + Math.abs(y[i])), "element " + i);
        assertEquals("cpu", Backends.cpu().name());
    }
}
