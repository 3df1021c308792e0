// emu.h - host emulation of the CUDA execution model (included by sfd_cuda.h under -DSFD_EMU).
//
// Execution: a launch runs its blocks on a small worker pool (SFD_EMU_WORKERS, default: hardware
// threads, max 8); inside a worker the threads of one block run either
//   * as cooperative fibers (mode FIBERS, default): each CUDA thread runs on its own stack until it
//     reaches a barrier (or exits), then the next one runs; __syncthreads releases when every thread of
//     the block has arrived at the same barrier. The order in which fibers run within a round is
//     FORWARD (0..n-1), REVERSE or RANDOM (seeded), so one kernel can be tried under several schedules;
//   * or as one OS thread per CUDA thread (mode THREADS) synchronised with a mutex/condition-variable
//     barrier, so ThreadSanitizer sees every shared-memory access and every happens-before edge.
// Checks, reported as a launch failure with a message naming kernel, block, thread and source line:
//   * divergent barrier / deadlock: a thread waits at a barrier that another thread can never reach
//     (the other exited, or waits at a different __syncthreads, or warp-level vs block-level mix-up);
//   * shared memory index out of bounds (every shared array is a SharedPtr that knows its extent);
//   * inconsistent static shared declarations between threads.
// Shared memory (static and dynamic) is filled with 0xFF bytes (a NaN for float and double) before each
// block, so reading a value no thread has written yet yields NaN instead of a plausible stale number.
#pragma once

#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <type_traits>
#include <utility>

// ------------------------------------------------------------------ CUDA runtime subset (host API)
struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct uint3 { unsigned x, y, z; };
typedef void* cudaStream_t;
enum cudaError_t {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInvalidConfiguration = 9,
    cudaErrorNoDevice = 100,
    cudaErrorLaunchFailure = 719,
    cudaErrorNotSupported = 801,
};
enum cudaMemcpyKind {
    cudaMemcpyHostToHost = 0, cudaMemcpyHostToDevice = 1, cudaMemcpyDeviceToHost = 2,
    cudaMemcpyDeviceToDevice = 3, cudaMemcpyDefault = 4
};
cudaError_t cudaMalloc(void** p, size_t bytes);
cudaError_t cudaFree(void* p);
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t s = nullptr);
cudaError_t cudaMemsetAsync(void* dst, int value, size_t bytes, cudaStream_t s = nullptr);
cudaError_t cudaStreamCreate(cudaStream_t* s);
cudaError_t cudaStreamDestroy(cudaStream_t s);
cudaError_t cudaStreamSynchronize(cudaStream_t s);
cudaError_t cudaDeviceSynchronize();
cudaError_t cudaGetDeviceCount(int* count);
cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();
const char* cudaGetErrorString(cudaError_t e);

namespace sfd {
namespace emu {

enum class Mode { Fibers = 0, Threads = 1 };
enum class Schedule { Forward = 0, Reverse = 1, Random = 2 };
enum class ShflKind { Xor, Down, Up, Idx };

struct Config {
    Mode mode;
    int workers;        // OS threads running blocks concurrently (fiber mode); thread mode runs blocks one by one
    Schedule schedule;  // order of fibers within a round
    uint64_t seed;      // for Schedule::Random
};
Config config();
void configure(const Config& c);

// Detail of the last failed launch on this OS thread ("" if none); cleared by cudaGetLastError.
const char* last_error_detail();

struct BlockState;

// The context of the running CUDA thread (built-ins read it).
struct ThreadCtx {
    uint3 thread_idx;
    uint3 block_idx;
    dim3 block_dim;
    dim3 grid_dim;
    BlockState* block;
    int linear;         // linear thread index in the block
    int static_cursor;  // index of the next SFD_SHARED declaration this thread reaches
    unsigned long long barriers, warp_barriers;  // passed so far (ThreadSanitizer bookkeeping)
};
ThreadCtx* current();

// A failure inside a kernel (bounds, deadlock). Thrown in the CUDA thread, caught by the launcher.
[[noreturn]] void kernel_fault(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

void syncthreads(const char* file, int line);
void syncwarp(const char* file, int line, unsigned mask = 0xffffffffu);
uint64_t shfl_raw(unsigned mask, uint64_t bits, ShflKind kind, int arg, int width);

template <class T> inline T shfl(unsigned mask, T v, ShflKind kind, int arg, int width) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "shuffle of a type wider than 8 bytes");
    uint64_t bits = 0;
    memcpy(&bits, &v, sizeof(T));
    bits = shfl_raw(mask, bits, kind, arg, width);
    T out;
    memcpy(&out, &bits, sizeof(T));
    return out;
}

// ------------------------------------------------------------------ bounds-checked shared memory
struct SmemRegion {
    unsigned char* base;
    size_t bytes;
    const char* name;
    const char* file;
    int line;
};
[[noreturn]] void smem_out_of_bounds(const SmemRegion* r, long long index, size_t elem);

template <class T> class SharedPtr {
  public:
    SharedPtr() : region_(nullptr), offset_(0) {}
    SharedPtr(const SmemRegion* r, long long offsetElems) : region_(r), offset_(offsetElems) {}
    T& operator[](long long i) const {
        long long idx = offset_ + i;
        if (idx < 0 || (unsigned long long)(idx + 1) * sizeof(T) > region_->bytes) smem_out_of_bounds(region_, idx, sizeof(T));
        return reinterpret_cast<T*>(region_->base)[idx];
    }
    SharedPtr operator+(long long d) const { return SharedPtr(region_, offset_ + d); }
    SharedPtr operator-(long long d) const { return SharedPtr(region_, offset_ - d); }
    long long extent() const { return (long long)(region_->bytes / sizeof(T)) - offset_; }

  private:
    const SmemRegion* region_;
    long long offset_;
};

const SmemRegion* static_shared_region(size_t bytes, size_t align, const char* name, const char* file, int line);
const SmemRegion* dynamic_shared_region(const char* name, const char* file, int line);

template <class T> SharedPtr<T> static_shared(size_t count, const char* name, const char* file, int line) {
    return SharedPtr<T>(static_shared_region(count * sizeof(T), alignof(T), name, file, line), 0);
}
template <class T> SharedPtr<T> dynamic_shared(const char* name, const char* file, int line) {
    return SharedPtr<T>(dynamic_shared_region(name, file, line), 0);
}

// ------------------------------------------------------------------ launch
struct KernelBody {
    void (*call)(void*);
    void* self;
};
cudaError_t launch_body(const char* kernel, dim3 grid, dim3 block, size_t smemBytes, KernelBody body);

template <class F> cudaError_t launch(const char* kernel, dim3 grid, dim3 block, size_t smemBytes, void* /*stream*/, F&& f) {
    using Fn = std::remove_reference_t<F>;
    KernelBody body{[](void* self) { (*static_cast<Fn*>(self))(); }, (void*)&f};
    return launch_body(kernel, grid, block, smemBytes, body);
}

}  // namespace emu
}  // namespace sfd
