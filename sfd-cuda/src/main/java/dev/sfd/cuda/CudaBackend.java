package dev.sfd.cuda;

import dev.sfd.SfdException;
import dev.sfd.backend.Backend;
import dev.sfd.backend.BinaryOp;
import dev.sfd.backend.ReduceOp;
import dev.sfd.backend.UnaryOp;
import dev.sfd.cuda.jni.NativeLibs;
import dev.sfd.cuda.jni.SfdKernels;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Device;
import dev.sfd.tensor.Shapes;
import dev.sfd.tensor.Storage;
import dev.sfd.tensor.Tensor;
import dev.sfd.tensor.TensorScope;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The SPI on the sfd CUDA kernels (native/cuda) through their C ABI (native/include/sfd_kernels.h):
 * "cuda" is the nvcc build on a real device, "cuda-emu" the same sources compiled by g++ against the host
 * emulation of the CUDA execution model (for tests; never selected automatically).
 *
 * <p>Memory: {@link CudaStorage} blocks from a {@link CachingAllocator}; storages created while a
 * {@link TensorScope} is open are freed when it closes. One stream per backend; kernel launches are
 * asynchronous on a GPU, downloads synchronise. Every status is checked: a failure throws an
 * {@link SfdException} naming the backend, the C function (= kernel family and dtype) and the CUDA error.
 */
public final class CudaBackend implements Backend {
    private static final int MAX_RANK = 8;

    private final String name;
    private final SfdKernels k;
    private final CachingAllocator allocator;
    private final long stream;

    CudaBackend(String name, SfdKernels k) {
        this.name = name;
        this.k = k;
        this.allocator = new CachingAllocator(k, name, Long.getLong("sfd.cuda.memoryLimit", 0L));
        long[] s = new long[1];
        check(k.sfd_stream_create(s), "sfd_stream_create");
        this.stream = s[0];
    }

    // ------------------------------------------------------------------ availability (detected once per flavour)

    private static final class Gpu {
        static final Object RESULT = detectGpu();
    }

    private static final class Emu {
        static final Object RESULT = detectEmu();
    }

    private static Object detectGpu() {
        try {
            SfdKernels k = NativeLibs.gpu();
            int[] count = new int[1];
            int rc = k.sfd_device_count(count);
            if (rc != 0) return "no usable CUDA device: cudaGetDeviceCount returned " + rc + " (" + k.sfd_last_error() + ")";
            if (count[0] == 0) return "no usable CUDA device: cudaGetDeviceCount found 0 devices";
            return new CudaBackend("cuda", k);
        } catch (SfdException e) {
            return e.getMessage();
        }
    }

    private static Object detectEmu() {
        try {
            return new CudaBackend("cuda-emu", NativeLibs.emulated());
        } catch (SfdException e) {
            return e.getMessage();
        }
    }

    /** The GPU backend, or an {@link SfdException} with the reason it is unavailable (same reason every call). */
    public static CudaBackend gpu() {
        return unwrap(Gpu.RESULT, "cuda");
    }

    /** The emulated backend ("cuda-emu"). */
    public static CudaBackend emulated() {
        return unwrap(Emu.RESULT, "cuda-emu");
    }

    private static CudaBackend unwrap(Object o, String name) {
        if (o instanceof CudaBackend b) return b;
        throw new SfdException("backend '" + name + "' is unavailable: " + o);
    }

    // ------------------------------------------------------------------ helpers

    /** The raw C ABI of this backend's library. */
    public SfdKernels kernels() { return k; }

    CachingAllocator allocator() { return allocator; }

    /** Bytes held by live storages / by the cache / at peak. */
    public long liveBytes() { return allocator.liveBytes(); }

    public long cachedBytes() { return allocator.cachedBytes(); }

    public long peakBytes() { return allocator.peakBytes(); }

    /** Returns cached device memory to the driver. */
    public void emptyCache() { allocator.emptyCache(); }

    /** Waits for all queued work of this backend's stream. */
    public void synchronize() { check(k.sfd_stream_synchronize(stream), "sfd_stream_synchronize"); }

