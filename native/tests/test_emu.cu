// test_emu.cu - the emulator itself: built-ins, barriers, shuffles, atomics, shared-memory poison and
// bounds, and the seeded-bug kernels that prove the harness catches a missing __syncthreads, a
// divergent barrier and an out-of-bounds shared-memory index. Compiled with -DSFD_EMU only.
#include "../include/sfd_common.cuh"
#include "harness.h"

#include <string>
#include <vector>

using sfd::emu::Config;
using sfd::emu::Mode;
using sfd::emu::Schedule;

namespace {

struct ConfigScope {  // sets an emulator configuration for one test and restores the previous one
    Config saved;
    explicit ConfigScope(Mode m, Schedule s = Schedule::Forward, int workers = 1) : saved(sfd::emu::config()) {
        sfd::emu::configure(Config{m, workers, s, 1234});
    }
    ~ConfigScope() { sfd::emu::configure(saved); }
};

std::string launch_error() {
    cudaError_t e = cudaGetLastError();
    if (e == cudaSuccess) return "";
    return sfd::emu::last_error_detail();
}

// ------------------------------------------------------------------ built-ins
SFD_KERNEL void k_indices(int* out) {
    int t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    int b = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
    int nt = blockDim.x * blockDim.y * blockDim.z;
    out[b * nt + t] = b * 1000 + t;
}

// ------------------------------------------------------------------ seeded bug 1: missing __syncthreads (read before write)
template <bool Bug> SFD_KERNEL void k_tree_sum(const float* x, float* out) {
    SFD_SHARED(float, s, 256);
    int t = threadIdx.x;
    s[t] = x[blockIdx.x * 256 + t];
    if (!Bug) __syncthreads();  // the seeded bug removes this barrier (uniform: Bug is a template constant)
    for (int o = 128; o > 0; o >>= 1) {
        if (t < o) s[t] += s[t + o];
        __syncthreads();
    }
    if (t == 0) out[blockIdx.x] = s[0];
}

// ------------------------------------------------------------------ seeded bug 2: missing __syncthreads (overwrite before read)
template <bool Bug> SFD_KERNEL void k_rotating_sum(const float* x, int chunks, float* out) {
    SFD_SHARED(float, s, 128);
    int t = threadIdx.x;
    float acc = 0;
    for (int c = 0; c < chunks; c++) {
        s[t] = x[c * 128 + t];
        __syncthreads();
        acc += s[(t + 1) & 127];
        if (!Bug) __syncthreads();  // the seeded bug: next iteration overwrites s while neighbours still read it
    }
    out[t] = acc;
}

// ------------------------------------------------------------------ seeded bug 3: divergent barriers
SFD_KERNEL void k_barrier_in_branch(float* out) {
    if (threadIdx.x < 16) __syncthreads();  // threads 16.. exit without reaching it
    out[threadIdx.x] = 1;
}
SFD_KERNEL void k_two_barriers(float* out) {
    if (threadIdx.x & 1) {
        __syncthreads();
    } else {
        __syncthreads();  // a different barrier: CUDA requires the same one
    }
    out[threadIdx.x] = 1;
}
SFD_KERNEL void k_early_return(const int* n, float* out) {
    SFD_SHARED(float, s, 64);
    if ((int)threadIdx.x >= *n) return;  // the classic bounds-check-then-sync bug
    s[threadIdx.x] = 1;
    __syncthreads();
    out[threadIdx.x] = s[(threadIdx.x + 1) % *n];
}
SFD_KERNEL void k_shuffle_in_branch(float* out) {
    float v = (float)threadIdx.x;
    if ((threadIdx.x & 31) < 16) v = __shfl_xor_sync(0xffffffffu, v, 1);  // mask names lanes that never arrive
    out[threadIdx.x] = v;
}

// ------------------------------------------------------------------ seeded bug 4: shared memory out of bounds
SFD_KERNEL void k_static_oob(const float* x, float* out) {
    SFD_SHARED(float, s, 64);
    s[threadIdx.x + 1] = x[threadIdx.x];  // thread 63 writes s[64]
    __syncthreads();
    out[threadIdx.x] = s[threadIdx.x];
}
SFD_KERNEL void k_dynamic_oob(float* out) {
    SFD_DYNAMIC_SHARED(float, d);
    d[threadIdx.x] = 1;
    __syncthreads();
    out[threadIdx.x] = d[threadIdx.x + blockDim.x];  // reads past the blockDim.x floats launched
}
SFD_KERNEL void k_negative_index(float* out) {
    SFD_SHARED(double, s, 32);
    SFD_SMEM(double) p = s + 4;
    p[-5] = 1;  // one below the array
    out[0] = 0;
}

// ------------------------------------------------------------------ poison, shuffles, atomics
SFD_KERNEL void k_read_unwritten(float* out) {
    SFD_SHARED(float, s, 32);
    SFD_SHARED(double, d, 32);
    out[threadIdx.x] = s[threadIdx.x];
    out[32 + threadIdx.x] = (float)d[threadIdx.x];
}
SFD_KERNEL void k_shuffles(const float* x, float* out) {
    int t = threadIdx.x, lane = t & 31;
    float v = x[t];
    out[4 * t + 0] = sfd::warp_reduce(v, sfd::SumOp());
    out[4 * t + 1] = __shfl_down_sync(0xffffffffu, v, 3);
    out[4 * t + 2] = __shfl_up_sync(0xffffffffu, v, 5);
    out[4 * t + 3] = __shfl_sync(0xffffffffu, v, 31 - lane);
}
SFD_KERNEL void k_block_sum(const double* x, int n, double* out) {
    SFD_SHARED(double, scratch, 32);
    double v = 0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) v += x[i];
    double a = sfd::block_reduce(v, scratch, sfd::SumOp(), 0.0);
    double b = sfd::block_reduce(v * 2, scratch, sfd::SumOp(), 0.0);  // reuse of the scratch
    if (threadIdx.x == 0) {
        out[0] = a;
        out[1] = b;
    }
}
SFD_KERNEL void k_atomics(int* counter, double* sum) {
    atomicAdd(counter, 1);
    atomicAdd(sum, 0.5);
}

}  // namespace

