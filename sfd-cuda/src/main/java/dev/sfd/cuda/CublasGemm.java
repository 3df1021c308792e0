package dev.sfd.cuda;

import dev.sfd.SfdException;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.JCuda;
import jcuda.runtime.cudaMemcpyKind;

/**
 * cuBLAS SGEMM through JCublas2, as an alternative to (and cross-check of) {@code sfd_gemm_fwd_f32}; same
 * contract as {@link dev.sfd.backend.Backend#matmul}. Only where {@link JCudaProbe#jcublas()} is available.
 * Operands go through the host: JCuda owns its own allocations (jcuda.Pointer cannot wrap our device
 * addresses), which is fine for a cross-check and not meant as the fast path.
 */
public final class CublasGemm {
    private CublasGemm() {}

    public static void matmul(Tensor a, Tensor b, Tensor c, boolean transA, boolean transB, double alpha, double beta) {
        JCudaProbe.Status s = JCudaProbe.jcublas();
        if (!s.available()) throw new SfdException("cuBLAS GEMM unavailable: " + s.reason());
        if (c.dtype() != DType.FLOAT32) throw new SfdException("cuBLAS GEMM: FLOAT32 only");
        int m = c.dim(-2), n = c.dim(-1), k = transA ? a.dim(-2) : a.dim(-1);
        int batch = c.numel() / (m * n);
        float[] ha = a.toFloatArray(), hb = b.toFloatArray(), hc = c.toFloatArray();
        boolean bcA = ha.length == m * k && batch > 1, bcB = hb.length == k * n && batch > 1;
        cublasHandle h = new cublasHandle();
        JCublas2.cublasCreate(h);
        Pointer da = new Pointer(), db = new Pointer(), dc = new Pointer();
        try {
            JCuda.cudaMalloc(da, (long) ha.length * Sizeof.FLOAT);
            JCuda.cudaMalloc(db, (long) hb.length * Sizeof.FLOAT);
            JCuda.cudaMalloc(dc, (long) hc.length * Sizeof.FLOAT);
            JCuda.cudaMemcpy(da, Pointer.to(ha), (long) ha.length * Sizeof.FLOAT, cudaMemcpyKind.cudaMemcpyHostToDevice);
            JCuda.cudaMemcpy(db, Pointer.to(hb), (long) hb.length * Sizeof.FLOAT, cudaMemcpyKind.cudaMemcpyHostToDevice);
            JCuda.cudaMemcpy(dc, Pointer.to(hc), (long) hc.length * Sizeof.FLOAT, cudaMemcpyKind.cudaMemcpyHostToDevice);
            // row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T
            int opA = transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
            int opB = transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
            int lda = transA ? m : k, ldb = transB ? k : n;
            for (int z = 0; z < batch; z++) {
                Pointer pa = da.withByteOffset(bcA ? 0 : (long) z * m * k * Sizeof.FLOAT);
                Pointer pb = db.withByteOffset(bcB ? 0 : (long) z * k * n * Sizeof.FLOAT);
                Pointer pc = dc.withByteOffset((long) z * m * n * Sizeof.FLOAT);
                JCublas2.cublasSgemm(h, opB, opA, n, m, k, Pointer.to(new float[] {(float) alpha}), pb, ldb, pa, lda,
                        Pointer.to(new float[] {(float) beta}), pc, n);
            }
            JCuda.cudaMemcpy(Pointer.to(hc), dc, (long) hc.length * Sizeof.FLOAT, cudaMemcpyKind.cudaMemcpyDeviceToHost);
        } finally {
            JCuda.cudaFree(da);
            JCuda.cudaFree(db);
            JCuda.cudaFree(dc);
            JCublas2.cublasDestroy(h);
        }
        c.backend().copy(Tensor.wrap(hc, c.shape()).to(DType.FLOAT32), c);
    }
}