    private void check(int rc, String fn) {
        if (rc != 0) throw new SfdException(name + ": " + fn + " failed with CUDA error " + rc + ": " + k.sfd_last_error());
    }

    private static boolean f32(Tensor t) { return t.dtype() == DType.FLOAT32; }

    private CudaStorage storageOf(Storage s) {
        if (!(s instanceof CudaStorage cs) || cs.backend() != this) {
            throw new SfdException(name + ": storage of backend '" + s.backend().name() + "' passed to " + name);
        }
        return cs;
    }

    /** Device address of a tensor's first element (honours the storage offset). */
    private long ptr(Tensor t) {
        CudaStorage s = storageOf(t.storage());
        return s.address() + (long) t.offset() * t.dtype().bytes();
    }

    private long ptrOrNull(Tensor t) { return t == null ? 0L : ptr(t); }

    private static long[] longs(int[] v) {
        long[] r = new long[v.length];
        for (int i = 0; i < v.length; i++) r[i] = v[i];
        return r;
    }

    private static void checkRank(String op, int rank) {
        if (rank > MAX_RANK) throw new SfdException(op + ": rank " + rank + " exceeds the CUDA kernels' maximum of " + MAX_RANK);
    }

    // ------------------------------------------------------------------ storage

    @Override
    public String name() { return name; }

    @Override
    public Device device() { return Device.CUDA; }

    private CudaStorage newStorage(DType dtype, int length) {
        if (length < 0) throw new SfdException(name + ": negative allocation length " + length);
        long bytes = (long) length * dtype.bytes();
        long address = allocator.acquire(bytes);
        CudaStorage s = new CudaStorage(this, dtype, length, address, bytes == 0 ? 0 : CachingAllocator.roundUp(bytes));
        TensorScope.register(s);
        return s;
    }

    @Override
    public Storage allocate(DType dtype, int length) {
        CudaStorage s = newStorage(dtype, length);
        if (length > 0) check(k.sfd_memset_zero(s.address(), (long) length * dtype.bytes(), stream), "sfd_memset_zero");
        return s;
    }

    @Override
    public Storage upload(float[] data) {
        CudaStorage s = newStorage(DType.FLOAT32, data.length);
        if (data.length > 0) {
            try (FloatPointer host = new FloatPointer(data)) {
                check(k.sfd_memcpy_h2d(s.address(), host.address(), 4L * data.length, stream), "sfd_memcpy_h2d");
                synchronize();   // the host buffer is freed when this block ends
            }
        }
        return s;
    }

    @Override
    public Storage upload(double[] data) {
        CudaStorage s = newStorage(DType.FLOAT64, data.length);
        if (data.length > 0) {
            try (DoublePointer host = new DoublePointer(data)) {
                check(k.sfd_memcpy_h2d(s.address(), host.address(), 8L * data.length, stream), "sfd_memcpy_h2d");
                synchronize();
            }
        }
        return s;
    }

    private long rangeAddress(Storage st, int offset, int length) {
        CudaStorage s = storageOf(st);
        if (offset < 0 || length < 0 || (long) offset + length > s.length()) {
            throw new SfdException(name + ": download of [" + offset + ", " + ((long) offset + length) + ") from a storage of " + s.length() + " elements");
        }
        return s.address() + (long) offset * s.dtype().bytes();
    }

    @Override
    public double[] downloadDouble(Storage st, int offset, int length) {
        long src = rangeAddress(st, offset, length);
        double[] out = new double[length];
        if (length == 0) return out;
        if (st.dtype() == DType.FLOAT64) {
            try (DoublePointer host = new DoublePointer(length)) {
                check(k.sfd_memcpy_d2h(host.address(), src, 8L * length, stream), "sfd_memcpy_d2h");
                host.get(out);
            }
        } else {
            float[] f = downloadFloat(st, offset, length);
            for (int i = 0; i < length; i++) out[i] = f[i];
        }
        return out;
    }

