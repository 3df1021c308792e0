// resample.cu - 2x nearest upsampling and 2x2 average pooling (NCHW planes), forward and backward.
// Thread per element of the larger image for the scatter-free directions and per element of the
// smaller image for the gathering directions; every output written once (no atomics).
#include "../include/sfd_common.cuh"

namespace sfd {
namespace {


// y[p, 2h+a, 2w+b] = x[p, h, w]; thread per output element (coalesced writes).
template <class T> SFD_KERNEL void up_fwd(const T* __restrict__ x, T* __restrict__ y, int64_t planes, int h, int w) {
    const int W2 = 2 * w, H2 = 2 * h;
    SFD_GRID_STRIDE(i, planes * H2 * W2) {
        int64_t p = i / ((int64_t)H2 * W2);
        int r = (int)(i - p * H2 * W2), oy = r / W2, ox = r - oy * W2;
        y[i] = x[(p * h + (oy >> 1)) * w + (ox >> 1)];
    }
}
// gx[p, h, w] = sum of the 2x2 block of gy; thread per input element.
template <class T> SFD_KERNEL void up_bwd(const T* __restrict__ gy, T* __restrict__ gx, int64_t planes, int h, int w) {
    const int W2 = 2 * w;
    SFD_GRID_STRIDE(i, planes * h * w) {
        int64_t p = i / ((int64_t)h * w);
        int r = (int)(i - p * h * w), iy = r / w, ix = r - iy * w;
        const T* g = gy + (p * 2 * h + 2 * iy) * W2 + 2 * ix;
        gx[i] = (g[0] + g[1]) + (g[W2] + g[W2 + 1]);
    }
}
// y[p, h, w] = mean of the 2x2 block of x (x is [2h, 2w]); thread per output element.
template <class T> SFD_KERNEL void pool_fwd(const T* __restrict__ x, T* __restrict__ y, int64_t planes, int h, int w) {
    const int W2 = 2 * w;
    SFD_GRID_STRIDE(i, planes * h * w) {
        int64_t p = i / ((int64_t)h * w);
        int r = (int)(i - p * h * w), oy = r / w, ox = r - oy * w;
        const T* s = x + (p * 2 * h + 2 * oy) * W2 + 2 * ox;
        y[i] = ((s[0] + s[1]) + (s[W2] + s[W2 + 1])) * (T)0.25;
    }
}
// gx[p, y, x] = gy[p, y/2, x/2] / 4; thread per element of gx.
template <class T> SFD_KERNEL void pool_bwd(const T* __restrict__ gy, T* __restrict__ gx, int64_t planes, int h, int w) {
    const int W2 = 2 * w, H2 = 2 * h;
    SFD_GRID_STRIDE(i, planes * H2 * W2) {
        int64_t p = i / ((int64_t)H2 * W2);
        int r = (int)(i - p * H2 * W2), iy = r / W2, ix = r - iy * W2;
        gx[i] = gy[(p * h + (iy >> 1)) * w + (ix >> 1)] * (T)0.25;
    }
}

enum Which { UpFwd, UpBwd, PoolFwd, PoolBwd };

template <class T> int run(const char* fn, Which which, const T* in, T* out, int64_t planes, int h, int w, void* stream) {
    SFD_REQUIRE(planes >= 0 && h >= 0 && w >= 0, fn, "negative size");
    SFD_REQUIRE((int64_t)4 * h * w < (1LL << 31), fn, "plane exceeds 2^31 elements");
    int64_t small = planes * h * w;
    if (small == 0) return 0;
    SFD_REQUIRE(in && out, fn, "NULL pointer");
    int64_t n = (which == UpFwd || which == PoolBwd) ? 4 * small : small;
    void (*k)(const T*, T*, int64_t, int, int) = which == UpFwd ? &up_fwd<T> : which == UpBwd ? &up_bwd<T> : which == PoolFwd ? &pool_fwd<T> : &pool_bwd<T>;
    SFD_LAUNCH(k, grid_for(n), kThreads, 0, stream, in, out, planes, h, w);
    return check_launch(fn);
}

}  // namespace
}  // namespace sfd

#define SFD_RESAMPLE_ABI(T, S)                                                                                       \
    extern "C" int sfd_upsample2x_fwd_##S(const T* x, T* y, int64_t planes, int h, int w, void* stream) {            \
        return sfd::run("sfd_upsample2x_fwd_" #S, sfd::UpFwd, x, y, planes, h, w, stream);                           \
    }                                                                                                                \
    extern "C" int sfd_upsample2x_bwd_##S(const T* gy, T* gx, int64_t planes, int h, int w, void* stream) {          \
        return sfd::run("sfd_upsample2x_bwd_" #S, sfd::UpBwd, gy, gx, planes, h, w, stream);                         \
    }                                                                                                                \
    extern "C" int sfd_avgpool2x_fwd_##S(const T* x, T* y, int64_t planes, int h, int w, void* stream) {             \
        return sfd::run("sfd_avgpool2x_fwd_" #S, sfd::PoolFwd, x, y, planes, h, w, stream);                          \
    }                                                                                                                \
    extern "C" int sfd_avgpool2x_bwd_##S(const T* gy, T* gx, int64_t planes, int h, int w, void* stream) {           \
        return sfd::run("sfd_avgpool2x_bwd_" #S, sfd::PoolBwd, gy, gx, planes, h, w, stream);                        \
    }
SFD_RESAMPLE_ABI(float, f32)
SFD_RESAMPLE_ABI(double, f64)
