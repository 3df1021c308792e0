// sfd_common.cuh - device helpers shared by the kernel families, and the host-side error plumbing
// of the C ABI. Included by every native/cuda/*.cu after sfd_cuda.h.
#pragma once

#include "sfd_cuda.h"
#include "sfd_kernels.h"

#include <math.h>
#include <string.h>

namespace sfd {

// ------------------------------------------------------------------ math overloads (float / double)
SFD_DEVICE float m_exp(float x) { return expf(x); }
SFD_DEVICE double m_exp(double x) { return exp(x); }
SFD_DEVICE float m_log(float x) { return logf(x); }
SFD_DEVICE double m_log(double x) { return log(x); }
SFD_DEVICE float m_sqrt(float x) { return sqrtf(x); }
SFD_DEVICE double m_sqrt(double x) { return sqrt(x); }
SFD_DEVICE float m_sin(float x) { return sinf(x); }
SFD_DEVICE double m_sin(double x) { return sin(x); }
SFD_DEVICE float m_cos(float x) { return cosf(x); }
SFD_DEVICE double m_cos(double x) { return cos(x); }
SFD_DEVICE float m_tanh(float x) { return tanhf(x); }
SFD_DEVICE double m_tanh(double x) { return tanh(x); }
SFD_DEVICE float m_pow(float x, float y) { return powf(x, y); }
SFD_DEVICE double m_pow(double x, double y) { return pow(x, y); }
SFD_DEVICE float m_abs(float x) { return fabsf(x); }
SFD_DEVICE double m_abs(double x) { return fabs(x); }
template <class T> SFD_DEVICE bool m_isnan(T x) { return x != x; }
SFD_DEVICE bool m_signbit(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return (u >> 31) != 0;
}
SFD_DEVICE bool m_signbit(double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return (u >> 63) != 0;
}

// Java Math.max / Math.min semantics: NaN wins; -0.0 < +0.0.
template <class T> SFD_DEVICE T jmax(T a, T b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == b) return m_signbit(a) ? b : a;
    return a > b ? a : b;
}
template <class T> SFD_DEVICE T jmin(T a, T b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == b) return m_signbit(a) ? a : b;
    return a < b ? a : b;
}
template <class T> SFD_DEVICE T neg_inf() { return -(T)INFINITY; }

// ------------------------------------------------------------------ warp and block reductions
struct SumOp {
    template <class T> SFD_DEVICE T operator()(T a, T b) const { return a + b; }
};
struct MaxOp {
    template <class T> SFD_DEVICE T operator()(T a, T b) const { return jmax(a, b); }
};

template <class T, class Op> SFD_DEVICE T warp_reduce(T v, Op op) {
SFD_UNROLL
    for (int o = 16; o > 0; o >>= 1) v = op(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;  // every lane holds the result
}

// Block-wide reduction; blockDim.x a multiple of 32 (<= 1024), blockDim.y = blockDim.z = 1.
// `scratch` holds >= 32 elements. Every thread receives the result. Safe to call repeatedly with the
// same scratch (the leading barrier orders this call's writes after the previous call's reads).
template <class T, class Op> SFD_DEVICE T block_reduce(T v, SFD_SMEM(T) scratch, Op op, T identity) {
    v = warp_reduce(v, op);
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < nwarps ? scratch[lane] : identity;
    return warp_reduce(v, op);
}

// ------------------------------------------------------------------ launch geometry
// Grid-stride loop over [0, n) with 64-bit indices (memory-bound elementwise kernels).
#define SFD_GRID_STRIDE(i, n) \
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (int64_t)gridDim.x * blockDim.x)

constexpr int kThreads = 256;
inline unsigned grid_for(int64_t n, int threads = kThreads, int64_t maxBlocks = 65535) {
    int64_t b = (n + threads - 1) / threads;
    if (b < 1) b = 1;
    if (b > maxBlocks) b = maxBlocks;
    return (unsigned)b;
}

// ------------------------------------------------------------------ host: errors of the C ABI
void set_error(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Returns 0 after a successful launch, otherwise the CUDA error (and records a message naming fn).
int check_launch(const char* fn);
// Records "fn: msg" and returns cudaErrorInvalidValue.
int invalid(const char* fn, const char* msg);

}  // namespace sfd

#define SFD_REQUIRE(cond, fn, msg) \
    do {                           \
        if (!(cond)) return ::sfd::invalid(fn, msg); \
    } while (0)
