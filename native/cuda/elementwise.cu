// elementwise.cu - fill, unary fwd/bwd, binary with numpy broadcasting (via strides), scalar ops,
// axpby, clamp and strided copy with conversion. Memory-bound grid-stride kernels.
#include "../include/sfd_common.cuh"

namespace sfd {
namespace {

// Shape + strides, passed to kernels by value. Dimensions are coalesced on the host first, so the
// common cases (same shape, scalar, row/column broadcast) run with rank 1 or 2.
struct Strided {
    int rank;
    int64_t shape[SFD_MAX_RANK];
    int64_t sa[SFD_MAX_RANK];
    int64_t sb[SFD_MAX_RANK];
};

// Merges adjacent dims d, d+1 when both operands are contiguous across them; drops size-1 dims.
inline Strided coalesce(int rank, const int64_t* shape, const int64_t* sa, const int64_t* sb) {
    Strided g{};
    for (int d = 0; d < rank; d++) {
        if (shape[d] == 1) continue;
        if (g.rank > 0) {
            int p = g.rank - 1;
            if (g.sa[p] == sa[d] * shape[d] && g.sb[p] == sb[d] * shape[d]) {
                g.shape[p] *= shape[d];
                g.sa[p] = sa[d];
                g.sb[p] = sb[d];
                continue;
            }
        }
        g.shape[g.rank] = shape[d];
        g.sa[g.rank] = sa[d];
        g.sb[g.rank] = sb[d];
        g.rank++;
    }
    if (g.rank == 0) {
        g.rank = 1;
        g.shape[0] = 1;
        g.sa[0] = g.sb[0] = 0;
    }
    return g;
}

SFD_DEVICE void offsets(const Strided& g, int64_t i, int64_t& oa, int64_t& ob) {
    oa = 0;
    ob = 0;
    for (int d = g.rank - 1; d >= 0; d--) {
        int64_t s = g.shape[d];
        int64_t q = i / s, r = i - q * s;
        oa += r * g.sa[d];
        ob += r * g.sb[d];
        i = q;
    }
}


// ------------------------------------------------------------------ unary
template <class T> SFD_DEVICE T unary_op(int op, T x) {
    switch (op) {
        case SFD_NEG: return -x;
        case SFD_EXP: return m_exp(x);
        case SFD_LOG: return m_log(x);
        case SFD_SQRT: return m_sqrt(x);
        case SFD_RSQRT: return (T)1 / m_sqrt(x);
        case SFD_SQUARE: return x * x;
        case SFD_RECIPROCAL: return (T)1 / x;
        case SFD_ABS: return m_abs(x);
        case SFD_SIGN: return x > 0 ? (T)1 : x < 0 ? (T)-1 : x;  // Math.signum: keeps +-0 and NaN
        case SFD_SIN: return m_sin(x);
        case SFD_COS: return m_cos(x);
        case SFD_TANH: return m_tanh(x);
        case SFD_SIGMOID: return (T)1 / ((T)1 + m_exp(-x));
        case SFD_SILU: return x / ((T)1 + m_exp(-x));
        case SFD_RELU: return x > 0 ? x : (x != x ? x : (T)0);  // NaN propagates
        case SFD_NAN_TO_NUM: return x != x ? (T)0 : x == (T)INFINITY ? (T)1e5 : x == -(T)INFINITY ? (T)-1e5 : x;
    }
    return x;
}

// gx = gy * d op(x)/dx, using y = op(x) where that is cheaper.
template <class T> SFD_DEVICE T unary_grad(int op, T x, T y, T g) {
    switch (op) {
        case SFD_NEG: return -g;
        case SFD_EXP: return g * y;
        case SFD_LOG: return g / x;
        case SFD_SQRT: return g * (T)0.5 / y;
        case SFD_RSQRT: return g * (T)-0.5 * y * y * y;
        case SFD_SQUARE: return g * (T)2 * x;
        case SFD_RECIPROCAL: return -g * y * y;
        case SFD_ABS: return x > 0 ? g : x < 0 ? -g : (T)0;
        case SFD_SIGN: return (T)0;
        case SFD_SIN: return g * m_cos(x);
        case SFD_COS: return -g * m_sin(x);
        case SFD_TANH: return g * ((T)1 - y * y);
        case SFD_SIGMOID: return g * y * ((T)1 - y);
        case SFD_SILU: {
            T s = (T)1 / ((T)1 + m_exp(-x));
            return g * s * ((T)1 + x * ((T)1 - s));
        }
        case SFD_RELU: return x > 0 ? g : (T)0;
        case SFD_NAN_TO_NUM: return (T)0;  // a clean-up, not differentiated (as the Java reference: derivative 0)
    }
    return g;
}

template <class T> SFD_DEVICE T binary_op(int op, T a, T b) {
    switch (op) {
        case SFD_ADD: return a + b;
        case SFD_SUB: return a - b;
        case SFD_MUL: return a * b;
        case SFD_DIV: return a / b;
        case SFD_MAX: return jmax(a, b);
        case SFD_MIN: return jmin(a, b);
        case SFD_POW: return m_pow(a, b);
    }
    return a;
}

template <class T> SFD_KERNEL void fill_kernel(T* out, int64_t n, T v) {
    SFD_GRID_STRIDE(i, n) out[i] = v;
}
template <class T> SFD_KERNEL void unary_fwd_kernel(int op, const T* __restrict__ x, T* __restrict__ y, int64_t n) {
    SFD_GRID_STRIDE(i, n) y[i] = unary_op(op, x[i]);
}
template <class T>
SFD_KERNEL void unary_bwd_kernel(int op, const T* __restrict__ x, const T* __restrict__ y, const T* __restrict__ gy, T* __restrict__ gx, int64_t n) {
    SFD_GRID_STRIDE(i, n) gx[i] = unary_grad(op, x[i], y[i], gy[i]);
}
// out may alias a or b (in-place ops): no __restrict__ here.
template <class T> SFD_KERNEL void binary_kernel(int op, const T* a, const T* b, T* out, Strided g, int64_t n) {
    SFD_GRID_STRIDE(i, n) {
        int64_t oa, ob;
        offsets(g, i, oa, ob);
        out[i] = binary_op(op, a[oa], b[ob]);
    }
}
template <class T> SFD_KERNEL void binary_scalar_kernel(int op, const T* x, T s, T* out, int64_t n) {
    SFD_GRID_STRIDE(i, n) out[i] = binary_op(op, x[i], s);
}
template <class T> SFD_KERNEL void axpby_kernel(T alpha, const T* x, T beta, const T* y, T* out, int64_t n) {
    SFD_GRID_STRIDE(i, n) out[i] = alpha * x[i] + beta * y[i];
}
template <class T> SFD_KERNEL void clamp_kernel(const T* x, T lo, T hi, T* out, int64_t n) {
    SFD_GRID_STRIDE(i, n) out[i] = jmin(jmax(x[i], lo), hi);
}
// sa = source strides, sb = destination strides
template <class S, class D> SFD_KERNEL void copy_kernel(const S* src, D* dst, Strided g, int64_t n) {
    SFD_GRID_STRIDE(i, n) {
        int64_t os, od;
        offsets(g, i, os, od);
        dst[od] = (D)src[os];
    }
}

int64_t volume(int rank, const int64_t* shape) {
    int64_t n = 1;
    for (int d = 0; d < rank; d++) n *= shape[d];
    return n;
}

template <class T> int fill(const char* fn, T* out, int64_t n, double v, void* stream) {
    SFD_REQUIRE(n >= 0 && (n == 0 || out), fn, "out is NULL or n < 0");
    if (n == 0) return 0;
    auto k = &fill_kernel<T>;
    SFD_LAUNCH(k, grid_for(n), kThreads, 0, stream, out, n, (T)v);
    return check_launch(fn);
}
template <class T> int unary_fwd(const char* fn, int op, const T* x, T* y, int64_t n, void* stream) {
    SFD_REQUIRE(op >= 0 && op < SFD_UNARY_OP_COUNT, fn, "unknown unary op");
    SFD_REQUIRE(n >= 0 && (n == 0 || (x && y)), fn, "NULL pointer or n < 0");
    if (n == 0) return 0;
    auto k = &unary_fwd_kernel<T>;
    SFD_LAUNCH(k, grid_for(n), kThreads, 0, stream, op, x, y, n);
    return check_launch(fn);
}
template <class T> int unary_bwd(const char* fn, int op, const T* x, const T* y, const T* gy, T* gx, int64_t n, void* stream) {
    SFD_REQUIRE(op >= 0 && op < SFD_UNARY_OP_COUNT, fn, "unknown unary op");
    SFD_REQUIRE(n >= 0 && (n == 0 || (x && y && gy && gx)), fn, "NULL pointer or n < 0");
    if (n == 0) return 0;
    auto k = &unary_bwd_kernel<T>;
    SFD_LAUNCH(k, grid_for(n), kThreads, 0, stream, op, x, y, gy, gx, n);
    return check_launch(fn);
}
template <class T>
int binary(const char* fn, int op, const T* a, const T* b, T* out, int rank, const int64_t* shape, const int64_t* sa, const int64_t* sb, void* stream) {
    SFD_REQUIRE(op >= 0 && op < SFD_BINARY_OP_COUNT, fn, "unknown binary op");
    SFD_REQUIRE(rank >= 0 && rank <= SFD_MAX_RANK, fn, "rank must be in [0, 8]");
    SFD_REQUIRE(rank == 0 || (shape && sa && sb), fn, "shape or strides NULL");
    int64_t n = volume(rank, shape);
    SFD_REQUIRE(n >= 0 && (n == 0 || (a && b && out)), fn, "NULL pointer");
    if (n == 0) return 0;
    Strided g = coalesce(rank, shape, sa, sb);
    auto k = &binary_kernel<T>;
    SFD_LAUNCH(k, grid_for(n), kThreads, 0, stream, op, a, b, out, g, n);
    return check_launch(fn);
}
template <class T> int binary_scalar(const char* fn, int op, const T* x, double s, T* out, int64_t n, void* stream) {
    SFD_REQUIRE(op >= 0 && op < SFD_BINARY_OP_COUNT, fn, "unknown binary op");
    SFD_REQUIRE(n >= 0 && (n == 0 || (x && out)), fn, "NULL pointer or n < 0");
    if (n == 0) return 0;
    auto k = &binary_scalar_kernel<T>;
    SFD_LAUNCH(k, grid_for(n), kThreads, 0, stream, op, x, (T)s, out, n);
    return check_launch(fn);
}
template <class T> int axpby(const char* fn, double alpha, const T* x, double beta, const T* y, T* out, int64_t n, void* stream) {
    SFD_REQUIRE(n >= 0 && (n == 0 || (x && y && out)), fn, "NULL pointer or n < 0");
    if (n == 0) return 0;
    auto k = &axpby_kernel<T>;
    SFD_LAUNCH(k, grid_for(n), kThreads, 0, stream, (T)alpha, x, (T)beta, y, out, n);
    return check_launch(fn);
}
template <class T> int clamp(const char* fn, const T* x, double lo, double hi, T* out, int64_t n, void* stream) {
    SFD_REQUIRE(n >= 0 && (n == 0 || (x && out)), fn, "NULL pointer or n < 0");
    if (n == 0) return 0;
    auto k = &clamp_kernel<T>;
    SFD_LAUNCH(k, grid_for(n), kThreads, 0, stream, x, (T)lo, (T)hi, out, n);
    return check_launch(fn);
}
template <class S, class D>
int copy(const char* fn, const S* src, D* dst, int rank, const int64_t* shape, const int64_t* ss, const int64_t* ds, void* stream) {
    SFD_REQUIRE(rank >= 0 && rank <= SFD_MAX_RANK, fn, "rank must be in [0, 8]");
    SFD_REQUIRE(rank == 0 || (shape && ss && ds), fn, "shape or strides NULL");
    int64_t n = volume(rank, shape);
    SFD_REQUIRE(n >= 0 && (n == 0 || (src && dst)), fn, "NULL pointer");
    if (n == 0) return 0;
    Strided g = coalesce(rank, shape, ss, ds);
    auto k = &copy_kernel<S, D>;
    SFD_LAUNCH(k, grid_for(n), kThreads, 0, stream, src, dst, g, n);
    return check_launch(fn);
}

}  // namespace
}  // namespace sfd

