package dev.sfd.models.data;

import dev.sfd.SfdException;
import dev.sfd.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * A labelled image dataset: images of {@code channels() x height() x width()} values in [-1, 1]
 * (-1 = background), labels in [0, {@link #numClasses()}). Implementations are immutable and safe to read
 * from several threads.
 *
 * <p>Subsets ({@link #subset}, {@link #withClasses}, {@link #withoutClasses}) keep the parent's labels,
 * class count and class names, so a model trained on "all but class c" still has a 10-way label space.
 */
public interface Dataset {
    /** A mini-batch: images [B, C, H, W] (FLOAT32, CPU) and their labels. */
    record Batch(Tensor images, int[] labels) {
        /** Number of examples. */
        public int size() { return labels.length; }
    }

    /** Number of examples. */
    int size();

    /** Number of classes of the label space (not only those present in a subset). */
    int numClasses();

    /** Human-readable class names, indexed by label. */
    List<String> classNames();

    /** Label of example {@code i}. */
    int label(int i);

    /** Writes the {@code channels()*height()*width()} values of image {@code i} into {@code dst} at {@code offset}. */
    void image(int i, float[] dst, int offset);

    /** A short description for messages, e.g. "Fashion-MNIST train". */
    String name();

    /** Channels per image. */
    default int channels() { return 1; }

    /** Image height in pixels. */
    default int height() { return 32; }

    /** Image width in pixels. */
    default int width() { return 32; }

    /** Values per image. */
    default int imageSize() { return channels() * height() * width(); }

    /** Image {@code i} as a new array, row-major C x H x W. */
    default float[] image(int i) {
        float[] out = new float[imageSize()];
        image(i, out, 0);
        return out;
    }

    /** The images and labels at {@code indices} (repeats allowed), as a [B, C, H, W] FLOAT32 tensor. */
    default Batch batch(int[] indices) {
        int per = imageSize();
        float[] data = new float[indices.length * per];
        int[] labels = new int[indices.length];
        for (int b = 0; b < indices.length; b++) {
            checkIndex(indices[b]);
            image(indices[b], data, b * per);
            labels[b] = label(indices[b]);
        }
        return new Batch(Tensor.wrap(data, indices.length, channels(), height(), width()), labels);
    }

    /** All labels, in order. */
    default int[] labels() {
        int[] out = new int[size()];
        for (int i = 0; i < out.length; i++) out[i] = label(i);
        return out;
    }

    /** Indices of the examples of one class. */
    default int[] indicesOf(int cls) {
        checkClass(cls);
        return filterIndices(c -> c == cls);
    }

    /** The examples at the given indices, in that order. */
    default Dataset subset(int[] indices) {
        for (int i : indices) checkIndex(i);
        return new Subset(this, indices.clone());
    }

    /** The examples whose label satisfies {@code keep}. */
    default Dataset filter(IntPredicate keep) {
        return new Subset(this, filterIndices(keep));
    }

    /** Only the examples of the given classes. */
    default Dataset withClasses(int... classes) {
        boolean[] in = classMask(classes);
        return new Subset(this, filterIndices(c -> in[c]));
    }

    /** All examples except those of the given classes (e.g. the retain set for a forget class). */
    default Dataset withoutClasses(int... classes) {
        boolean[] out = classMask(classes);
        return new Subset(this, filterIndices(c -> !out[c]));
    }

    /** Throws a message naming the dataset when {@code i} is not an example index. */
    default void checkIndex(int i) {
        if (i < 0 || i >= size()) throw new SfdException("index " + i + " out of range for " + name() + " (" + size() + " examples)");
    }

    /** Throws a message naming the dataset when {@code cls} is not a class id. */
    default void checkClass(int cls) {
        if (cls < 0 || cls >= numClasses()) {
            throw new SfdException("class id " + cls + " out of range for " + name() + " (classes 0.." + (numClasses() - 1) + ": " + classNames() + ")");
        }
    }

    private boolean[] classMask(int[] classes) {
        boolean[] mask = new boolean[numClasses()];
        for (int c : classes) {
            checkClass(c);
            mask[c] = true;
        }
        return mask;
    }

    private int[] filterIndices(IntPredicate keep) {
        int[] idx = new int[size()];
        int k = 0;
        for (int i = 0; i < idx.length; i++) if (keep.test(label(i))) idx[k++] = i;
        return Arrays.copyOf(idx, k);
    }
}
