/* sfd_kernels.h - the C ABI of the sfd CUDA kernels (libsfdcuda.so and libsfdcuda_emu.so export the
 * same symbols with the same signatures; the JavaCPP binding is written against this file).
 *
 * Conventions
 *  - Every function returns 0 on success or a CUDA error code (cudaError_t value; 1 = invalid
 *    argument). sfd_last_error() then describes the failure (calling thread, until the next failure).
 *  - Pointers named x, y, out, ... are device pointers (host pointers in the emulated library).
 *    Shape and stride arrays (const int64_t*) are host pointers, read before the function returns.
 *  - Tensors are dense row-major unless strides are passed; strides and sizes count elements.
 *  - `stream` is a cudaStream_t (NULL: the default stream). Launches are asynchronous on a GPU and
 *    synchronous in the emulation.
 *  - Functions exist for f32 (float) and f64 (double); the suffix names the element type.
 *  - Enum values equal the ordinal() of the Java enums dev.sfd.backend.{UnaryOp, BinaryOp, ReduceOp}.
 */
#ifndef SFD_KERNELS_H
#define SFD_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sfd_unary_op {
    SFD_NEG = 0, SFD_EXP, SFD_LOG, SFD_SQRT, SFD_RSQRT, SFD_SQUARE, SFD_RECIPROCAL, SFD_ABS, SFD_SIGN,
    SFD_SIN, SFD_COS, SFD_TANH, SFD_SIGMOID, SFD_SILU, SFD_RELU, SFD_NAN_TO_NUM, SFD_UNARY_OP_COUNT
};
enum sfd_binary_op { SFD_ADD = 0, SFD_SUB, SFD_MUL, SFD_DIV, SFD_MAX, SFD_MIN, SFD_POW, SFD_BINARY_OP_COUNT };
enum sfd_reduce_op { SFD_SUM = 0, SFD_RMAX, SFD_REDUCE_OP_COUNT };
enum { SFD_MAX_RANK = 8 };

/* ------------------------------------------------------------------ runtime (runtime.cu) */
const char* sfd_last_error(void);
const char* sfd_flavor(void); /* "cuda" or "emu" */
int sfd_device_count(int* count);
int sfd_malloc(void** ptr, size_t bytes);
int sfd_free(void* ptr);
int sfd_memcpy_h2d(void* dst, const void* src, size_t bytes, void* stream);
int sfd_memcpy_d2h(void* dst, const void* src, size_t bytes, void* stream);
int sfd_memcpy_d2d(void* dst, const void* src, size_t bytes, void* stream);
int sfd_memset_zero(void* dst, size_t bytes, void* stream);
int sfd_stream_create(void** stream);
int sfd_stream_destroy(void* stream);
int sfd_stream_synchronize(void* stream);
/* Emulation only (the GPU library returns cudaErrorNotSupported): mode 0 = fibers, 1 = one OS thread
 * per CUDA thread; workers = OS threads running blocks concurrently (fiber mode); schedule 0 = forward,
 * 1 = reverse, 2 = random (seeded by seed) order of fibers within a round. */
int sfd_emu_configure(int mode, int workers, int schedule, uint64_t seed);

