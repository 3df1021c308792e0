package dev.sfd.tensor;

import dev.sfd.ShapeException;
import java.util.Arrays;

/** Static helpers for shapes ({@code int[]}, outermost dimension first) and strides. */
public final class Shapes {
    private Shapes() {}

    /** Number of elements; throws when the product overflows an int. */
    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new ShapeException("negative dimension in shape " + str(shape));
            n *= d;
            if (n > Integer.MAX_VALUE) throw new ShapeException("shape " + str(shape) + " has more than 2^31-1 elements");
        }
        return (int) n;
    }

    /** Row-major (C order) strides for a shape. */
    public static int[] contiguousStrides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(shape[i], 1);
        }
        return s;
    }

    /** Numpy-style broadcast of two shapes; names the op in the error. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            int db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new ShapeException(op + ": shapes " + str(a) + " and " + str(b) + " cannot be broadcast (dim " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * Strides that read a tensor of shape {@code shape} (contiguous) as if it had shape {@code target}
     * (right-aligned broadcast): broadcast dimensions get stride 0.
     */
    public static int[] broadcastStrides(int[] shape, int[] target) {
        int[] own = contiguousStrides(shape);
        int[] s = new int[target.length];
        int off = target.length - shape.length;
        for (int i = 0; i < target.length; i++) {
            int j = i - off;
            s[i] = (j < 0 || shape[j] == 1) ? 0 : own[j];
        }
        return s;
    }

    public static boolean equal(int[] a, int[] b) { return Arrays.equals(a, b); }

    public static String str(int[] shape) { return Arrays.toString(shape); }

    /** Normalises a possibly negative axis against a rank. */
    public static int axis(String op, int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ShapeException(op + ": axis " + axis + " out of range for rank " + rank);
        return a;
    }
}
