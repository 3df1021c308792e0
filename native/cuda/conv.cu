// conv.cu - 2-D convolution, stride 1, zero padding, as implicit GEMM on the tiled core of
// sfd_igemm.cuh (no im2col buffer: the B operand is gathered from the image while loading tiles).
//   forward          out[n] (Cout x HoWo)   = W (Cout x Cin KK) * im2col(x[n]) (Cin KK x HoWo) + bias
//   backward data    gx[n]  (Cin x HW)      = W^T-gather (Cin x Cout KK) * col(gy[n]) (Cout KK x HW)
//                    where col(gy)[(co,kh,kw), (h,w)] = gy[co, h - kh + pad, w - kw + pad] (0 outside)
//   backward weight  gw     (Cout x Cin KK) = gy (Cout x N HoWo) * im2col(x)^T (N HoWo x Cin KK)
//   bias gradient    gb[co] = sum over n, pixels of gy  (block reduction per channel)
// Every output element is produced by exactly one thread (no atomics): results are deterministic.
#include "../include/sfd_igemm.cuh"

namespace sfd {
namespace {

struct ConvGeom {
    int N, Cin, H, W, Cout, K, pad, Ho, Wo;
};

template <class T> struct ConvFwd {
    const T* x;
    const T* w;
    const T* bias;
    T* out;
    ConvGeom g;
    int M, N, K;  // Cout, Ho*Wo, Cin*K*K
    SFD_DEVICE bool aKFast() const { return true; }
    SFD_DEVICE bool bKFast() const { return false; }
    SFD_DEVICE T loadA(int, int m, int k) const { return w[(int64_t)m * K + k]; }
    SFD_DEVICE T loadB(int z, int k, int n) const {
        const int kk = g.K * g.K;
        int ci = k / kk, r = k - ci * kk, kh = r / g.K, kw = r - kh * g.K;
        int oh = n / g.Wo, ow = n - oh * g.Wo;
        int ih = oh + kh - g.pad, iw = ow + kw - g.pad;
        if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) return (T)0;
        return x[(((int64_t)z * g.Cin + ci) * g.H + ih) * g.W + iw];
    }
    SFD_DEVICE void store(int z, int m, int n, T acc) const {
        out[((int64_t)z * g.Cout + m) * N + n] = bias ? acc + bias[m] : acc;
    }
};

template <class T> struct ConvBwdData {
    const T* gy;
    const T* w;
    T* gx;
    ConvGeom g;
    int M, N, K;  // Cin, H*W, Cout*K*K
    SFD_DEVICE bool aKFast() const { return true; }
    SFD_DEVICE bool bKFast() const { return false; }
    SFD_DEVICE T loadA(int, int ci, int k) const {
        const int kk = g.K * g.K;
        int co = k / kk, r = k - co * kk;
        return w[((int64_t)co * g.Cin + ci) * kk + r];
    }
    SFD_DEVICE T loadB(int z, int k, int n) const {
        const int kk = g.K * g.K;
        int co = k / kk, r = k - co * kk, kh = r / g.K, kw = r - kh * g.K;
        int h = n / g.W, x_ = n - h * g.W;
        int oh = h - kh + g.pad, ow = x_ - kw + g.pad;
        if (oh < 0 || oh >= g.Ho || ow < 0 || ow >= g.Wo) return (T)0;
        return gy[(((int64_t)z * g.Cout + co) * g.Ho + oh) * g.Wo + ow];
    }
    SFD_DEVICE void store(int z, int m, int n, T acc) const { gx[((int64_t)z * g.Cin + m) * N + n] = acc; }
};

template <class T> struct ConvBwdWeight {
    const T* x;
    const T* gy;
    T* gw;
    ConvGeom g;
    int M, N, K;  // Cout, Cin*K*K, N*Ho*Wo
    SFD_DEVICE bool aKFast() const { return true; }
    SFD_DEVICE bool bKFast() const { return true; }
    SFD_DEVICE T loadA(int, int co, int k) const {
        const int hw = g.Ho * g.Wo;
        int n = k / hw, p = k - n * hw;
        return gy[((int64_t)n * g.Cout + co) * hw + p];
    }
    SFD_DEVICE T loadB(int, int k, int col) const {
        const int hw = g.Ho * g.Wo, kk = g.K * g.K;
        int n = k / hw, p = k - n * hw, oh = p / g.Wo, ow = p - oh * g.Wo;
        int ci = col / kk, r = col - ci * kk, kh = r / g.K, kw = r - kh * g.K;
        int ih = oh + kh - g.pad, iw = ow + kw - g.pad;
        if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) return (T)0;
        return x[(((int64_t)n * g.Cin + ci) * g.H + ih) * g.W + iw];
    }
    SFD_DEVICE void store(int, int m, int n, T acc) const { gw[(int64_t)m * N + n] = acc; }
};

