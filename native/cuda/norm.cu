// norm.cu - group norm forward / backward over x[N, C, S] (S = product of spatial dims).
// A (n, group) slab is C/G * S contiguous elements; one block per slab computes its statistics with
// block reductions (two passes: mean, then the biased variance about the mean, which avoids the
// cancellation of E[x^2] - E[x]^2). Affine-parameter gradients use one block per channel.
#include "../include/sfd_common.cuh"

namespace sfd {
namespace {

constexpr int kNormThreads = 256;

template <class T>
SFD_KERNEL SFD_LAUNCH_BOUNDS(kNormThreads) void gn_fwd_kernel(const T* __restrict__ x, const T* __restrict__ gamma, const T* __restrict__ beta,
                                                            T* __restrict__ out, T* __restrict__ mean, T* __restrict__ rstd, int C, int64_t S,
                                                            int G, T eps) {
    SFD_SHARED(T, scratch, 32);
    const int slab = blockIdx.x;  // n * G + g
    const int g = slab % G, cg = C / G;
    const int64_t L = (int64_t)cg * S;
    const T* xs = x + (int64_t)slab * L;
    T* os = out + (int64_t)slab * L;

    T s = 0;
    for (int64_t i = threadIdx.x; i < L; i += blockDim.x) s += xs[i];
    const T mu = block_reduce(s, scratch, SumOp(), (T)0) / (T)L;
    T q = 0;
    for (int64_t i = threadIdx.x; i < L; i += blockDim.x) {
        T d = xs[i] - mu;
        q += d * d;
    }
    const T var = block_reduce(q, scratch, SumOp(), (T)0) / (T)L;
    const T r = (T)1 / m_sqrt(var + eps);
    if (threadIdx.x == 0) {
        mean[slab] = mu;
        rstd[slab] = r;
    }
    for (int64_t i = threadIdx.x; i < L; i += blockDim.x) {
        const int c = g * cg + (int)(i / S);
        T y = (xs[i] - mu) * r;
        if (gamma) y *= gamma[c];
        if (beta) y += beta[c];
        os[i] = y;
    }
}

// gx = rstd * (dxh - mean(dxh) - xhat * mean(dxh * xhat)), dxh = gy * gamma, xhat = (x - mean) rstd.
template <class T>
SFD_KERNEL SFD_LAUNCH_BOUNDS(kNormThreads) void gn_bwd_data_kernel(const T* __restrict__ x, const T* __restrict__ gamma, const T* __restrict__ mean,
                                                                 const T* __restrict__ rstd, const T* __restrict__ gy, T* __restrict__ gx, int C,
                                                                 int64_t S, int G) {
    SFD_SHARED(T, scratch, 32);
    const int slab = blockIdx.x;
    const int g = slab % G, cg = C / G;
    const int64_t L = (int64_t)cg * S;
    const int64_t base = (int64_t)slab * L;
    const T mu = mean[slab], r = rstd[slab];
    T s1 = 0, s2 = 0;
    for (int64_t i = threadIdx.x; i < L; i += blockDim.x) {
        T d = gy[base + i];
        if (gamma) d *= gamma[g * cg + (int)(i / S)];
        s1 += d;
        s2 += d * (x[base + i] - mu) * r;
    }
    const T m1 = block_reduce(s1, scratch, SumOp(), (T)0) / (T)L;
    const T m2 = block_reduce(s2, scratch, SumOp(), (T)0) / (T)L;
    for (int64_t i = threadIdx.x; i < L; i += blockDim.x) {
        T d = gy[base + i];
        if (gamma) d *= gamma[g * cg + (int)(i / S)];
        const T xh = (x[base + i] - mu) * r;
        gx[base + i] = r * (d - m1 - xh * m2);
    }
}

// ggamma[c] = sum_{n,s} gy * xhat, gbeta[c] = sum_{n,s} gy; one block per channel.
template <class T>
SFD_KERNEL SFD_LAUNCH_BOUNDS(kNormThreads) void gn_bwd_affine_kernel(const T* __restrict__ x, const T* __restrict__ mean, const T* __restrict__ rstd,
                                                                   const T* __restrict__ gy, T* __restrict__ ggamma, T* __restrict__ gbeta, int N,
                                                                   int C, int64_t S, int G) {
    SFD_SHARED(T, scratch, 32);
    const int c = blockIdx.x, g = c / (C / G);
    T sg = 0, sb = 0;
    for (int n = 0; n < N; n++) {
        const int64_t base = ((int64_t)n * C + c) * S;
        const T mu = mean[n * G + g], r = rstd[n * G + g];
        for (int64_t i = threadIdx.x; i < S; i += blockDim.x) {
            const T d = gy[base + i];
            sg += d * (x[base + i] - mu) * r;
            sb += d;
        }
    }
    sg = block_reduce(sg, scratch, SumOp(), (T)0);
    sb = block_reduce(sb, scratch, SumOp(), (T)0);
    if (threadIdx.x == 0) {
        if (ggamma) ggamma[c] = sg;
        if (gbeta) gbeta[c] = sb;
    }
}

const char* check(int n, int c, int64_t s, int groups) {
    if (n < 0 || c < 0 || s < 0) return "negative size";
    if (groups < 1 || c % groups != 0) return "channels must be a positive multiple of groups";
    if ((int64_t)n * groups >= (1LL << 31)) return "N * groups exceeds 2^31";
    return nullptr;
}

template <class T>
int gn_fwd(const char* fn, const T* x, const T* gamma, const T* beta, T* out, T* mean, T* rstd, int n, int c, int64_t s, int groups, double eps,
           void* stream) {
    if (const char* e = check(n, c, s, groups)) return invalid(fn, e);
    if (n == 0 || c == 0) return 0;
    SFD_REQUIRE(x && out && mean && rstd, fn, "NULL pointer");
    SFD_REQUIRE(s > 0, fn, "empty spatial extent (statistics undefined)");
    auto k = &gn_fwd_kernel<T>;
    SFD_LAUNCH(k, (unsigned)(n * groups), kNormThreads, 0, stream, x, gamma, beta, out, mean, rstd, c, s, groups, (T)eps);
    return check_launch(fn);
}

template <class T>
int gn_bwd(const char* fn, const T* x, const T* gamma, const T* mean, const T* rstd, const T* gy, T* gx, T* ggamma, T* gbeta, int n, int c, int64_t s,
           int groups, void* stream) {
    if (const char* e = check(n, c, s, groups)) return invalid(fn, e);
    if (c == 0) return 0;
    SFD_REQUIRE(n == 0 || s == 0 || (x && mean && rstd && gy), fn, "NULL pointer");
    if (n > 0 && s > 0 && gx) {
        auto k = &gn_bwd_data_kernel<T>;
        SFD_LAUNCH(k, (unsigned)(n * groups), kNormThreads, 0, stream, x, gamma, mean, rstd, gy, gx, c, s, groups);
        if (int r = check_launch(fn)) return r;
    }
    if (ggamma || gbeta) {
        auto k = &gn_bwd_affine_kernel<T>;
        SFD_LAUNCH(k, (unsigned)c, kNormThreads, 0, stream, x, mean, rstd, gy, ggamma, gbeta, n, c, s, groups);
        return check_launch(fn);
    }
    return 0;
}

}  // namespace
}  // namespace sfd

#define SFD_NORM_ABI(T, S)                                                                                                             \
    extern "C" int sfd_group_norm_fwd_##S(const T* x, const T* gamma, const T* beta, T* out, T* mean, T* rstd, int n, int c,            \
                                          int64_t spatial, int groups, double eps, void* stream) {                                     \
        return sfd::gn_fwd("sfd_group_norm_fwd_" #S, x, gamma, beta, out, mean, rstd, n, c, spatial, groups, eps, stream);             \
    }                                                                                                                                  \
    extern "C" int sfd_group_norm_bwd_##S(const T* x, const T* gamma, const T* mean, const T* rstd, const T* gy, T* gx, T* ggamma,      \
                                          T* gbeta, int n, int c, int64_t spatial, int groups, void* stream) {                         \
        return sfd::gn_bwd("sfd_group_norm_bwd_" #S, x, gamma, mean, rstd, gy, gx, ggamma, gbeta, n, c, spatial, groups, stream);      \
    }
SFD_NORM_ABI(float, f32)
SFD_NORM_ABI(double, f64)
