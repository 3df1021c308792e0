// softmax.cu - softmax over the last dimension of a [rows, cols] matrix, forward and backward.
// cols <= 1024: one warp per row (8 rows per 256-thread block), reductions by warp shuffles only;
// longer rows: one block per row with block reductions. Max-subtracted for stability.
#include "../include/sfd_common.cuh"

namespace sfd {
namespace {

constexpr int kWarpRowsPerBlock = 8;
constexpr int kRowThreads = 256;

template <class T> SFD_KERNEL SFD_LAUNCH_BOUNDS(256) void softmax_fwd_warp(const T* __restrict__ x, T* __restrict__ y, int64_t rows, int64_t cols) {
    const int lane = threadIdx.x & 31;
    const int64_t row = (int64_t)blockIdx.x * kWarpRowsPerBlock + (threadIdx.x >> 5);
    if (row >= rows) return;  // whole warps leave together; no block barrier in this kernel
    const T* xr = x + row * cols;
    T* yr = y + row * cols;
    T mx = neg_inf<T>();
    for (int64_t j = lane; j < cols; j += 32) mx = jmax(mx, xr[j]);
    mx = warp_reduce(mx, MaxOp());
    T s = 0;
    for (int64_t j = lane; j < cols; j += 32) s += m_exp(xr[j] - mx);
    s = warp_reduce(s, SumOp());
    const T inv = (T)1 / s;
    for (int64_t j = lane; j < cols; j += 32) yr[j] = m_exp(xr[j] - mx) * inv;
}

template <class T> SFD_KERNEL SFD_LAUNCH_BOUNDS(kRowThreads) void softmax_fwd_block(const T* __restrict__ x, T* __restrict__ y, int64_t cols) {
    SFD_SHARED(T, scratch, 32);
    const T* xr = x + (int64_t)blockIdx.x * cols;
    T* yr = y + (int64_t)blockIdx.x * cols;
    T mx = neg_inf<T>();
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) mx = jmax(mx, xr[j]);
    mx = block_reduce(mx, scratch, MaxOp(), neg_inf<T>());
    T s = 0;
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) s += m_exp(xr[j] - mx);
    s = block_reduce(s, scratch, SumOp(), (T)0);
    const T inv = (T)1 / s;
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) yr[j] = m_exp(xr[j] - mx) * inv;
}

// gx = y * (gy - sum(gy * y)), in double, rounded once to T.
// The row dot product is summed serially in element order with unfused double operations, exactly as the
// Java reference (ReferenceBackend.softmaxBackward) does: for a saturated row (one y ~ 1, gradients that
// cancel to ~1e-9) the result is dominated by the rounding of that sum, so any other summation order
// (a tree reduction) differs from the reference by far more than the contract tolerance. The serial sum
// costs O(cols) latency per row on one lane; rows still run in parallel (docs/kernels.md).
template <class T> SFD_DEVICE double row_dot_serial(const T* __restrict__ gy, const T* __restrict__ y, int64_t cols) {
    double dot = 0.0;
    for (int64_t j = 0; j < cols; j++) dot = sfd_dadd_rn(dot, sfd_dmul_rn((double)gy[j], (double)y[j]));
    return dot;
}

template <class T>
SFD_KERNEL SFD_LAUNCH_BOUNDS(256) void softmax_bwd_warp(const T* __restrict__ y, const T* __restrict__ gy, T* __restrict__ gx, int64_t rows, int64_t cols) {
    const int lane = threadIdx.x & 31;
    const int64_t row = (int64_t)blockIdx.x * kWarpRowsPerBlock + (threadIdx.x >> 5);
    if (row >= rows) return;  // whole warps leave together; no block barrier in this kernel
    const int64_t o = row * cols;
    double dot = 0.0;
    if (lane == 0) dot = row_dot_serial(gy + o, y + o, cols);
    dot = __shfl_sync(0xffffffffu, dot, 0);
    for (int64_t j = lane; j < cols; j += 32) gx[o + j] = (T)((double)y[o + j] * ((double)gy[o + j] - dot));
}

