// sfd_igemm.cuh - the tiled, register-blocked matrix-multiply core shared by gemm.cu and conv.cu.
//
// C[z] (M x N) = sum_k A[z](m, k) * B[z](k, n), where a Problem supplies the element loaders (plain
// strided matrices for GEMM, on-the-fly im2col gathers for implicit-GEMM convolution) and the
// epilogue (alpha/beta, bias, scatter to NCHW).
//
// One block computes a BM x BN tile of C with NT = (BM/TM)(BN/TN) threads; thread (ty, tx) owns the
// TM x TN register tile at rows ty + i*(BM/TM), cols tx + j*(BN/TN) (strided, so that the shared-memory
// reads of a warp hit consecutive banks and the global stores of a warp are consecutive). Per K step of
// BK the block stages A (BK x BM, k-major) and B (BK x BN) in shared memory; the next step's tiles are
// loaded from global memory into registers while the current step is multiplied (register
// prefetch), so the global latency overlaps the FMAs. Rows of the shared tiles are padded by one
// element to keep the transposing stores free of bank conflicts.
#pragma once

#include "sfd_common.cuh"

namespace sfd {

template <class T, int BM_, int BN_, int BK_, int TM_, int TN_> struct TileConfig {
    static constexpr int BM = BM_, BN = BN_, BK = BK_, TM = TM_, TN = TN_;
    static constexpr int THREADS_M = BM / TM, THREADS_N = BN / TN;
    static constexpr int NT = THREADS_M * THREADS_N;
    static constexpr int LOADS_A = BM * BK / NT, LOADS_B = BN * BK / NT;
    static_assert(BM * BK % NT == 0 && BN * BK % NT == 0, "tile loads must divide evenly among threads");
};

// f32: 64x64 tile, K step 16, 4x4 per thread, 256 threads, 8.3 KB shared.
// f64: 64x64 tile, K step 8, 4x4 per thread, 256 threads, 8.3 KB shared.
template <class T> struct DefaultTile;
template <> struct DefaultTile<float> { using type = TileConfig<float, 64, 64, 16, 4, 4>; };
template <> struct DefaultTile<double> { using type = TileConfig<double, 64, 64, 8, 4, 4>; };

// Problem interface (all __device__):
//   int M, N, K;  bool aKFast() / bKFast(): whether consecutive k are adjacent in memory (chooses the
//   coalesced thread->element mapping of the tile loads);
//   T loadA(int z, int m, int k) const; T loadB(int z, int k, int n) const  (callers guarantee bounds);
//   void store(int z, int m, int n, T acc) const.
template <class T, class Cfg, class P> SFD_KERNEL SFD_LAUNCH_BOUNDS(Cfg::NT) void igemm_kernel(P p, int zBase) {
    constexpr int BM = Cfg::BM, BN = Cfg::BN, BK = Cfg::BK, TM = Cfg::TM, TN = Cfg::TN, NT = Cfg::NT;
    constexpr int LDA = BM + 1, LDB = BN + 1;
    SFD_SHARED(T, As, BK * LDA);
    SFD_SHARED(T, Bs, BK * LDB);

    const int tid = threadIdx.x;
    const int tx = tid % Cfg::THREADS_N, ty = tid / Cfg::THREADS_N;
    const int z = zBase + blockIdx.z;
    const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    const bool aK = p.aKFast(), bK = p.bKFast();

    T acc[TM][TN];
    SFD_UNROLL
    for (int i = 0; i < TM; i++)
        SFD_UNROLL
        for (int j = 0; j < TN; j++) acc[i][j] = (T)0;

    T ra[Cfg::LOADS_A], rb[Cfg::LOADS_B];
    // element e of this thread's share of the A tile -> (m, k) inside the tile
    auto a_coord = [&](int r, int& m, int& k) {
        int e = tid + r * NT;
        if (aK) { k = e % BK; m = e / BK; } else { m = e % BM; k = e / BM; }
    };
    auto b_coord = [&](int r, int& k, int& n) {
        int e = tid + r * NT;
        if (bK) { k = e % BK; n = e / BK; } else { n = e % BN; k = e / BN; }
    };
    auto load_tiles = [&](int k0) {
        SFD_UNROLL
        for (int r = 0; r < Cfg::LOADS_A; r++) {
            int m, k;
            a_coord(r, m, k);
            ra[r] = (m0 + m < p.M && k0 + k < p.K) ? p.loadA(z, m0 + m, k0 + k) : (T)0;
        }
        SFD_UNROLL
        for (int r = 0; r < Cfg::LOADS_B; r++) {
            int k, n;
            b_coord(r, k, n);
            rb[r] = (n0 + n < p.N && k0 + k < p.K) ? p.loadB(z, k0 + k, n0 + n) : (T)0;
        }
    };

    load_tiles(0);
    for (int k0 = 0; k0 < p.K; k0 += BK) {
        SFD_UNROLL
        for (int r = 0; r < Cfg::LOADS_A; r++) {
            int m, k;
            a_coord(r, m, k);
            As[k * LDA + m] = ra[r];
        }
        SFD_UNROLL
        for (int r = 0; r < Cfg::LOADS_B; r++) {
            int k, n;
            b_coord(r, k, n);
            Bs[k * LDB + n] = rb[r];
        }
        __syncthreads();
        if (k0 + BK < p.K) load_tiles(k0 + BK);  // in flight while we multiply this step
        SFD_UNROLL
        for (int kk = 0; kk < BK; kk++) {
            T av[TM], bv[TN];
            SFD_UNROLL
            for (int i = 0; i < TM; i++) av[i] = As[kk * LDA + ty + i * Cfg::THREADS_M];
            SFD_UNROLL
            for (int j = 0; j < TN; j++) bv[j] = Bs[kk * LDB + tx + j * Cfg::THREADS_N];
            SFD_UNROLL
            for (int i = 0; i < TM; i++)
                SFD_UNROLL
                for (int j = 0; j < TN; j++) acc[i][j] += av[i] * bv[j];
        }
        __syncthreads();  // everyone is done reading before the next step overwrites the tiles
    }

    SFD_UNROLL
    for (int i = 0; i < TM; i++) {
        int m = m0 + ty + i * Cfg::THREADS_M;
        if (m >= p.M) continue;
        SFD_UNROLL
        for (int j = 0; j < TN; j++) {
            int n = n0 + tx + j * Cfg::THREADS_N;
            if (n < p.N) p.store(z, m, n, acc[i][j]);
        }
    }
}

// Launches the kernel over batch (grid z, in chunks of 65535).
template <class T, class P> void launch_igemm(const P& p, int batch, void* stream) {
    using Cfg = typename DefaultTile<T>::type;
    auto igemm_tile_64x64 = &igemm_kernel<T, Cfg, P>;
    unsigned gx = (unsigned)((p.N + Cfg::BN - 1) / Cfg::BN), gy = (unsigned)((p.M + Cfg::BM - 1) / Cfg::BM);
    for (int z0 = 0; z0 < batch; z0 += 65535) {
        unsigned gz = (unsigned)(batch - z0 < 65535 ? batch - z0 : 65535);
        SFD_LAUNCH(igemm_tile_64x64, dim3(gx, gy, gz), dim3(Cfg::NT), 0, stream, p, z0);
    }
}

}  // namespace sfd