TEST(emu_builtins_3d_grid_and_block) {
    dim3 grid(3, 2, 2), block(4, 3, 2);
    std::vector<int> out(12 * 24, -1);
    SFD_LAUNCH(k_indices, grid, block, 0, nullptr, out.data());
    CHECK(launch_error().empty());
    bool ok = true;
    for (int b = 0; b < 12; b++)
        for (int t = 0; t < 24; t++) ok &= out[b * 24 + t] == b * 1000 + t;
    CHECK(ok);
}

TEST(emu_block_reduce_and_scratch_reuse) {
    for (Mode m : {Mode::Fibers, Mode::Threads}) {
        ConfigScope cs(m);
        for (int threads : {32, 96, 256}) {
            std::vector<double> x(1000);
            double want = 0;
            for (int i = 0; i < 1000; i++) want += (x[i] = i * 0.25 - 7);
            double out[2] = {0, 0};
            SFD_LAUNCH(k_block_sum, dim3(1), dim3(threads), 0, nullptr, x.data(), 1000, out);
            CHECK(launch_error().empty());
            CHECK_MSG(out[0] == want && out[1] == 2 * want, "threads %d: %g %g want %g", threads, out[0], out[1], want);
        }
    }
}

TEST(emu_warp_shuffles) {
    for (Mode m : {Mode::Fibers, Mode::Threads}) {
        ConfigScope cs(m);
        std::vector<float> x(64), out(256);
        for (int i = 0; i < 64; i++) x[i] = (float)(i * i % 17);
        SFD_LAUNCH(k_shuffles, dim3(1), dim3(64), 0, nullptr, x.data(), out.data());
        CHECK(launch_error().empty());
        bool ok = true;
        for (int t = 0; t < 64; t++) {
            int w = t & ~31, lane = t & 31;
            float sum = 0;
            for (int l = 0; l < 32; l++) sum += x[w + l];
            ok &= out[4 * t] == sum;
            ok &= out[4 * t + 1] == (lane + 3 < 32 ? x[t + 3] : x[t]);
            ok &= out[4 * t + 2] == (lane >= 5 ? x[t - 5] : x[t]);
            ok &= out[4 * t + 3] == x[w + 31 - lane];
        }
        CHECK(ok);
    }
}

