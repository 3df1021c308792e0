// sid_loss.cu - the fused SiD generator loss (SPEC-SFD section 6) per sample, and its backward.
//   omega_n = max(mean_i |r - x|, 1e-5)            (held constant in the backward)
//   loss_n  = sum_i d ((r - x) - alpha d) / omega_n, d = r - f
// Forward: one block per sample, both sums in one pass with block reductions.
// Backward: elementwise with the per-sample scale gradLoss[n] / omega[n].
#include "../include/sfd_common.cuh"

namespace sfd {
namespace {

constexpr int kSidThreads = 256;

template <class T>
SFD_KERNEL SFD_LAUNCH_BOUNDS(kSidThreads) void sid_fwd_kernel(const T* __restrict__ x, const T* __restrict__ r, const T* __restrict__ f,
                                                            T* __restrict__ loss, T* __restrict__ omega, int64_t D, T alpha) {
    SFD_SHARED(T, scratch, 32);
    const int64_t base = (int64_t)blockIdx.x * D;
    T sabs = 0, sl = 0;
    for (int64_t i = threadIdx.x; i < D; i += blockDim.x) {
        const T rx = r[base + i] - x[base + i];
        const T d = r[base + i] - f[base + i];
        sabs += m_abs(rx);
        sl += d * (rx - alpha * d);
    }
    sabs = block_reduce(sabs, scratch, SumOp(), (T)0);
    sl = block_reduce(sl, scratch, SumOp(), (T)0);
    if (threadIdx.x == 0) {
        const T om = jmax(sabs / (T)D, (T)1e-5);
        omega[blockIdx.x] = om;
        loss[blockIdx.x] = sl / om;
    }
}

template <class T>
SFD_KERNEL void sid_bwd_kernel(const T* __restrict__ x, const T* __restrict__ r, const T* __restrict__ f, const T* __restrict__ omega,
                               const T* __restrict__ gl, T* __restrict__ gx, T* __restrict__ gr, T* __restrict__ gf, int64_t N, int64_t D, T alpha) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < N * D; i += (int64_t)gridDim.x * blockDim.x) {
        const int64_t n = i / D;
        const T s = gl[n] / omega[n];
        const T rx = r[i] - x[i], d = r[i] - f[i];
        const T t = rx - (T)2 * alpha * d;
        if (gx) gx[i] = -d * s;
        if (gr) gr[i] = (t + d) * s;
        if (gf) gf[i] = -t * s;
    }
}

template <class T> int fwd(const char* fn, const T* x, const T* r, const T* f, T* loss, T* omega, int64_t n, int64_t d, double alpha, void* stream) {
    SFD_REQUIRE(n >= 0 && d >= 0, fn, "negative size");
    SFD_REQUIRE(n < (1LL << 31), fn, "N exceeds 2^31");
    if (n == 0) return 0;
    SFD_REQUIRE(d > 0, fn, "D must be > 0 (omega is a mean over D)");
    SFD_REQUIRE(x && r && f && loss && omega, fn, "NULL pointer");
    auto k = &sid_fwd_kernel<T>;
    SFD_LAUNCH(k, (unsigned)n, kSidThreads, 0, stream, x, r, f, loss, omega, d, (T)alpha);
    return check_launch(fn);
}

template <class T>
int bwd(const char* fn, const T* x, const T* r, const T* f, const T* omega, const T* gl, T* gx, T* gr, T* gf, int64_t n, int64_t d, double alpha,
        void* stream) {
    SFD_REQUIRE(n >= 0 && d >= 0, fn, "negative size");
    if (n == 0 || d == 0) return 0;
    SFD_REQUIRE(x && r && f && omega && gl, fn, "NULL pointer");
    auto k = &sid_bwd_kernel<T>;
    SFD_LAUNCH(k, grid_for(n * d), kThreads, 0, stream, x, r, f, omega, gl, gx, gr, gf, n, d, (T)alpha);
    return check_launch(fn);
}

}  // namespace
}  // namespace sfd

#define SFD_SID_ABI(T, S)                                                                                                         \
    extern "C" int sfd_sid_loss_fwd_##S(const T* xg, const T* yReal, const T* yFake, T* loss, T* omega, int64_t n, int64_t d,      \
                                        double alpha, void* stream) {                                                             \
        return sfd::fwd("sfd_sid_loss_fwd_" #S, xg, yReal, yFake, loss, omega, n, d, alpha, stream);                              \
    }                                                                                                                             \
    extern "C" int sfd_sid_loss_bwd_##S(const T* xg, const T* yReal, const T* yFake, const T* omega, const T* gradLoss, T* gxg,    \
                                        T* gReal, T* gFake, int64_t n, int64_t d, double alpha, void* stream) {                   \
        return sfd::bwd("sfd_sid_loss_bwd_" #S, xg, yReal, yFake, omega, gradLoss, gxg, gReal, gFake, n, d, alpha, stream);       \
    }
SFD_SID_ABI(float, f32)
SFD_SID_ABI(double, f64)
