// sfd_cuda.h - one kernel source, two compilers.
//
// Kernels in native/cuda/*.cu are written against this header only. Under nvcc (no SFD_EMU) it maps
// to plain CUDA. Under g++ with -DSFD_EMU it maps the CUDA execution model onto the host emulation in
// native/emu/ (blocks on a worker pool, the threads of a block as cooperative fibers or OS threads,
// __syncthreads as a real barrier, warp shuffles through a per-warp exchange, shared memory
// NaN-poisoned and bounds checked).
//
// Rules for kernel code (they keep both compilers honest):
//   * shared memory only through SFD_SHARED (static) and SFD_DYNAMIC_SHARED (dynamic), accessed with
//     [] and +; pass it to helpers as SFD_SMEM(T), never take &s[i] (that would bypass bounds checks);
//   * launch only through SFD_LAUNCH(kernel, grid, block, smemBytes, stream, args...); when the kernel
//     is a template instance, bind it to a named local first (auto k = &kern<T, 64>;);
//   * every thread of a block reaches every __syncthreads (the emulation reports anything else as a
//     divergent-barrier deadlock, stricter than some GPUs tolerate);
//   * warp shuffles with the full mask on full warps (block sizes are multiples of 32).
#pragma once

#include <stdint.h>
#include <stddef.h>

#if !defined(SFD_EMU)
// ============================================================================================ CUDA
#include <cuda_runtime.h>

#define SFD_KERNEL __global__
#define SFD_DEVICE __device__ __forceinline__
#define SFD_HOST_DEVICE __host__ __device__ __forceinline__
#define SFD_LAUNCH_BOUNDS(n) __launch_bounds__(n)
#define SFD_SMEM(T) T*
#define SFD_SHARED(T, name, count) __shared__ T name[count]
#define SFD_DYNAMIC_SHARED(T, name)                                   \
    extern __shared__ __align__(16) unsigned char sfd_dynamic_smem_[]; \
    T* name = reinterpret_cast<T*>(sfd_dynamic_smem_)
#define SFD_LAUNCH(kernel, grid, block, smem, stream, ...) \
    kernel<<<(grid), (block), (smem), static_cast<cudaStream_t>(stream)>>>(__VA_ARGS__)
#define SFD_EMULATED 0
#define SFD_UNROLL _Pragma("unroll")

SFD_DEVICE uint32_t sfd_umulhi(uint32_t a, uint32_t b) { return __umulhi(a, b); }
// round-to-nearest double add / multiply that nvcc never contracts into an FMA
SFD_DEVICE double sfd_dadd_rn(double a, double b) { return __dadd_rn(a, b); }
SFD_DEVICE double sfd_dmul_rn(double a, double b) { return __dmul_rn(a, b); }

#else
// ============================================================================================ EMU
#include <math.h>
#include <cmath>
#include <type_traits>
#include "../emu/emu.h"

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define SFD_KERNEL
#define SFD_DEVICE inline
#define SFD_HOST_DEVICE inline
#define SFD_LAUNCH_BOUNDS(n)
#define SFD_SMEM(T) ::sfd::emu::SharedPtr<T>
#define SFD_SHARED(T, name, count) \
    ::sfd::emu::SharedPtr<T> name = ::sfd::emu::static_shared<T>((count), #name, __FILE__, __LINE__)
#define SFD_DYNAMIC_SHARED(T, name) \
    ::sfd::emu::SharedPtr<T> name = ::sfd::emu::dynamic_shared<T>(#name, __FILE__, __LINE__)
#define SFD_LAUNCH(kernel, grid, block, smem, stream, ...) \
    ::sfd::emu::launch(#kernel, (grid), (block), (smem), (stream), [&]() { kernel(__VA_ARGS__); })
#define SFD_EMULATED 1
#define SFD_UNROLL

// built-in variables: fields of the running CUDA thread's context
#define threadIdx (::sfd::emu::current()->thread_idx)
#define blockIdx (::sfd::emu::current()->block_idx)
#define blockDim (::sfd::emu::current()->block_dim)
#define gridDim (::sfd::emu::current()->grid_dim)
#define warpSize 32
#define __syncthreads() ::sfd::emu::syncthreads(__FILE__, __LINE__)
#define __syncwarp(...) ::sfd::emu::syncwarp(__FILE__, __LINE__, ##__VA_ARGS__)

template <class T> inline T __shfl_xor_sync(unsigned mask, T v, int laneMask, int width = 32) {
    return ::sfd::emu::shfl(mask, v, ::sfd::emu::ShflKind::Xor, laneMask, width);
}
template <class T> inline T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    return ::sfd::emu::shfl(mask, v, ::sfd::emu::ShflKind::Down, (int)delta, width);
}
template <class T> inline T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    return ::sfd::emu::shfl(mask, v, ::sfd::emu::ShflKind::Up, (int)delta, width);
}
template <class T> inline T __shfl_sync(unsigned mask, T v, int srcLane, int width = 32) {
    return ::sfd::emu::shfl(mask, v, ::sfd::emu::ShflKind::Idx, srcLane, width);
}

// atomics: real host atomics (blocks may run concurrently on the worker pool)
template <class T> inline T sfd_emu_atomic_add(T* p, T v) {
    if constexpr (std::is_integral_v<T>) {
        return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
    } else {
        T old;
        __atomic_load(p, &old, __ATOMIC_RELAXED);
        T desired;
        do { desired = old + v; } while (!__atomic_compare_exchange(p, &old, &desired, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
        return old;
    }
}
inline float atomicAdd(float* p, float v) { return sfd_emu_atomic_add(p, v); }
inline double atomicAdd(double* p, double v) { return sfd_emu_atomic_add(p, v); }
inline int atomicAdd(int* p, int v) { return sfd_emu_atomic_add(p, v); }
inline unsigned atomicAdd(unsigned* p, unsigned v) { return sfd_emu_atomic_add(p, v); }
inline unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) { return sfd_emu_atomic_add(p, v); }
inline int atomicMax(int* p, int v) {
    int old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (old < v && !__atomic_compare_exchange_n(p, &old, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
    return old;
}
inline int atomicCAS(int* p, int cmp, int v) {
    __atomic_compare_exchange_n(p, &cmp, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return cmp;
}

template <class T> inline T __ldg(const T* p) { return *p; }
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
inline float __expf(float x) { return std::exp(x); }
inline float __fdividef(float a, float b) { return a / b; }
inline uint32_t sfd_umulhi(uint32_t a, uint32_t b) { return (uint32_t)(((uint64_t)a * b) >> 32); }
// g++ compiles the emulation with -ffp-contract=off, so plain operators never fuse
inline double sfd_dadd_rn(double a, double b) { return a + b; }
inline double sfd_dmul_rn(double a, double b) { return a * b; }
#endif
