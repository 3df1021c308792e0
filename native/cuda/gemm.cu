// gemm.cu - batched C = alpha op(A) op(B) + beta C with transposes and batch broadcasting, on the
// tiled register-blocked core in sfd_igemm.cuh.
#include "../include/sfd_igemm.cuh"

namespace sfd {
namespace {

template <class T> struct GemmProblem {
    const T* a;
    const T* b;
    T* c;
    int M, N, K;
    int transA, transB;
    int64_t strideA, strideB;
    T alpha, beta;

    SFD_DEVICE bool aKFast() const { return !transA; }
    SFD_DEVICE bool bKFast() const { return transB != 0; }
    SFD_DEVICE T loadA(int z, int m, int k) const {
        const T* p = a + z * strideA;
        return transA ? p[(int64_t)k * M + m] : p[(int64_t)m * K + k];
    }
    SFD_DEVICE T loadB(int z, int k, int n) const {
        const T* p = b + z * strideB;
        return transB ? p[(int64_t)n * K + k] : p[(int64_t)k * N + n];
    }
    SFD_DEVICE void store(int z, int m, int n, T acc) const {
        T* p = c + (int64_t)z * M * N + (int64_t)m * N + n;
        *p = beta == (T)0 ? alpha * acc : alpha * acc + beta * *p;  // beta == 0 never reads C
    }
};

template <class T>
int gemm(const char* fn, const T* a, const T* b, T* c, int64_t batch, int64_t m, int64_t n, int64_t k, int ta, int tb, double alpha, double beta,
         int64_t sa, int64_t sb, void* stream) {
    SFD_REQUIRE(batch >= 0 && m >= 0 && n >= 0 && k >= 0, fn, "negative size");
    SFD_REQUIRE(m < (1LL << 31) && n < (1LL << 31) && k < (1LL << 31) && batch < (1LL << 31), fn, "size exceeds 2^31");
    SFD_REQUIRE(sa >= 0 && sb >= 0, fn, "negative batch stride");
    if (batch == 0 || m == 0 || n == 0) return 0;
    SFD_REQUIRE(c && (k == 0 || (a && b)), fn, "NULL pointer");
    GemmProblem<T> p{a, b, c, (int)m, (int)n, (int)k, ta != 0, tb != 0, sa, sb, (T)alpha, (T)beta};
    launch_igemm<T>(p, (int)batch, stream);  // K == 0 runs the epilogue on a zero accumulator
    return check_launch(fn);
}

}  // namespace
}  // namespace sfd

extern "C" int sfd_gemm_fwd_f32(const float* a, const float* b, float* c, int64_t batch, int64_t m, int64_t n, int64_t k, int transA, int transB,
                                double alpha, double beta, int64_t strideA, int64_t strideB, void* stream) {
    return sfd::gemm("sfd_gemm_fwd_f32", a, b, c, batch, m, n, k, transA, transB, alpha, beta, strideA, strideB, stream);
}
extern "C" int sfd_gemm_fwd_f64(const double* a, const double* b, double* c, int64_t batch, int64_t m, int64_t n, int64_t k, int transA, int transB,
                                double alpha, double beta, int64_t strideA, int64_t strideB, void* stream) {
    return sfd::gemm("sfd_gemm_fwd_f64", a, b, c, batch, m, n, k, transA, transB, alpha, beta, strideA, strideB, stream);
}
