// philox.cu - Philox-4x32-10 uniform and normal draws with the stream layout of docs/philox.md
// (normative) and native/PHILOX.md (this implementation, known-answer values).
//
// Stream: key = (lo32(seed), hi32(seed)); element i uses block b = i / 4 with counter
// (lo32(counter + b), hi32(counter + b), 0, 0) and output word i % 4. One thread per block b.
// Uniform (both dtypes): (word >> 8) * 2^-24, in [0, 1), exact in float.
// Normal (both dtypes), Box-Muller in double, then rounded to the element type:
//   u1 = ((w0 >> 8) + 1) 2^-24, u2 = (w1 >> 8) 2^-24, u3 = ((w2 >> 8) + 1) 2^-24, u4 = (w3 >> 8) 2^-24
//   n[4b] = r1 cos(2 pi u2), n[4b+1] = r1 sin(2 pi u2), n[4b+2] = r2 cos(2 pi u4), n[4b+3] = r2 sin(2 pi u4),
//   r1 = sqrt(-2 ln u1), r2 = sqrt(-2 ln u3).
// ln, sin and cos are evaluated by det_log / det_sincos_2pi below, which use only IEEE-754 double
// +, -, *, / and sqrt (correctly rounded everywhere) in a fixed order. This file is compiled with
// --fmad=false (nvcc) and -ffp-contract=off (g++), so GPU, emulation and a Java transcription
// (PHILOX.md) produce the same bits. Accuracy: within 2 ulp of the exact ln / sin / cos.
#include "../include/sfd_common.cuh"

