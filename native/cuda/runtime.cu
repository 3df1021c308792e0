// runtime.cu - memory, streams and error reporting of the C ABI (host code only; same source for the
// GPU library and the emulated one, whose CUDA runtime subset lives in native/emu/emu.cpp).
#include "../include/sfd_common.cuh"

#include <stdarg.h>
#include <stdio.h>

namespace sfd {

static thread_local char t_error[2048];

void set_error(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t_error, sizeof t_error, fmt, ap);
    va_end(ap);
}

int check_launch(const char* fn) {
    cudaError_t e = cudaGetLastError();
    if (e == cudaSuccess) return 0;
#if SFD_EMULATED
    set_error("%s: %s: %s", fn, cudaGetErrorString(e), ::sfd::emu::last_error_detail());
#else
    set_error("%s: %s (%s)", fn, cudaGetErrorString(e), cudaGetErrorName(e));
#endif
    return (int)e;
}

int invalid(const char* fn, const char* msg) {
    set_error("%s: invalid argument: %s", fn, msg);
    return (int)cudaErrorInvalidValue;
}

static int check(cudaError_t e, const char* fn, const char* call) {
    if (e == cudaSuccess) return 0;
#if SFD_EMULATED
    set_error("%s: %s failed: %s %s", fn, call, cudaGetErrorString(e), ::sfd::emu::last_error_detail());
#else
    set_error("%s: %s failed: %s (%s)", fn, call, cudaGetErrorString(e), cudaGetErrorName(e));
#endif
    cudaGetLastError();  // clear a non-sticky error so the next call starts clean
    return (int)e;
}

}  // namespace sfd

using sfd::check;

extern "C" const char* sfd_last_error(void) { return sfd::t_error; }

extern "C" const char* sfd_flavor(void) { return SFD_EMULATED ? "emu" : "cuda"; }

extern "C" int sfd_device_count(int* count) {
    if (!count) return sfd::invalid("sfd_device_count", "count is NULL");
    *count = 0;
    // Without a driver this returns an error (cudaErrorNoDevice / InsufficientDriver) instead of crashing.
    return check(cudaGetDeviceCount(count), "sfd_device_count", "cudaGetDeviceCount");
}

extern "C" int sfd_malloc(void** ptr, size_t bytes) {
    if (!ptr) return sfd::invalid("sfd_malloc", "ptr is NULL");
    int r = check(cudaMalloc(ptr, bytes), "sfd_malloc", "cudaMalloc");
    if (r) sfd::set_error("sfd_malloc: cudaMalloc of %zu bytes failed (error %d): out of device memory?", bytes, r);
    return r;
}

extern "C" int sfd_free(void* ptr) { return check(cudaFree(ptr), "sfd_free", "cudaFree"); }

extern "C" int sfd_memcpy_h2d(void* dst, const void* src, size_t bytes, void* stream) {
    return check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, (cudaStream_t)stream), "sfd_memcpy_h2d", "cudaMemcpyAsync");
}
extern "C" int sfd_memcpy_d2h(void* dst, const void* src, size_t bytes, void* stream) {
    int r = check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, (cudaStream_t)stream), "sfd_memcpy_d2h", "cudaMemcpyAsync");
    if (r) return r;
    // the host buffer is only valid once the copy finished
    return check(cudaStreamSynchronize((cudaStream_t)stream), "sfd_memcpy_d2h", "cudaStreamSynchronize");
}
extern "C" int sfd_memcpy_d2d(void* dst, const void* src, size_t bytes, void* stream) {
    return check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, (cudaStream_t)stream), "sfd_memcpy_d2d", "cudaMemcpyAsync");
}
extern "C" int sfd_memset_zero(void* dst, size_t bytes, void* stream) {
    return check(cudaMemsetAsync(dst, 0, bytes, (cudaStream_t)stream), "sfd_memset_zero", "cudaMemsetAsync");
}
extern "C" int sfd_stream_create(void** stream) {
    if (!stream) return sfd::invalid("sfd_stream_create", "stream is NULL");
    cudaStream_t s = nullptr;
    int r = check(cudaStreamCreate(&s), "sfd_stream_create", "cudaStreamCreate");
    *stream = (void*)s;
    return r;
}
extern "C" int sfd_stream_destroy(void* stream) {
    return check(cudaStreamDestroy((cudaStream_t)stream), "sfd_stream_destroy", "cudaStreamDestroy");
}
extern "C" int sfd_stream_synchronize(void* stream) {
    return check(cudaStreamSynchronize((cudaStream_t)stream), "sfd_stream_synchronize", "cudaStreamSynchronize");
}

extern "C" int sfd_emu_configure(int mode, int workers, int schedule, uint64_t seed) {
#if SFD_EMULATED
    if (mode < 0 || mode > 1 || workers < 1 || schedule < 0 || schedule > 2)
        return sfd::invalid("sfd_emu_configure", "mode must be 0|1, workers >= 1, schedule 0|1|2");
    ::sfd::emu::configure(::sfd::emu::Config{(::sfd::emu::Mode)mode, workers, (::sfd::emu::Schedule)schedule, seed});
    return 0;
#else
    (void)mode; (void)workers; (void)schedule; (void)seed;
    sfd::set_error("sfd_emu_configure: this is the GPU library, not the emulation");
    return (int)cudaErrorNotSupported;
#endif
}