TEST(emu_atomics_across_concurrent_blocks) {
    ConfigScope cs(Mode::Fibers, Schedule::Forward, 2);
    int counter = 0;
    double sum = 0;
    SFD_LAUNCH(k_atomics, dim3(64), dim3(128), 0, nullptr, &counter, &sum);
    CHECK(launch_error().empty());
    CHECK(counter == 64 * 128);
    CHECK(sum == 64 * 128 * 0.5);
}

TEST(emu_shared_memory_is_nan_poisoned) {
    std::vector<float> out(64, 0);
    SFD_LAUNCH(k_read_unwritten, dim3(1), dim3(32), 0, nullptr, out.data());
    CHECK(launch_error().empty());
    bool allNan = true;
    for (float v : out) allNan &= std::isnan(v);
    CHECK(allNan);
}

TEST(emu_invalid_launch_configuration) {
    std::vector<float> out(2048);
    SFD_LAUNCH(k_read_unwritten, dim3(1), dim3(2048), 0, nullptr, out.data());
    std::string e = launch_error();
    CHECK_MSG(e.find("invalid launch configuration") != std::string::npos, "%s", e.c_str());
    SFD_LAUNCH(k_read_unwritten, dim3(0), dim3(32), 0, nullptr, out.data());
    CHECK(!launch_error().empty());
}

// ---- seeded bug 1
TEST(seeded_missing_syncthreads_read_before_write) {
    std::vector<float> x(512);
    for (int i = 0; i < 512; i++) x[i] = (float)(i % 7);
    double want[2] = {0, 0};
    for (int i = 0; i < 512; i++) want[i / 256] += x[i];
    // FORWARD (the default) and RANDOM catch it; REVERSE happens to store every s[t + o] before it is
    // read, which is why kernel tests run under more than one schedule.
    for (Schedule s : {Schedule::Forward, Schedule::Random}) {
        ConfigScope cs(Mode::Fibers, s);
        float good[2], bad[2];
        SFD_LAUNCH(k_tree_sum<false>, dim3(2), dim3(256), 0, nullptr, x.data(), good);
        CHECK(launch_error().empty());
        CHECK(good[0] == want[0] && good[1] == want[1]);
        SFD_LAUNCH(k_tree_sum<true>, dim3(2), dim3(256), 0, nullptr, x.data(), bad);
        CHECK(launch_error().empty());
        // forward order: thread 0 adds s[128] before thread 128 stored it -> NaN poison;
        // reverse/random orders: some other partial sum reads a poisoned slot
        CHECK_MSG(std::isnan(bad[0]) || bad[0] != want[0], "schedule %d: the missing barrier went unnoticed (%g)", (int)s, bad[0]);
    }
}