#define SFD_ELEMENTWISE_ABI(T, S)                                                                                                     \
    extern "C" int sfd_fill_fwd_##S(T* out, int64_t n, double value, void* stream) {                                                  \
        return sfd::fill("sfd_fill_fwd_" #S, out, n, value, stream);                                                                  \
    }                                                                                                                                 \
    extern "C" int sfd_unary_fwd_##S(int op, const T* x, T* y, int64_t n, void* stream) {                                             \
        return sfd::unary_fwd("sfd_unary_fwd_" #S, op, x, y, n, stream);                                                              \
    }                                                                                                                                 \
    extern "C" int sfd_unary_bwd_##S(int op, const T* x, const T* y, const T* gy, T* gx, int64_t n, void* stream) {                   \
        return sfd::unary_bwd("sfd_unary_bwd_" #S, op, x, y, gy, gx, n, stream);                                                      \
    }                                                                                                                                 \
    extern "C" int sfd_binary_fwd_##S(int op, const T* a, const T* b, T* out, int rank, const int64_t* outShape,                      \
                                      const int64_t* aStrides, const int64_t* bStrides, void* stream) {                               \
        return sfd::binary("sfd_binary_fwd_" #S, op, a, b, out, rank, outShape, aStrides, bStrides, stream);                          \
    }                                                                                                                                 \
    extern "C" int sfd_binary_scalar_fwd_##S(int op, const T* x, double s, T* out, int64_t n, void* stream) {                         \
        return sfd::binary_scalar("sfd_binary_scalar_fwd_" #S, op, x, s, out, n, stream);                                             \
    }                                                                                                                                 \
    extern "C" int sfd_axpby_fwd_##S(double alpha, const T* x, double beta, const T* y, T* out, int64_t n, void* stream) {            \
        return sfd::axpby("sfd_axpby_fwd_" #S, alpha, x, beta, y, out, n, stream);                                                    \
    }                                                                                                                                 \
    extern "C" int sfd_clamp_fwd_##S(const T* x, double lo, double hi, T* out, int64_t n, void* stream) {                             \
        return sfd::clamp("sfd_clamp_fwd_" #S, x, lo, hi, out, n, stream);                                                            \
    }

SFD_ELEMENTWISE_ABI(float, f32)
SFD_ELEMENTWISE_ABI(double, f64)

#define SFD_COPY_ABI(TS, TD, N)                                                                                                       \
    extern "C" int sfd_copy_fwd_##N(const TS* src, TD* dst, int rank, const int64_t* shape, const int64_t* srcStrides,                \
                                    const int64_t* dstStrides, void* stream) {                                                        \
        return sfd::copy("sfd_copy_fwd_" #N, src, dst, rank, shape, srcStrides, dstStrides, stream);                                  \
    }
SFD_COPY_ABI(float, float, f32)
SFD_COPY_ABI(double, double, f64)
SFD_COPY_ABI(float, double, f32_f64)
SFD_COPY_ABI(double, float, f64_f32)