#define SFD_DECLARE_FOR_DTYPE(T, S)                                                                              \
    /* elementwise.cu */                                                                                         \
    int sfd_fill_fwd_##S(T* out, int64_t n, double value, void* stream);                                         \
    int sfd_unary_fwd_##S(int op, const T* x, T* y, int64_t n, void* stream);                                    \
    int sfd_unary_bwd_##S(int op, const T* x, const T* y, const T* gy, T* gx, int64_t n, void* stream);          \
    int sfd_binary_fwd_##S(int op, const T* a, const T* b, T* out, int rank, const int64_t* outShape,            \
                           const int64_t* aStrides, const int64_t* bStrides, void* stream);                      \
    int sfd_binary_scalar_fwd_##S(int op, const T* x, double s, T* out, int64_t n, void* stream);                \
    int sfd_axpby_fwd_##S(double alpha, const T* x, double beta, const T* y, T* out, int64_t n, void* stream);   \
    int sfd_clamp_fwd_##S(const T* x, double lo, double hi, T* out, int64_t n, void* stream);                    \
    /* reduce.cu: out has the rank of x, reduced dims have size 1 (reduced = where sizes differ) */             \
    int sfd_reduce_fwd_##S(int op, const T* x, T* out, int rank, const int64_t* inShape,                         \
                           const int64_t* outShape, void* stream);                                               \
    /* gemm.cu: c[b] = alpha op(a[b]) op(b[b]) + beta c[b]; a is [M,K] ([K,M] if transA), b is [K,N]           \
       ([N,K] if transB), c is [M,N]; strideA/strideB = elements between batches (0 broadcasts);             \
       beta == 0 never reads c */                                                                                \
    int sfd_gemm_fwd_##S(const T* a, const T* b, T* c, int64_t batch, int64_t m, int64_t n, int64_t k,           \
                         int transA, int transB, double alpha, double beta, int64_t strideA, int64_t strideB,    \
                         void* stream);                                                                          \
    /* conv.cu: x [N,Cin,H,W], w [Cout,Cin,K,K], out [N,Cout,Ho,Wo], Ho = H + 2 pad - K + 1, stride 1 */        \
    int sfd_conv2d_fwd_##S(const T* x, const T* w, const T* bias, T* out, int n, int cin, int h, int wd,         \
                           int cout, int k, int pad, void* stream);                                              \
    int sfd_conv2d_bwd_data_##S(const T* gy, const T* w, T* gx, int n, int cin, int h, int wd, int cout,         \
                                int k, int pad, void* stream);                                                   \
    int sfd_conv2d_bwd_weight_##S(const T* x, const T* gy, T* gw, T* gbias, int n, int cin, int h, int wd,       \
                                  int cout, int k, int pad, void* stream);                                       \
    /* norm.cu: x [N,C,spatial]; gamma/beta/ggamma/gbeta may be NULL; mean/rstd [N,G] */                        \
    int sfd_group_norm_fwd_##S(const T* x, const T* gamma, const T* beta, T* out, T* mean, T* rstd, int n,       \
                               int c, int64_t spatial, int groups, double eps, void* stream);                    \
    int sfd_group_norm_bwd_##S(const T* x, const T* gamma, const T* mean, const T* rstd, const T* gy, T* gx,     \
                               T* ggamma, T* gbeta, int n, int c, int64_t spatial, int groups, void* stream);    \
    /* softmax.cu: over the last dim of a [rows, cols] view */                                                  \
    int sfd_softmax_fwd_##S(const T* x, T* y, int64_t rows, int64_t cols, void* stream);                         \
    int sfd_softmax_bwd_##S(const T* y, const T* gy, T* gx, int64_t rows, int64_t cols, void* stream);          \
    /* resample.cu: planes = N*C; h, w are the sizes of the smaller image (upsample input, pool output) */      \
    int sfd_upsample2x_fwd_##S(const T* x, T* y, int64_t planes, int h, int w, void* stream);                    \
    int sfd_upsample2x_bwd_##S(const T* gy, T* gx, int64_t planes, int h, int w, void* stream);                  \
    int sfd_avgpool2x_fwd_##S(const T* x, T* y, int64_t planes, int h, int w, void* stream);                     \
    int sfd_avgpool2x_bwd_##S(const T* gy, T* gx, int64_t planes, int h, int w, void* stream);                   \
    /* philox.cu: see native/PHILOX.md and docs/philox.md */                                                    \
    int sfd_philox_uniform_fwd_##S(T* out, int64_t n, int64_t seed, int64_t counter, void* stream);              \
    int sfd_philox_normal_fwd_##S(T* out, int64_t n, int64_t seed, int64_t counter, void* stream);               \
    /* adam.cu: in place; step >= 1 */                                                                          \
    int sfd_adam_fwd_##S(T* param, const T* grad, T* m, T* v, int64_t n, double lr, double beta1, double beta2,  \
                         double eps, double weightDecay, int64_t step, void* stream);                            \
    int sfd_ema_fwd_##S(T* ema, const T* param, int64_t n, double beta, void* stream);                           \
    /* sid_loss.cu: xg, yReal, yFake [N, D] */                                                                  \
    int sfd_sid_loss_fwd_##S(const T* xg, const T* yReal, const T* yFake, T* loss, T* omega, int64_t n,          \
                             int64_t d, double alpha, void* stream);                                             \
    int sfd_sid_loss_bwd_##S(const T* xg, const T* yReal, const T* yFake, const T* omega, const T* gradLoss,      \
                             T* gxg, T* gReal, T* gFake, int64_t n, int64_t d, double alpha, void* stream);

SFD_DECLARE_FOR_DTYPE(float, f32)
SFD_DECLARE_FOR_DTYPE(double, f64)
#undef SFD_DECLARE_FOR_DTYPE

/* strided copy with optional conversion (elementwise.cu); src/dst point at the first element */
#define SFD_DECLARE_COPY(TS, TD, N)                                                                          \
    int sfd_copy_fwd_##N(const TS* src, TD* dst, int rank, const int64_t* shape, const int64_t* srcStrides, \
                         const int64_t* dstStrides, void* stream);
SFD_DECLARE_COPY(float, float, f32)
SFD_DECLARE_COPY(double, double, f64)
SFD_DECLARE_COPY(float, double, f32_f64)
SFD_DECLARE_COPY(double, float, f64_f32)
#undef SFD_DECLARE_COPY

#ifdef __cplusplus
}
#endif
#endif