namespace sfd {
namespace {

SFD_DEVICE void philox4x32_10(uint32_t c[4], uint32_t k0, uint32_t k1) {
    const uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
    SFD_UNROLL
    for (int round = 0; round < 10; round++) {
        const uint32_t hi0 = sfd_umulhi(M0, c[0]), lo0 = M0 * c[0];
        const uint32_t hi1 = sfd_umulhi(M1, c[2]), lo1 = M1 * c[2];
        const uint32_t n0 = hi1 ^ c[1] ^ k0, n2 = hi0 ^ c[3] ^ k1;
        c[0] = n0;
        c[1] = lo1;
        c[2] = n2;
        c[3] = lo0;
        k0 += W0;  // the bump after the last round is never used
        k1 += W1;
    }
}

SFD_DEVICE double bits_to_double(uint64_t b) {
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}
SFD_DEVICE uint64_t double_to_bits(double d) {
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

// ln(u) for normal positive u: u = m 2^e with m in (sqrt(1/2), sqrt(2)], ln m = 2 atanh(s),
// s = (m - 1) / (m + 1), |s| <= 0.1716, series to s^23 (truncation < 1e-19 relative).
SFD_DEVICE double det_log(double u) {
    const uint64_t bits = double_to_bits(u);
    int e = (int)((bits >> 52) & 0x7ff) - 1023;
    double m = bits_to_double((bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull);
    if (m > 1.4142135623730951) {
        m = m * 0.5;
        e = e + 1;
    }
    const double s = (m - 1.0) / (m + 1.0);
    const double z = s * s;
    double p = 2.0 / 23.0;
    p = p * z + 2.0 / 21.0;
    p = p * z + 2.0 / 19.0;
    p = p * z + 2.0 / 17.0;
    p = p * z + 2.0 / 15.0;
    p = p * z + 2.0 / 13.0;
    p = p * z + 2.0 / 11.0;
    p = p * z + 2.0 / 9.0;
    p = p * z + 2.0 / 7.0;
    p = p * z + 2.0 / 5.0;
    p = p * z + 2.0 / 3.0;
    p = p * z + 2.0;
    const double ln2hi = 6.93147180369123816490e-01;  // 0x3FE62E42FEE00000: e * ln2hi is exact
    const double ln2lo = 1.90821492927058770002e-10;
    const double de = (double)e;
    return de * ln2hi + (de * ln2lo + s * p);
}

// sin(2 pi u) and cos(2 pi u) for u in [0, 1): exact reduction on u (4u = q + r), then Taylor series
// on a in [0, pi/4] (truncation < 1e-17).
SFD_DEVICE void det_sincos_2pi(double u, double* sn, double* cs) {
    const double t = 4.0 * u;
    const int q = (int)t;
    const double r = t - (double)q;
    const bool flip = r > 0.5;
    const double a = (flip ? 1.0 - r : r) * 1.5707963267948966;
    const double a2 = a * a;
    double ps = 1.0 / 355687428096000.0;
    ps = ps * a2 - 1.0 / 1307674368000.0;
    ps = ps * a2 + 1.0 / 6227020800.0;
    ps = ps * a2 - 1.0 / 39916800.0;
    ps = ps * a2 + 1.0 / 362880.0;
    ps = ps * a2 - 1.0 / 5040.0;
    ps = ps * a2 + 1.0 / 120.0;
    ps = ps * a2 - 1.0 / 6.0;
    ps = ps * a2 + 1.0;
    const double sa = a * ps;
    double pc = 1.0 / 20922789888000.0;
    pc = pc * a2 - 1.0 / 87178291200.0;
    pc = pc * a2 + 1.0 / 479001600.0;
    pc = pc * a2 - 1.0 / 3628800.0;
    pc = pc * a2 + 1.0 / 40320.0;
    pc = pc * a2 - 1.0 / 720.0;
    pc = pc * a2 + 1.0 / 24.0;
    pc = pc * a2 - 1.0 / 2.0;
    pc = pc * a2 + 1.0;
    const double ca = pc;
    const double s0 = flip ? ca : sa, c0 = flip ? sa : ca;  // sin, cos of r pi/2
    switch (q) {
        case 0: *sn = s0; *cs = c0; break;
        case 1: *sn = c0; *cs = -s0; break;
        case 2: *sn = -s0; *cs = -c0; break;
        default: *sn = -c0; *cs = s0; break;
    }
}

SFD_DEVICE double u24(uint32_t w) { return (double)(w >> 8) * (1.0 / 16777216.0); }
SFD_DEVICE double u24_open0(uint32_t w) { return (double)((w >> 8) + 1) * (1.0 / 16777216.0); }

SFD_DEVICE void philox_block(uint64_t seed, uint64_t counter, int64_t b, uint32_t w[4]) {
    const uint64_t c = counter + (uint64_t)b;
    w[0] = (uint32_t)c;
    w[1] = (uint32_t)(c >> 32);
    w[2] = 0;
    w[3] = 0;
    philox4x32_10(w, (uint32_t)seed, (uint32_t)(seed >> 32));
}

template <class T> SFD_KERNEL void uniform_kernel(T* __restrict__ out, int64_t n, uint64_t seed, uint64_t counter) {
    const int64_t nb = (n + 3) / 4;
    for (int64_t b = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; b < nb; b += (int64_t)gridDim.x * blockDim.x) {
        uint32_t w[4];
        philox_block(seed, counter, b, w);
        SFD_UNROLL
        for (int j = 0; j < 4; j++)
            if (4 * b + j < n) out[4 * b + j] = (T)u24(w[j]);
    }
}

template <class T> SFD_KERNEL void normal_kernel(T* __restrict__ out, int64_t n, uint64_t seed, uint64_t counter) {
    const int64_t nb = (n + 3) / 4;
    for (int64_t b = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; b < nb; b += (int64_t)gridDim.x * blockDim.x) {
        uint32_t w[4];
        philox_block(seed, counter, b, w);
        double z[4];
        SFD_UNROLL
        for (int h = 0; h < 2; h++) {
            const double rr = sqrt(-2.0 * det_log(u24_open0(w[2 * h])));
            double s, c;
            det_sincos_2pi(u24(w[2 * h + 1]), &s, &c);
            z[2 * h] = rr * c;
            z[2 * h + 1] = rr * s;
        }
        SFD_UNROLL
        for (int j = 0; j < 4; j++)
            if (4 * b + j < n) out[4 * b + j] = (T)z[j];
    }
}

template <class T> int draw(const char* fn, bool normal, T* out, int64_t n, int64_t seed, int64_t counter, void* stream) {
    SFD_REQUIRE(n >= 0, fn, "n < 0");
    if (n == 0) return 0;
    SFD_REQUIRE(out, fn, "out is NULL");
    auto k_normal = &normal_kernel<T>;
    auto k_uniform = &uniform_kernel<T>;
    unsigned grid = grid_for((n + 3) / 4);
    if (normal) SFD_LAUNCH(k_normal, grid, kThreads, 0, stream, out, n, (uint64_t)seed, (uint64_t)counter);
    else SFD_LAUNCH(k_uniform, grid, kThreads, 0, stream, out, n, (uint64_t)seed, (uint64_t)counter);
    return check_launch(fn);
}

}  // namespace
}  // namespace sfd

extern "C" int sfd_philox_uniform_fwd_f32(float* out, int64_t n, int64_t seed, int64_t counter, void* stream) {
    return sfd::draw("sfd_philox_uniform_fwd_f32", false, out, n, seed, counter, stream);
}
extern "C" int sfd_philox_uniform_fwd_f64(double* out, int64_t n, int64_t seed, int64_t counter, void* stream) {
    return sfd::draw("sfd_philox_uniform_fwd_f64", false, out, n, seed, counter, stream);
}
extern "C" int sfd_philox_normal_fwd_f32(float* out, int64_t n, int64_t seed, int64_t counter, void* stream) {
    return sfd::draw("sfd_philox_normal_fwd_f32", true, out, n, seed, counter, stream);
}
extern "C" int sfd_philox_normal_fwd_f64(double* out, int64_t n, int64_t seed, int64_t counter, void* stream) {
    return sfd::draw("sfd_philox_normal_fwd_f64", true, out, n, seed, counter, stream);
}