template <class T>
SFD_KERNEL SFD_LAUNCH_BOUNDS(kRowThreads) void softmax_bwd_block(const T* __restrict__ y, const T* __restrict__ gy, T* __restrict__ gx, int64_t cols) {
    SFD_SHARED(double, shared_dot, 1);
    const int64_t o = (int64_t)blockIdx.x * cols;
    if (threadIdx.x == 0) shared_dot[0] = row_dot_serial(gy + o, y + o, cols);
    __syncthreads();
    const double dot = shared_dot[0];
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) gx[o + j] = (T)((double)y[o + j] * ((double)gy[o + j] - dot));
}

template <class T> int fwd(const char* fn, const T* x, T* y, int64_t rows, int64_t cols, void* stream) {
    SFD_REQUIRE(rows >= 0 && cols >= 0, fn, "negative size");
    if (rows == 0 || cols == 0) return 0;
    SFD_REQUIRE(x && y, fn, "NULL pointer");
    if (cols <= 1024) {
        SFD_REQUIRE((rows + kWarpRowsPerBlock - 1) / kWarpRowsPerBlock < (1LL << 31), fn, "too many rows");
        auto k = &softmax_fwd_warp<T>;
        SFD_LAUNCH(k, (unsigned)((rows + kWarpRowsPerBlock - 1) / kWarpRowsPerBlock), 256, 0, stream, x, y, rows, cols);
    } else {
        SFD_REQUIRE(rows < (1LL << 31), fn, "too many rows");
        auto k = &softmax_fwd_block<T>;
        SFD_LAUNCH(k, (unsigned)rows, kRowThreads, 0, stream, x, y, cols);
    }
    return check_launch(fn);
}

template <class T> int bwd(const char* fn, const T* y, const T* gy, T* gx, int64_t rows, int64_t cols, void* stream) {
    SFD_REQUIRE(rows >= 0 && cols >= 0, fn, "negative size");
    if (rows == 0 || cols == 0) return 0;
    SFD_REQUIRE(y && gy && gx, fn, "NULL pointer");
    if (cols <= 1024) {
        SFD_REQUIRE((rows + kWarpRowsPerBlock - 1) / kWarpRowsPerBlock < (1LL << 31), fn, "too many rows");
        auto k = &softmax_bwd_warp<T>;
        SFD_LAUNCH(k, (unsigned)((rows + kWarpRowsPerBlock - 1) / kWarpRowsPerBlock), 256, 0, stream, y, gy, gx, rows, cols);
    } else {
        SFD_REQUIRE(rows < (1LL << 31), fn, "too many rows");
        auto k = &softmax_bwd_block<T>;
        SFD_LAUNCH(k, (unsigned)rows, kRowThreads, 0, stream, y, gy, gx, cols);
    }
    return check_launch(fn);
}

}  // namespace
}  // namespace sfd

extern "C" int sfd_softmax_fwd_f32(const float* x, float* y, int64_t rows, int64_t cols, void* stream) {
    return sfd::fwd("sfd_softmax_fwd_f32", x, y, rows, cols, stream);
}
extern "C" int sfd_softmax_fwd_f64(const double* x, double* y, int64_t rows, int64_t cols, void* stream) {
    return sfd::fwd("sfd_softmax_fwd_f64", x, y, rows, cols, stream);
}
extern "C" int sfd_softmax_bwd_f32(const float* y, const float* gy, float* gx, int64_t rows, int64_t cols, void* stream) {
    return sfd::bwd("sfd_softmax_bwd_f32", y, gy, gx, rows, cols, stream);
}
extern "C" int sfd_softmax_bwd_f64(const double* y, const double* gy, double* gx, int64_t rows, int64_t cols, void* stream) {
    return sfd::bwd("sfd_softmax_bwd_f64", y, gy, gx, rows, cols, stream);
}