// ---- seeded bug 1b
TEST(seeded_missing_syncthreads_overwrite_before_read) {
    const int chunks = 3;
    std::vector<float> x(128 * chunks);
    for (size_t i = 0; i < x.size(); i++) x[i] = (float)(i % 11) + 1;
    std::vector<double> want(128, 0);
    for (int t = 0; t < 128; t++)
        for (int c = 0; c < chunks; c++) want[t] += x[c * 128 + ((t + 1) & 127)];
    for (Schedule s : {Schedule::Forward, Schedule::Reverse}) {
        ConfigScope cs(Mode::Fibers, s);
        std::vector<float> good(128), bad(128);
        SFD_LAUNCH(k_rotating_sum<false>, dim3(1), dim3(128), 0, nullptr, x.data(), chunks, good.data());
        CHECK(launch_error().empty());
        EXPECT_CLOSE("correct kernel", good.data(), want.data(), 128, 0, 0);
        SFD_LAUNCH(k_rotating_sum<true>, dim3(1), dim3(128), 0, nullptr, x.data(), chunks, bad.data());
        CHECK(launch_error().empty());
        int wrong = 0;
        for (int t = 0; t < 128; t++) wrong += bad[t] != want[t];
        CHECK_MSG(wrong > 0, "schedule %d: overwrite-before-read went unnoticed", (int)s);
    }
}

// ---- seeded bug 2: divergent barriers are reported, not hung on, in both modes
TEST(seeded_divergent_barrier_reported) {
    for (Mode m : {Mode::Fibers, Mode::Threads}) {
        ConfigScope cs(m);
        std::vector<float> out(64);
        int n = 50;
        SFD_LAUNCH(k_barrier_in_branch, dim3(1), dim3(64), 0, nullptr, out.data());
        std::string e1 = launch_error();
        CHECK_MSG(e1.find("deadlock (divergent barrier)") != std::string::npos && e1.find("k_barrier_in_branch") != std::string::npos,
                  "mode %d: '%s'", (int)m, e1.c_str());
        SFD_LAUNCH(k_two_barriers, dim3(1), dim3(64), 0, nullptr, out.data());
        std::string e2 = launch_error();
        CHECK_MSG(e2.find("divergent barrier") != std::string::npos, "mode %d: '%s'", (int)m, e2.c_str());
        SFD_LAUNCH(k_early_return, dim3(1), dim3(64), 0, nullptr, &n, out.data());
        std::string e3 = launch_error();
        CHECK_MSG(e3.find("divergent barrier") != std::string::npos, "mode %d: '%s'", (int)m, e3.c_str());
        SFD_LAUNCH(k_shuffle_in_branch, dim3(1), dim3(64), 0, nullptr, out.data());
        std::string e4 = launch_error();
        CHECK_MSG(e4.find("divergent warp") != std::string::npos || e4.find("deadlock") != std::string::npos, "mode %d: '%s'", (int)m, e4.c_str());
        if (m == Mode::Fibers) printf("     e.g. %s\n", e1.c_str());
    }
}

// ---- seeded bug 3: out-of-bounds shared-memory indices are reported with array, index and thread
TEST(seeded_shared_out_of_bounds_reported) {
    for (Mode m : {Mode::Fibers, Mode::Threads}) {
        ConfigScope cs(m);
        std::vector<float> x(64, 1), out(64);
        SFD_LAUNCH(k_static_oob, dim3(1), dim3(64), 0, nullptr, x.data(), out.data());
        std::string e1 = launch_error();
        CHECK_MSG(e1.find("index 64 out of bounds [0, 64) of 's'") != std::string::npos && e1.find("thread (63,0,0)") != std::string::npos,
                  "mode %d: '%s'", (int)m, e1.c_str());
        SFD_LAUNCH(k_dynamic_oob, dim3(1), dim3(64), 64 * sizeof(float), nullptr, out.data());
        std::string e2 = launch_error();
        CHECK_MSG(e2.find("out of bounds [0, 64) of 'd'") != std::string::npos, "mode %d: '%s'", (int)m, e2.c_str());
        SFD_LAUNCH(k_negative_index, dim3(1), dim3(32), 0, nullptr, out.data());
        std::string e3 = launch_error();
        CHECK_MSG(e3.find("index -1 out of bounds") != std::string::npos, "mode %d: '%s'", (int)m, e3.c_str());
        if (m == Mode::Fibers) printf("     e.g. %s\n", e1.c_str());
    }
}
