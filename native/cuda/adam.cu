// adam.cu - fused in-place Adam step (PyTorch semantics, L2 weight decay added to the gradient) and
// EMA update. One pass over param/grad/m/v; scalar coefficients folded on the host in double.
#include "../include/sfd_common.cuh"

#include <math.h>

namespace sfd {
namespace {


// m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr (m / bc1) / (sqrt(v / bc2) + eps)
template <class T>
SFD_KERNEL void adam_kernel(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ m, T* __restrict__ v, int64_t n, T lr, T b1, T b2, T eps, T wd,
                            T bc1, T bc2) {
    SFD_GRID_STRIDE(i, n) {
        T gi = g[i];
        if (wd != (T)0) gi += wd * p[i];
        T mi = b1 * m[i] + ((T)1 - b1) * gi;
        T vi = b2 * v[i] + ((T)1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= lr * (mi / bc1) / (m_sqrt(vi / bc2) + eps);
    }
}

template <class T> SFD_KERNEL void ema_kernel(T* __restrict__ ema, const T* __restrict__ p, int64_t n, T beta) {
    SFD_GRID_STRIDE(i, n) ema[i] = beta * ema[i] + ((T)1 - beta) * p[i];
}

template <class T>
int adam(const char* fn, T* p, const T* g, T* m, T* v, int64_t n, double lr, double b1, double b2, double eps, double wd, int64_t step, void* stream) {
    SFD_REQUIRE(n >= 0, fn, "n < 0");
    SFD_REQUIRE(step >= 1, fn, "step must be >= 1");
    SFD_REQUIRE(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1, fn, "betas must be in [0, 1)");
    if (n == 0) return 0;
    SFD_REQUIRE(p && g && m && v, fn, "NULL pointer");
    double bc1 = 1.0 - pow(b1, (double)step), bc2 = 1.0 - pow(b2, (double)step);
    auto k = &adam_kernel<T>;
    SFD_LAUNCH(k, grid_for(n), kThreads, 0, stream, p, g, m, v, n, (T)lr, (T)b1, (T)b2, (T)eps, (T)wd, (T)bc1, (T)bc2);
    return check_launch(fn);
}

template <class T> int ema(const char* fn, T* e, const T* p, int64_t n, double beta, void* stream) {
    SFD_REQUIRE(n >= 0, fn, "n < 0");
    if (n == 0) return 0;
    SFD_REQUIRE(e && p, fn, "NULL pointer");
    auto k = &ema_kernel<T>;
    SFD_LAUNCH(k, grid_for(n), kThreads, 0, stream, e, p, n, (T)beta);
    return check_launch(fn);
}

}  // namespace
}  // namespace sfd

#define SFD_ADAM_ABI(T, S)                                                                                                      \
    extern "C" int sfd_adam_fwd_##S(T* param, const T* grad, T* m, T* v, int64_t n, double lr, double beta1, double beta2,       \
                                    double eps, double weightDecay, int64_t step, void* stream) {                               \
        return sfd::adam("sfd_adam_fwd_" #S, param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, step, stream);           \
    }                                                                                                                           \
    extern "C" int sfd_ema_fwd_##S(T* ema, const T* param, int64_t n, double beta, void* stream) {                              \
        return sfd::ema("sfd_ema_fwd_" #S, ema, param, n, beta, stream);                                                        \
    }
SFD_ADAM_ABI(float, f32)
SFD_ADAM_ABI(double, f64)
