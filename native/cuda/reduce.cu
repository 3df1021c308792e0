// reduce.cu - sum / max over any set of axes. The input is split into "kept" dims (those of the
// output) and "reduced" dims (size 1 in the output); both lists are coalesced on the host.
//  * rows kernel: one block per output, threads stride over the reduced elements, then a warp-shuffle +
//    shared-memory block reduction (large reductions: mean over an image, bias gradients, losses);
//  * cols kernel: one thread per output looping over a short reduced extent (many small reductions;
//    adjacent threads read adjacent addresses when the kept dims are innermost).
#include "../include/sfd_common.cuh"

namespace sfd {
namespace {

struct Dims {
    int rank;
    int64_t size[SFD_MAX_RANK];
    int64_t stride[SFD_MAX_RANK];
};
struct ReduceGeom {
    Dims kept, red;
    int64_t nOut, nRed;
};

SFD_DEVICE int64_t offset_of(const Dims& d, int64_t i) {
    int64_t off = 0;
    for (int k = d.rank - 1; k >= 0; k--) {
        int64_t q = i / d.size[k];
        off += (i - q * d.size[k]) * d.stride[k];
        i = q;
    }
    return off;
}

template <class T, class Op> SFD_KERNEL void reduce_rows_kernel(const T* __restrict__ x, T* __restrict__ out, ReduceGeom g, Op op, T identity) {
    SFD_SHARED(T, scratch, 32);
    for (int64_t o = blockIdx.x; o < g.nOut; o += gridDim.x) {  // uniform per block: barriers stay convergent
        const T* base = x + offset_of(g.kept, o);
        T acc = identity;
        if (g.red.rank == 1) {
            const int64_t s = g.red.stride[0];
            for (int64_t r = threadIdx.x; r < g.nRed; r += blockDim.x) acc = op(acc, base[r * s]);
        } else {
            for (int64_t r = threadIdx.x; r < g.nRed; r += blockDim.x) acc = op(acc, base[offset_of(g.red, r)]);
        }
        acc = block_reduce(acc, scratch, op, identity);
        if (threadIdx.x == 0) out[o] = acc;
    }
}

template <class T, class Op> SFD_KERNEL void reduce_cols_kernel(const T* __restrict__ x, T* __restrict__ out, ReduceGeom g, Op op, T identity) {
    for (int64_t o = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; o < g.nOut; o += (int64_t)gridDim.x * blockDim.x) {
        const T* base = x + offset_of(g.kept, o);
        T acc = identity;
        for (int64_t r = 0; r < g.nRed; r++) acc = op(acc, base[offset_of(g.red, r)]);
        out[o] = acc;
    }
}

void push(Dims& d, int64_t size, int64_t stride) {
    if (size == 1) return;
    if (d.rank > 0 && d.stride[d.rank - 1] == size * stride) {  // contiguous with the previous (outer) dim
        d.size[d.rank - 1] *= size;
        d.stride[d.rank - 1] = stride;
        return;
    }
    d.size[d.rank] = size;
    d.stride[d.rank] = stride;
    d.rank++;
}

template <class T, class Op> int run(const char* fn, const T* x, T* out, const ReduceGeom& g, Op op, T identity, void* stream) {
    if (g.nRed >= 64 || g.nOut < 1024) {
        int threads = g.nRed >= 2048 ? 256 : g.nRed >= 256 ? 128 : 64;
        auto k = &reduce_rows_kernel<T, Op>;
        SFD_LAUNCH(k, (unsigned)(g.nOut < 65535 ? g.nOut : 65535), threads, 0, stream, x, out, g, op, identity);
    } else {
        auto k = &reduce_cols_kernel<T, Op>;
        SFD_LAUNCH(k, grid_for(g.nOut), kThreads, 0, stream, x, out, g, op, identity);
    }
    return check_launch(fn);
}

template <class T> int reduce(const char* fn, int op, const T* x, T* out, int rank, const int64_t* inShape, const int64_t* outShape, void* stream) {
    SFD_REQUIRE(op >= 0 && op < SFD_REDUCE_OP_COUNT, fn, "unknown reduce op");
    SFD_REQUIRE(rank >= 0 && rank <= SFD_MAX_RANK, fn, "rank must be in [0, 8]");
    SFD_REQUIRE(rank == 0 || (inShape && outShape), fn, "shape NULL");
    ReduceGeom g{};
    g.nOut = 1;
    g.nRed = 1;
    int64_t stride = 1;
    int64_t strides[SFD_MAX_RANK];
    for (int d = rank - 1; d >= 0; d--) {
        strides[d] = stride;
        stride *= inShape[d];
    }
    for (int d = 0; d < rank; d++) {
        SFD_REQUIRE(inShape[d] >= 0 && (outShape[d] == inShape[d] || outShape[d] == 1), fn, "output dims must equal the input's or be 1");
        if (outShape[d] == inShape[d]) {
            push(g.kept, inShape[d], strides[d]);
            g.nOut *= inShape[d];
        } else {
            push(g.red, inShape[d], strides[d]);
            g.nRed *= inShape[d];
        }
    }
    if (g.nOut == 0) return 0;
    SFD_REQUIRE(x && out, fn, "NULL pointer");
    if (g.nRed == 0) {  // empty reduction: the identity (0 for sum, -inf for max)
        double v = op == SFD_SUM ? 0.0 : -INFINITY;
        if (sizeof(T) == sizeof(float)) return sfd_fill_fwd_f32((float*)out, g.nOut, v, stream);
        return sfd_fill_fwd_f64((double*)out, g.nOut, v, stream);
    }
    if (g.red.rank == 0) {  // nothing to reduce (all reduced dims had size 1)
        g.red.rank = 1;
        g.red.size[0] = 1;
        g.red.stride[0] = 0;
    }
    if (g.kept.rank == 0) {
        g.kept.rank = 1;
        g.kept.size[0] = 1;
        g.kept.stride[0] = 0;
    }
    if (op == SFD_SUM) return run(fn, x, out, g, SumOp(), (T)0, stream);
    return run(fn, x, out, g, MaxOp(), neg_inf<T>(), stream);
}

}  // namespace
}  // namespace sfd

extern "C" int sfd_reduce_fwd_f32(int op, const float* x, float* out, int rank, const int64_t* inShape, const int64_t* outShape, void* stream) {
    return sfd::reduce("sfd_reduce_fwd_f32", op, x, out, rank, inShape, outShape, stream);
}
extern "C" int sfd_reduce_fwd_f64(int op, const double* x, double* out, int rank, const int64_t* inShape, const int64_t* outShape, void* stream) {
    return sfd::reduce("sfd_reduce_fwd_f64", op, x, out, rank, inShape, outShape, stream);
}