// gb[co] = sum_{n, p} gy[n, co, p]; one block per channel.
template <class T> SFD_KERNEL SFD_LAUNCH_BOUNDS(256) void bias_grad_kernel(const T* __restrict__ gy, T* __restrict__ gb, int N, int Cout, int hw) {
    SFD_SHARED(T, scratch, 32);
    const int co = blockIdx.x;
    T acc = 0;
    for (int n = 0; n < N; n++) {
        const T* p = gy + ((int64_t)n * Cout + co) * hw;
        for (int i = threadIdx.x; i < hw; i += blockDim.x) acc += p[i];
    }
    acc = block_reduce(acc, scratch, SumOp(), (T)0);
    if (threadIdx.x == 0) gb[co] = acc;
}

const char* check_geom(int n, int cin, int h, int w, int cout, int k, int pad) {
    if (n < 0 || cin < 0 || h < 0 || w < 0 || cout < 0) return "negative size";
    if (k < 1) return "kernel size must be >= 1";
    if (pad < 0) return "negative padding";
    if (h + 2 * pad - k + 1 < 1 || w + 2 * pad - k + 1 < 1) return "kernel larger than the padded image";
    if ((int64_t)cin * k * k >= (1LL << 31) || (int64_t)n * (h + 2 * pad) * (w + 2 * pad) >= (1LL << 31)) return "size exceeds 2^31";
    return nullptr;
}

template <class T>
int conv_fwd(const char* fn, const T* x, const T* w, const T* bias, T* out, int n, int cin, int h, int wd, int cout, int k, int pad, void* stream) {
    if (const char* e = check_geom(n, cin, h, wd, cout, k, pad)) return invalid(fn, e);
    ConvGeom g{n, cin, h, wd, cout, k, pad, h + 2 * pad - k + 1, wd + 2 * pad - k + 1};
    if (n == 0 || cout == 0) return 0;
    SFD_REQUIRE(out && (cin == 0 || (x && w)), fn, "NULL pointer");
    ConvFwd<T> p{x, w, bias, out, g, cout, g.Ho * g.Wo, cin * k * k};
    launch_igemm<T>(p, n, stream);
    return check_launch(fn);
}

template <class T> int conv_bwd_data(const char* fn, const T* gy, const T* w, T* gx, int n, int cin, int h, int wd, int cout, int k, int pad, void* stream) {
    if (const char* e = check_geom(n, cin, h, wd, cout, k, pad)) return invalid(fn, e);
    ConvGeom g{n, cin, h, wd, cout, k, pad, h + 2 * pad - k + 1, wd + 2 * pad - k + 1};
    if (n == 0 || cin == 0) return 0;
    SFD_REQUIRE(gx && (cout == 0 || (gy && w)), fn, "NULL pointer");
    ConvBwdData<T> p{gy, w, gx, g, cin, h * wd, cout * k * k};
    launch_igemm<T>(p, n, stream);
    return check_launch(fn);
}

template <class T>
int conv_bwd_weight(const char* fn, const T* x, const T* gy, T* gw, T* gb, int n, int cin, int h, int wd, int cout, int k, int pad, void* stream) {
    if (const char* e = check_geom(n, cin, h, wd, cout, k, pad)) return invalid(fn, e);
    ConvGeom g{n, cin, h, wd, cout, k, pad, h + 2 * pad - k + 1, wd + 2 * pad - k + 1};
    if (cout == 0) return 0;
    SFD_REQUIRE(n == 0 || (x && gy), fn, "NULL pointer");
    if (cin > 0) {
        SFD_REQUIRE(gw, fn, "gw is NULL");
        ConvBwdWeight<T> p{x, gy, gw, g, cout, cin * k * k, n * g.Ho * g.Wo};
        launch_igemm<T>(p, 1, stream);
        if (int r = check_launch(fn)) return r;
    }
    if (gb) {
        auto k_bias = &bias_grad_kernel<T>;
        SFD_LAUNCH(k_bias, (unsigned)cout, 256, 0, stream, gy, gb, n, cout, g.Ho * g.Wo);
        return check_launch(fn);
    }
    return 0;
}

}  // namespace
}  // namespace sfd

#define SFD_CONV_ABI(T, S)                                                                                                             \
    extern "C" int sfd_conv2d_fwd_##S(const T* x, const T* w, const T* bias, T* out, int n, int cin, int h, int wd, int cout, int k,    \
                                      int pad, void* stream) {                                                                         \
        return sfd::conv_fwd("sfd_conv2d_fwd_" #S, x, w, bias, out, n, cin, h, wd, cout, k, pad, stream);                              \
    }                                                                                                                                  \
    extern "C" int sfd_conv2d_bwd_data_##S(const T* gy, const T* w, T* gx, int n, int cin, int h, int wd, int cout, int k, int pad,     \
                                           void* stream) {                                                                             \
        return sfd::conv_bwd_data("sfd_conv2d_bwd_data_" #S, gy, w, gx, n, cin, h, wd, cout, k, pad, stream);                          \
    }                                                                                                                                  \
    extern "C" int sfd_conv2d_bwd_weight_##S(const T* x, const T* gy, T* gw, T* gbias, int n, int cin, int h, int wd, int cout, int k, \
                                             int pad, void* stream) {                                                                  \
        return sfd::conv_bwd_weight("sfd_conv2d_bwd_weight_" #S, x, gy, gw, gbias, n, cin, h, wd, cout, k, pad, stream);               \
    }
SFD_CONV_ABI(float, f32)
SFD_CONV_ABI(double, f64)
