// tsan_test.cu - built with -fsanitize=thread; the emulation runs in thread mode (one OS thread per
// CUDA thread), so ThreadSanitizer observes every shared-memory access and every barrier.
//   tsan_test                : gemm and reductions on tiny shapes; must be race-free and correct.
//   tsan_test --seeded-race  : a block reduction missing its first __syncthreads; TSan must report it.
#include "../include/sfd_common.cuh"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

template <bool Bug> SFD_KERNEL void tree_sum(const float* x, float* out) {
    SFD_SHARED(float, s, 64);
    int t = threadIdx.x;
    s[t] = x[t];
    if (!Bug) __syncthreads();
    for (int o = 32; o > 0; o >>= 1) {
        if (t < o) s[t] += s[t + o];
        __syncthreads();
    }
    if (t == 0) out[0] = s[0];
}

int failures = 0;
void expect(bool ok, const char* what) {
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    failures += !ok;
}

}  // namespace

int main(int argc, char** argv) {
    sfd_emu_configure(1, 1, 0, 0);  // thread mode
    if (argc > 1 && !strcmp(argv[1], "--seeded-race")) {
        std::vector<float> x(64, 1.0f);
        float out = 0;
        auto k = &tree_sum<true>;
        SFD_LAUNCH(k, 1, 64, 0, nullptr, x.data(), &out);
        printf("seeded race kernel returned %g\n", out);
        return 0;  // TSan's exit code (66) signals the report
    }
    {
        std::vector<float> x(64);
        for (int i = 0; i < 64; i++) x[i] = (float)i;
        float out = 0;
        auto k = &tree_sum<false>;
        SFD_LAUNCH(k, 1, 64, 0, nullptr, x.data(), &out);
        expect(cudaGetLastError() == cudaSuccess && out == 2016.0f, "tree sum with barriers");
    }
    // gemm: batch 2 with broadcast B, both transposes, odd sizes (several K steps and partial tiles)
    for (int ta = 0; ta < 2; ta++) {
        for (int tb = 0; tb < 2; tb++) {
            const int B = 2, M = 7, N = 9, K = 19;
            std::vector<float> a(B * M * K), b(K * N), c(B * M * N, 0.f);
            for (size_t i = 0; i < a.size(); i++) a[i] = (float)((i * 7) % 13) - 6;
            for (size_t i = 0; i < b.size(); i++) b[i] = (float)((i * 5) % 11) - 5;
            int rc = sfd_gemm_fwd_f32(a.data(), b.data(), c.data(), B, M, N, K, ta, tb, 1.0, 0.0, M * K, 0, nullptr);
            bool ok = rc == 0;
            for (int z = 0; z < B; z++)
                for (int i = 0; i < M; i++)
                    for (int j = 0; j < N; j++) {
                        double s = 0;
                        for (int k = 0; k < K; k++) {
                            double av = ta ? a[z * M * K + k * M + i] : a[z * M * K + i * K + k];
                            double bv = tb ? b[j * K + k] : b[k * N + j];
                            s += av * bv;
                        }
                        ok &= c[z * M * N + i * N + j] == (float)s;  // small integers: exact
                    }
            char what[64];
            snprintf(what, sizeof what, "gemm 2x7x9x19 transA=%d transB=%d", ta, tb);
            expect(ok, what);
        }
    }
    // reductions: rows kernel (block reduce) and cols kernel (thread per output)
    {
        std::vector<double> x(5 * 130);
        for (size_t i = 0; i < x.size(); i++) x[i] = (double)(i % 17) - 8;
        int64_t in[2] = {5, 130}, outRows[2] = {5, 1}, outCols[2] = {1, 130};
        std::vector<double> r(5), c(130);
        bool ok = sfd_reduce_fwd_f64(SFD_SUM, x.data(), r.data(), 2, in, outRows, nullptr) == 0;
        ok &= sfd_reduce_fwd_f64(SFD_RMAX, x.data(), c.data(), 2, in, outCols, nullptr) == 0;
        for (int i = 0; i < 5; i++) {
            double s = 0;
            for (int j = 0; j < 130; j++) s += x[i * 130 + j];
            ok &= r[i] == s;
        }
        for (int j = 0; j < 130; j++) {
            double m = -INFINITY;
            for (int i = 0; i < 5; i++) m = std::fmax(m, x[i * 130 + j]);
            ok &= c[j] == m;
        }
        expect(ok, "reduce sum over last dim, max over first dim");
        std::vector<float> y(3 * 1100), col(1100);  // 1100 outputs of 3 elements: one thread per output
        for (size_t i = 0; i < y.size(); i++) y[i] = (float)(i % 7);
        int64_t in2[2] = {3, 1100}, out2[2] = {1, 1100};
        bool ok2 = sfd_reduce_fwd_f32(SFD_SUM, y.data(), col.data(), 2, in2, out2, nullptr) == 0;
        for (int j = 0; j < 1100; j++) ok2 &= col[j] == y[j] + y[1100 + j] + y[2200 + j];
        expect(ok2, "reduce sum over first dim, thread per output");
    }
    printf("%s\n", failures ? "tsan_test FAILED" : "tsan_test passed");
    return failures ? 1 : 0;
}
