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

/* ------------------------------------------------------------------ elementwise.cu */
/* fill, unary (op = enum sfd_unary_op), binary with broadcasting (a stride of 0 repeats an element; op = enum sfd_binary_op), scalar right operand (POW: x^s), axpby, clamp */
int sfd_fill_fwd_f32(float* out, int64_t n, double value, void* stream);
int sfd_unary_fwd_f32(int op, const float* x, float* y, int64_t n, void* stream);
int sfd_unary_bwd_f32(int op, const float* x, const float* y, const float* gy, float* gx, int64_t n, void* stream);
int sfd_binary_fwd_f32(int op, const float* a, const float* b, float* out, int rank, const int64_t* outShape, const int64_t* aStrides, const int64_t* bStrides, void* stream);
int sfd_binary_scalar_fwd_f32(int op, const float* x, double s, float* out, int64_t n, void* stream);
int sfd_axpby_fwd_f32(double alpha, const float* x, double beta, const float* y, float* out, int64_t n, void* stream);
int sfd_clamp_fwd_f32(const float* x, double lo, double hi, float* out, int64_t n, void* stream);
int sfd_fill_fwd_f64(double* out, int64_t n, double value, void* stream);
int sfd_unary_fwd_f64(int op, const double* x, double* y, int64_t n, void* stream);
int sfd_unary_bwd_f64(int op, const double* x, const double* y, const double* gy, double* gx, int64_t n, void* stream);
int sfd_binary_fwd_f64(int op, const double* a, const double* b, double* out, int rank, const int64_t* outShape, const int64_t* aStrides, const int64_t* bStrides, void* stream);
int sfd_binary_scalar_fwd_f64(int op, const double* x, double s, double* out, int64_t n, void* stream);
int sfd_axpby_fwd_f64(double alpha, const double* x, double beta, const double* y, double* out, int64_t n, void* stream);
int sfd_clamp_fwd_f64(const double* x, double lo, double hi, double* out, int64_t n, void* stream);

/* ------------------------------------------------------------------ reduce.cu */
/* out has the rank of x; reduced dims have size 1 in outShape (reduced = where sizes differ); op = enum sfd_reduce_op */
int sfd_reduce_fwd_f32(int op, const float* x, float* out, int rank, const int64_t* inShape, const int64_t* outShape, void* stream);
int sfd_reduce_fwd_f64(int op, const double* x, double* out, int rank, const int64_t* inShape, const int64_t* outShape, void* stream);

/* ------------------------------------------------------------------ gemm.cu */
/* c[z] = alpha op(a[z]) op(b[z]) + beta c[z] for z < batch; a is [M,K] ([K,M] if transA), b is [K,N] ([N,K] if transB), c is [M,N] (dense, batch stride M*N); strideA/strideB = elements between batches, 0 broadcasts; beta == 0 never reads c */
int sfd_gemm_fwd_f32(const float* a, const float* b, float* c, int64_t batch, int64_t m, int64_t n, int64_t k, int transA, int transB, double alpha, double beta, int64_t strideA, int64_t strideB, void* stream);
int sfd_gemm_fwd_f64(const double* a, const double* b, double* c, int64_t batch, int64_t m, int64_t n, int64_t k, int transA, int transB, double alpha, double beta, int64_t strideA, int64_t strideB, void* stream);

/* ------------------------------------------------------------------ conv.cu */
/* x [N,Cin,H,W] (wd = W), w [Cout,Cin,K,K], bias [Cout] or NULL, out [N,Cout,Ho,Wo], Ho = H + 2 pad - K + 1, stride 1, zero padding; gw and gbias are overwritten; gbias may be NULL */
int sfd_conv2d_fwd_f32(const float* x, const float* w, const float* bias, float* out, int n, int cin, int h, int wd, int cout, int k, int pad, void* stream);
int sfd_conv2d_bwd_data_f32(const float* gy, const float* w, float* gx, int n, int cin, int h, int wd, int cout, int k, int pad, void* stream);
int sfd_conv2d_bwd_weight_f32(const float* x, const float* gy, float* gw, float* gbias, int n, int cin, int h, int wd, int cout, int k, int pad, void* stream);
int sfd_conv2d_fwd_f64(const double* x, const double* w, const double* bias, double* out, int n, int cin, int h, int wd, int cout, int k, int pad, void* stream);
int sfd_conv2d_bwd_data_f64(const double* gy, const double* w, double* gx, int n, int cin, int h, int wd, int cout, int k, int pad, void* stream);
int sfd_conv2d_bwd_weight_f64(const double* x, const double* gy, double* gw, double* gbias, int n, int cin, int h, int wd, int cout, int k, int pad, void* stream);

/* ------------------------------------------------------------------ norm.cu */
/* group norm over x [N,C,spatial]; mean/rstd [N,groups], rstd = 1/sqrt(biased var + eps); gamma/beta may be NULL (identity affine); in the backward gx, ggamma, gbeta may each be NULL (not computed) */
int sfd_group_norm_fwd_f32(const float* x, const float* gamma, const float* beta, float* out, float* mean, float* rstd, int n, int c, int64_t spatial, int groups, double eps, void* stream);
int sfd_group_norm_bwd_f32(const float* x, const float* gamma, const float* mean, const float* rstd, const float* gy, float* gx, float* ggamma, float* gbeta, int n, int c, int64_t spatial, int groups, void* stream);
int sfd_group_norm_fwd_f64(const double* x, const double* gamma, const double* beta, double* out, double* mean, double* rstd, int n, int c, int64_t spatial, int groups, double eps, void* stream);
int sfd_group_norm_bwd_f64(const double* x, const double* gamma, const double* mean, const double* rstd, const double* gy, double* gx, double* ggamma, double* gbeta, int n, int c, int64_t spatial, int groups, void* stream);

