package dev.sfd.io;

import dev.sfd.tensor.CpuStorage;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;

/**
 * Reads tensor elements on the host without going through ops: CPU tensors are read straight from their
 * heap array following shape, strides and offset, so the io package works whatever the state of the
 * backends; device tensors are downloaded.
 */
final class HostData {
    private HostData() {}

    /** Row-major copy of the elements as float (FLOAT64 values are rounded). */
    static float[] floats(Tensor t) {
        if (t.storage() instanceof CpuStorage) {
            CpuStorage s = (CpuStorage) t.storage();
            int n = t.numel();
            float[] out = new float[n];
            if (s.f != null) {
                if (t.isDense()) {
                    System.arraycopy(s.f, 0, out, 0, n);
                } else {
                    int[] idx = strided(t);
                    for (int i = 0; i < n; i++) out[i] = s.f[idx[i]];
                }
            } else {
                if (t.isDense()) {
                    for (int i = 0; i < n; i++) out[i] = (float) s.d[i];
                } else {
                    int[] idx = strided(t);
                    for (int i = 0; i < n; i++) out[i] = (float) s.d[idx[i]];
                }
            }
            return out;
        }
        return t.toFloatArray();
    }

    /** Row-major copy of the elements as double. */
    static double[] doubles(Tensor t) {
        if (t.storage() instanceof CpuStorage) {
            CpuStorage s = (CpuStorage) t.storage();
            int n = t.numel();
            double[] out = new double[n];
            boolean dense = t.isDense();
            int[] idx = dense ? null : strided(t);
            for (int i = 0; i < n; i++) {
                int p = dense ? i : idx[i];
                out[i] = s.f != null ? s.f[p] : s.d[p];
            }
            return out;
        }
        return t.toDoubleArray();
    }

    /** True when the tensor's values are FLOAT64. */
    static boolean isDouble(Tensor t) { return t.dtype() == DType.FLOAT64; }

    /** Storage index of every element in row-major order. */
    private static int[] strided(Tensor t) {
        int[] shape = t.shape();
        int[] strides = t.strides();
        int n = t.numel();
        int[] out = new int[n];
        int rank = shape.length;
        int[] pos = new int[rank];
        int p = t.offset();
        for (int i = 0; i < n; i++) {
            out[i] = p;
            for (int a = rank - 1; a >= 0; a--) {
                if (++pos[a] < shape[a]) {
                    p += strides[a];
                    break;
                }
                p -= strides[a] * (shape[a] - 1);
                pos[a] = 0;
            }
        }
        return out;
    }
}