    @Override
    public float[] downloadFloat(Storage st, int offset, int length) {
        long src = rangeAddress(st, offset, length);
        float[] out = new float[length];
        if (length == 0) return out;
        if (st.dtype() == DType.FLOAT32) {
            try (FloatPointer host = new FloatPointer(length)) {
                check(k.sfd_memcpy_d2h(host.address(), src, 4L * length, stream), "sfd_memcpy_d2h");
                host.get(out);
            }
        } else {
            double[] d = downloadDouble(st, offset, length);
            for (int i = 0; i < length; i++) out[i] = (float) d[i];
        }
        return out;
    }

    // ------------------------------------------------------------------ memory movement

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (src.numel() == 0) return;
        int[] shape = src.shape();
        int[] ss = src.strides(), ds = dst.strides();
        if (shape.length == 0) {
            shape = new int[] {1};
            ss = new int[] {1};
            ds = new int[] {1};
        }
        checkRank("copy", shape.length);
        for (int i = 0; i < shape.length; i++) {
            if (ss[i] < 0 || ds[i] < 0) throw new SfdException(name + ": copy with negative strides is not supported");
        }
        long sp = ptr(src), dp = ptr(dst);
        long[] sh = longs(shape), sst = longs(ss), dst2 = longs(ds);
        boolean sf = f32(src), df = f32(dst);
        if (sf && df) check(k.sfd_copy_fwd_f32(sp, dp, sh.length, sh, sst, dst2, stream), "sfd_copy_fwd_f32");
        else if (!sf && !df) check(k.sfd_copy_fwd_f64(sp, dp, sh.length, sh, sst, dst2, stream), "sfd_copy_fwd_f64");
        else if (sf) check(k.sfd_copy_fwd_f32_f64(sp, dp, sh.length, sh, sst, dst2, stream), "sfd_copy_fwd_f32_f64");
        else check(k.sfd_copy_fwd_f64_f32(sp, dp, sh.length, sh, sst, dst2, stream), "sfd_copy_fwd_f64_f32");
    }

    @Override
    public void fill(Tensor out, double value) {
        long n = out.numel();
        if (n == 0) return;
        if (f32(out)) check(k.sfd_fill_fwd_f32(ptr(out), n, value, stream), "sfd_fill_fwd_f32");
        else check(k.sfd_fill_fwd_f64(ptr(out), n, value, stream), "sfd_fill_fwd_f64");
    }

    // ------------------------------------------------------------------ elementwise

    @Override
    public void unary(UnaryOp op, Tensor x, Tensor out) {
        long n = x.numel();
        if (n == 0) return;
        if (f32(x)) check(k.sfd_unary_fwd_f32(op.ordinal(), ptr(x), ptr(out), n, stream), "sfd_unary_fwd_f32(" + op + ")");
        else check(k.sfd_unary_fwd_f64(op.ordinal(), ptr(x), ptr(out), n, stream), "sfd_unary_fwd_f64(" + op + ")");
    }

    @Override
    public void unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn) {
        long n = x.numel();
        if (n == 0) return;
        if (f32(x)) check(k.sfd_unary_bwd_f32(op.ordinal(), ptr(x), ptrOrNull(y), ptr(gradOut), ptr(gradIn), n, stream), "sfd_unary_bwd_f32(" + op + ")");
        else check(k.sfd_unary_bwd_f64(op.ordinal(), ptr(x), ptrOrNull(y), ptr(gradOut), ptr(gradIn), n, stream), "sfd_unary_bwd_f64(" + op + ")");
    }

    /** Strides (elements) of dense {@code t} read at each axis of {@code outShape} under numpy broadcasting. */
    private static long[] broadcastStrides(int[] shape, int[] outShape) {
        long[] r = new long[outShape.length];
        int[] cs = Shapes.contiguousStrides(shape);
        int lead = outShape.length - shape.length;
        for (int i = 0; i < outShape.length; i++) {
            int a = i - lead;
            r[i] = a < 0 || shape[a] == 1 ? 0 : cs[a];
        }
        return r;
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        if (out.numel() == 0) return;
        int[] os = out.shape();
        int[] as = a.shape(), bs = b.shape();
        if (os.length == 0) {
            os = new int[] {1};
        }
        checkRank("binary", os.length);
        long[] shape = longs(os), sa = broadcastStrides(as, os), sb = broadcastStrides(bs, os);
        if (f32(out)) check(k.sfd_binary_fwd_f32(op.ordinal(), ptr(a), ptr(b), ptr(out), os.length, shape, sa, sb, stream), "sfd_binary_fwd_f32(" + op + ")");
        else check(k.sfd_binary_fwd_f64(op.ordinal(), ptr(a), ptr(b), ptr(out), os.length, shape, sa, sb, stream), "sfd_binary_fwd_f64(" + op + ")");
    }

    @Override
    public void binaryScalar(BinaryOp op, Tensor x, double s, Tensor out) {
        long n = x.numel();
        if (n == 0) return;
        if (f32(x)) check(k.sfd_binary_scalar_fwd_f32(op.ordinal(), ptr(x), s, ptr(out), n, stream), "sfd_binary_scalar_fwd_f32(" + op + ")");
        else check(k.sfd_binary_scalar_fwd_f64(op.ordinal(), ptr(x), s, ptr(out), n, stream), "sfd_binary_scalar_fwd_f64(" + op + ")");
    }

    @Override
    public void axpby(double alpha, Tensor x, double beta, Tensor y, Tensor out) {
        long n = x.numel();
        if (n == 0) return;
        if (f32(x)) check(k.sfd_axpby_fwd_f32(alpha, ptr(x), beta, ptr(y), ptr(out), n, stream), "sfd_axpby_fwd_f32");
        else check(k.sfd_axpby_fwd_f64(alpha, ptr(x), beta, ptr(y), ptr(out), n, stream), "sfd_axpby_fwd_f64");
    }

    @Override
    public void clamp(Tensor x, double lo, double hi, Tensor out) {
        long n = x.numel();
        if (n == 0) return;
        if (f32(x)) check(k.sfd_clamp_fwd_f32(ptr(x), lo, hi, ptr(out), n, stream), "sfd_clamp_fwd_f32");
        else check(k.sfd_clamp_fwd_f64(ptr(x), lo, hi, ptr(out), n, stream), "sfd_clamp_fwd_f64");
    }

    // ------------------------------------------------------------------ reductions

    @Override
    public void reduce(ReduceOp op, Tensor x, Tensor out) {
        if (out.numel() == 0) return;
        int[] in = x.shape(), os = out.shape();
        if (in.length == 0) {
            in = new int[] {1};
            os = new int[] {1};
        }
        checkRank("reduce", in.length);
        long[] li = longs(in), lo = longs(os);
        if (f32(x)) check(k.sfd_reduce_fwd_f32(op.ordinal(), ptr(x), ptr(out), in.length, li, lo, stream), "sfd_reduce_fwd_f32(" + op + ")");
        else check(k.sfd_reduce_fwd_f64(op.ordinal(), ptr(x), ptr(out), in.length, li, lo, stream), "sfd_reduce_fwd_f64(" + op + ")");
    }

    // ------------------------------------------------------------------ linear algebra

    @Override
    public void matmul(Tensor a, Tensor b, Tensor c, boolean transA, boolean transB, double alpha, double beta) {
        int m = c.dim(-2), n = c.dim(-1);
        long batch = c.rank() >= 3 ? c.numel() / ((long) m * n) : 1;
        int kk = transA ? a.dim(-2) : a.dim(-1);
        if (batch == 0 || m == 0 || n == 0) return;
        if (kk == 0) {   // empty inner dimension: c = beta c
            if (beta == 0) fill(c, 0.0);
            else binaryScalar(BinaryOp.MUL, c, beta, c);
            return;
        }
        long batchA = a.numel() / ((long) m * kk), batchB = b.numel() / ((long) kk * n);
        long strideA = batchA == 1 ? 0 : (long) m * kk, strideB = batchB == 1 ? 0 : (long) kk * n;
        if (f32(c)) check(k.sfd_gemm_fwd_f32(ptr(a), ptr(b), ptr(c), batch, m, n, kk, transA ? 1 : 0, transB ? 1 : 0, alpha, beta, strideA, strideB, stream), "sfd_gemm_fwd_f32");
        else check(k.sfd_gemm_fwd_f64(ptr(a), ptr(b), ptr(c), batch, m, n, kk, transA ? 1 : 0, transB ? 1 : 0, alpha, beta, strideA, strideB, stream), "sfd_gemm_fwd_f64");
    }

    // ------------------------------------------------------------------ convolution

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, int pad, Tensor out) {
        if (out.numel() == 0) return;
        int n = x.dim(0), ci = x.dim(1), h = x.dim(2), wd = x.dim(3), co = w.dim(0), kk = w.dim(2);
        if (f32(x)) check(k.sfd_conv2d_fwd_f32(ptr(x), ptr(w), ptrOrNull(bias), ptr(out), n, ci, h, wd, co, kk, pad, stream), "sfd_conv2d_fwd_f32");
        else check(k.sfd_conv2d_fwd_f64(ptr(x), ptr(w), ptrOrNull(bias), ptr(out), n, ci, h, wd, co, kk, pad, stream), "sfd_conv2d_fwd_f64");
    }

    @Override
    public void conv2dBackwardData(Tensor gradOut, Tensor w, int pad, Tensor gradX) {
        if (gradX.numel() == 0) return;
        int n = gradX.dim(0), ci = gradX.dim(1), h = gradX.dim(2), wd = gradX.dim(3), co = w.dim(0), kk = w.dim(2);
        if (f32(gradX)) check(k.sfd_conv2d_bwd_data_f32(ptr(gradOut), ptr(w), ptr(gradX), n, ci, h, wd, co, kk, pad, stream), "sfd_conv2d_bwd_data_f32");
        else check(k.sfd_conv2d_bwd_data_f64(ptr(gradOut), ptr(w), ptr(gradX), n, ci, h, wd, co, kk, pad, stream), "sfd_conv2d_bwd_data_f64");
    }

    @Override
    public void conv2dBackwardWeight(Tensor x, Tensor gradOut, int pad, Tensor gradW, Tensor gradBias) {
        if (gradW.numel() == 0) return;
        int n = x.dim(0), ci = x.dim(1), h = x.dim(2), wd = x.dim(3), co = gradW.dim(0), kk = gradW.dim(2);
        if (f32(x)) check(k.sfd_conv2d_bwd_weight_f32(ptr(x), ptr(gradOut), ptr(gradW), ptrOrNull(gradBias), n, ci, h, wd, co, kk, pad, stream), "sfd_conv2d_bwd_weight_f32");
        else check(k.sfd_conv2d_bwd_weight_f64(ptr(x), ptr(gradOut), ptr(gradW), ptrOrNull(gradBias), n, ci, h, wd, co, kk, pad, stream), "sfd_conv2d_bwd_weight_f64");
    }

    // ------------------------------------------------------------------ normalisation

    @Override
    public void groupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, double eps, Tensor out, Tensor mean, Tensor rstd) {
        if (x.numel() == 0) return;
        int n = x.dim(0), c = x.dim(1);
        long spatial = x.numel() / ((long) n * c);
        if (f32(x)) check(k.sfd_group_norm_fwd_f32(ptr(x), ptrOrNull(gamma), ptrOrNull(beta), ptr(out), ptr(mean), ptr(rstd), n, c, spatial, groups, eps, stream), "sfd_group_norm_fwd_f32");
        else check(k.sfd_group_norm_fwd_f64(ptr(x), ptrOrNull(gamma), ptrOrNull(beta), ptr(out), ptr(mean), ptr(rstd), n, c, spatial, groups, eps, stream), "sfd_group_norm_fwd_f64");
    }

    @Override
    public void groupNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, int groups, Tensor gradOut,
                                  Tensor gradX, Tensor gradGamma, Tensor gradBeta) {
        if (x.numel() == 0) return;
        int n = x.dim(0), c = x.dim(1);
        long spatial = x.numel() / ((long) n * c);
        if (f32(x)) check(k.sfd_group_norm_bwd_f32(ptr(x), ptrOrNull(gamma), ptr(mean), ptr(rstd), ptr(gradOut), ptrOrNull(gradX), ptrOrNull(gradGamma), ptrOrNull(gradBeta), n, c, spatial, groups, stream), "sfd_group_norm_bwd_f32");
        else check(k.sfd_group_norm_bwd_f64(ptr(x), ptrOrNull(gamma), ptr(mean), ptr(rstd), ptr(gradOut), ptrOrNull(gradX), ptrOrNull(gradGamma), ptrOrNull(gradBeta), n, c, spatial, groups, stream), "sfd_group_norm_bwd_f64");
    }

    @Override
    public void softmax(Tensor x, Tensor out) {
        if (x.numel() == 0) return;
        long cols = x.rank() == 0 ? 1 : x.dim(-1), rows = x.numel() / cols;
        if (f32(x)) check(k.sfd_softmax_fwd_f32(ptr(x), ptr(out), rows, cols, stream), "sfd_softmax_fwd_f32");
        else check(k.sfd_softmax_fwd_f64(ptr(x), ptr(out), rows, cols, stream), "sfd_softmax_fwd_f64");
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gradOut, Tensor gradIn) {
        if (y.numel() == 0) return;
        long cols = y.rank() == 0 ? 1 : y.dim(-1), rows = y.numel() / cols;
        if (f32(y)) check(k.sfd_softmax_bwd_f32(ptr(y), ptr(gradOut), ptr(gradIn), rows, cols, stream), "sfd_softmax_bwd_f32");
        else check(k.sfd_softmax_bwd_f64(ptr(y), ptr(gradOut), ptr(gradIn), rows, cols, stream), "sfd_softmax_bwd_f64");
    }

    // ------------------------------------------------------------------ resampling (sizes of the smaller image)

    @Override
    public void upsample2x(Tensor x, Tensor out) {
        if (x.numel() == 0) return;
        int h = x.dim(-2), w = x.dim(-1);
        long planes = x.numel() / ((long) h * w);
        if (f32(x)) check(k.sfd_upsample2x_fwd_f32(ptr(x), ptr(out), planes, h, w, stream), "sfd_upsample2x_fwd_f32");
        else check(k.sfd_upsample2x_fwd_f64(ptr(x), ptr(out), planes, h, w, stream), "sfd_upsample2x_fwd_f64");
    }

    @Override
    public void upsample2xBackward(Tensor gradOut, Tensor gradIn) {
        if (gradIn.numel() == 0) return;
        int h = gradIn.dim(-2), w = gradIn.dim(-1);
        long planes = gradIn.numel() / ((long) h * w);
        if (f32(gradIn)) check(k.sfd_upsample2x_bwd_f32(ptr(gradOut), ptr(gradIn), planes, h, w, stream), "sfd_upsample2x_bwd_f32");
        else check(k.sfd_upsample2x_bwd_f64(ptr(gradOut), ptr(gradIn), planes, h, w, stream), "sfd_upsample2x_bwd_f64");
    }

    @Override
    public void avgPool2x(Tensor x, Tensor out) {
        if (out.numel() == 0) return;
        int h = out.dim(-2), w = out.dim(-1);
        long planes = out.numel() / ((long) h * w);
        if (f32(x)) check(k.sfd_avgpool2x_fwd_f32(ptr(x), ptr(out), planes, h, w, stream), "sfd_avgpool2x_fwd_f32");
        else check(k.sfd_avgpool2x_fwd_f64(ptr(x), ptr(out), planes, h, w, stream), "sfd_avgpool2x_fwd_f64");
    }

    @Override
    public void avgPool2xBackward(Tensor gradOut, Tensor gradIn) {
        if (gradOut.numel() == 0) return;
        int h = gradOut.dim(-2), w = gradOut.dim(-1);
        long planes = gradOut.numel() / ((long) h * w);
        if (f32(gradIn)) check(k.sfd_avgpool2x_bwd_f32(ptr(gradOut), ptr(gradIn), planes, h, w, stream), "sfd_avgpool2x_bwd_f32");
        else check(k.sfd_avgpool2x_bwd_f64(ptr(gradOut), ptr(gradIn), planes, h, w, stream), "sfd_avgpool2x_bwd_f64");
    }

    // ------------------------------------------------------------------ random numbers

    @Override
    public void randomNormal(long seed, long counter, Tensor out) {
        long n = out.numel();
        if (n == 0) return;
        if (f32(out)) check(k.sfd_philox_normal_fwd_f32(ptr(out), n, seed, counter, stream), "sfd_philox_normal_fwd_f32");
        else check(k.sfd_philox_normal_fwd_f64(ptr(out), n, seed, counter, stream), "sfd_philox_normal_fwd_f64");
    }

    @Override
    public void randomUniform(long seed, long counter, Tensor out) {
        long n = out.numel();
        if (n == 0) return;
        if (f32(out)) check(k.sfd_philox_uniform_fwd_f32(ptr(out), n, seed, counter, stream), "sfd_philox_uniform_fwd_f32");
        else check(k.sfd_philox_uniform_fwd_f64(ptr(out), n, seed, counter, stream), "sfd_philox_uniform_fwd_f64");
    }

    // ------------------------------------------------------------------ fused optimiser updates

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
                         double eps, double weightDecay, long step) {
        long n = param.numel();
        if (n == 0) return;
        if (f32(param)) check(k.sfd_adam_fwd_f32(ptr(param), ptr(grad), ptr(m), ptr(v), n, lr, beta1, beta2, eps, weightDecay, step, stream), "sfd_adam_fwd_f32");
        else check(k.sfd_adam_fwd_f64(ptr(param), ptr(grad), ptr(m), ptr(v), n, lr, beta1, beta2, eps, weightDecay, step, stream), "sfd_adam_fwd_f64");
    }

    @Override
    public void emaUpdate(Tensor ema, Tensor param, double beta) {
        long n = ema.numel();
        if (n == 0) return;
        if (f32(ema)) check(k.sfd_ema_fwd_f32(ptr(ema), ptr(param), n, beta, stream), "sfd_ema_fwd_f32");
        else check(k.sfd_ema_fwd_f64(ptr(ema), ptr(param), n, beta, stream), "sfd_ema_fwd_f64");
    }

    // ------------------------------------------------------------------ fused SiD loss

    @Override
    public void sidLoss(Tensor xg, Tensor yReal, Tensor yFake, double alpha, Tensor loss, Tensor omega) {
        long n = xg.dim(0);
        if (n == 0) return;
        long d = xg.numel() / n;
        if (f32(xg)) check(k.sfd_sid_loss_fwd_f32(ptr(xg), ptr(yReal), ptr(yFake), ptr(loss), ptr(omega), n, d, alpha, stream), "sfd_sid_loss_fwd_f32");
        else check(k.sfd_sid_loss_fwd_f64(ptr(xg), ptr(yReal), ptr(yFake), ptr(loss), ptr(omega), n, d, alpha, stream), "sfd_sid_loss_fwd_f64");
    }

    @Override
    public void sidLossBackward(Tensor xg, Tensor yReal, Tensor yFake, double alpha, Tensor omega, Tensor gradLoss,
                                Tensor gradXg, Tensor gradReal, Tensor gradFake) {
        long n = xg.dim(0);
        if (n == 0) return;
        long d = xg.numel() / n;
        if (f32(xg)) check(k.sfd_sid_loss_bwd_f32(ptr(xg), ptr(yReal), ptr(yFake), ptr(omega), ptr(gradLoss), ptrOrNull(gradXg), ptrOrNull(gradReal), ptrOrNull(gradFake), n, d, alpha, stream), "sfd_sid_loss_bwd_f32");
        else check(k.sfd_sid_loss_bwd_f64(ptr(xg), ptr(yReal), ptr(yFake), ptr(omega), ptr(gradLoss), ptrOrNull(gradXg), ptrOrNull(gradReal), ptrOrNull(gradFake), n, d, alpha, stream), "sfd_sid_loss_bwd_f64");
    }

    @Override
    public String toString() { return "CudaBackend(" + name + ", " + k.sfd_flavor() + ")"; }
}