/* ------------------------------------------------------------------ softmax.cu */
/* over the last dim of a [rows, cols] matrix; bwd: gx = y (gy - sum(gy y)) */
int sfd_softmax_fwd_f32(const float* x, float* y, int64_t rows, int64_t cols, void* stream);
int sfd_softmax_bwd_f32(const float* y, const float* gy, float* gx, int64_t rows, int64_t cols, void* stream);
int sfd_softmax_fwd_f64(const double* x, double* y, int64_t rows, int64_t cols, void* stream);
int sfd_softmax_bwd_f64(const double* y, const double* gy, double* gx, int64_t rows, int64_t cols, void* stream);

/* ------------------------------------------------------------------ resample.cu */
/* planes = N*C; h, w are the sizes of the SMALLER image (upsample input / pool output); the larger is [2h, 2w] */
int sfd_upsample2x_fwd_f32(const float* x, float* y, int64_t planes, int h, int w, void* stream);
int sfd_upsample2x_bwd_f32(const float* gy, float* gx, int64_t planes, int h, int w, void* stream);
int sfd_avgpool2x_fwd_f32(const float* x, float* y, int64_t planes, int h, int w, void* stream);
int sfd_avgpool2x_bwd_f32(const float* gy, float* gx, int64_t planes, int h, int w, void* stream);
int sfd_upsample2x_fwd_f64(const double* x, double* y, int64_t planes, int h, int w, void* stream);
int sfd_upsample2x_bwd_f64(const double* gy, double* gx, int64_t planes, int h, int w, void* stream);
int sfd_avgpool2x_fwd_f64(const double* x, double* y, int64_t planes, int h, int w, void* stream);
int sfd_avgpool2x_bwd_f64(const double* gy, double* gx, int64_t planes, int h, int w, void* stream);

/* ------------------------------------------------------------------ philox.cu */
/* Philox-4x32-10 stream of docs/philox.md; bit patterns and the exact normal transform in native/PHILOX.md */
int sfd_philox_uniform_fwd_f32(float* out, int64_t n, int64_t seed, int64_t counter, void* stream);
int sfd_philox_normal_fwd_f32(float* out, int64_t n, int64_t seed, int64_t counter, void* stream);
int sfd_philox_uniform_fwd_f64(double* out, int64_t n, int64_t seed, int64_t counter, void* stream);
int sfd_philox_normal_fwd_f64(double* out, int64_t n, int64_t seed, int64_t counter, void* stream);

/* ------------------------------------------------------------------ adam.cu */
/* in place; step >= 1; weightDecay is L2 (added to the gradient); ema = beta ema + (1 - beta) param */
int sfd_adam_fwd_f32(float* param, const float* grad, float* m, float* v, int64_t n, double lr, double beta1, double beta2, double eps, double weightDecay, int64_t step, void* stream);
int sfd_ema_fwd_f32(float* ema, const float* param, int64_t n, double beta, void* stream);
int sfd_adam_fwd_f64(double* param, const double* grad, double* m, double* v, int64_t n, double lr, double beta1, double beta2, double eps, double weightDecay, int64_t step, void* stream);
int sfd_ema_fwd_f64(double* ema, const double* param, int64_t n, double beta, void* stream);

/* ------------------------------------------------------------------ sid_loss.cu */
/* xg, yReal, yFake [N, D]; loss, omega, gradLoss [N]; gradient outputs may be NULL (not computed) */
int sfd_sid_loss_fwd_f32(const float* xg, const float* yReal, const float* yFake, float* loss, float* omega, int64_t n, int64_t d, double alpha, void* stream);
int sfd_sid_loss_bwd_f32(const float* xg, const float* yReal, const float* yFake, const float* omega, const float* gradLoss, float* gxg, float* gReal, float* gFake, int64_t n, int64_t d, double alpha, void* stream);
int sfd_sid_loss_fwd_f64(const double* xg, const double* yReal, const double* yFake, double* loss, double* omega, int64_t n, int64_t d, double alpha, void* stream);
int sfd_sid_loss_bwd_f64(const double* xg, const double* yReal, const double* yFake, const double* omega, const double* gradLoss, double* gxg, double* gReal, double* gFake, int64_t n, int64_t d, double alpha, void* stream);

/* ------------------------------------------------------------------ elementwise.cu: strided copy */
/* dst[.] = (TD) src[.] over shape; src/dst point at the first element; strides in elements (>= 0; a 0 stride repeats) */
int sfd_copy_fwd_f32(const float* src, float* dst, int rank, const int64_t* shape, const int64_t* srcStrides, const int64_t* dstStrides, void* stream);
int sfd_copy_fwd_f64(const double* src, double* dst, int rank, const int64_t* shape, const int64_t* srcStrides, const int64_t* dstStrides, void* stream);
int sfd_copy_fwd_f32_f64(const float* src, double* dst, int rank, const int64_t* shape, const int64_t* srcStrides, const int64_t* dstStrides, void* stream);
int sfd_copy_fwd_f64_f32(const double* src, float* dst, int rank, const int64_t* shape, const int64_t* srcStrides, const int64_t* dstStrides, void* stream);

#ifdef __cplusplus
}
#endif
#endif
