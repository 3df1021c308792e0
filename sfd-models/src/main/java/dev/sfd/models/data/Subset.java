package dev.sfd.models.data;

import java.util.List;

/** A view of some examples of another dataset; labels and class names are the parent's. */
final class Subset implements Dataset {
    private final Dataset parent;
    private final int[] indices;

    Subset(Dataset parent, int[] indices) {
        // flatten subsets of subsets so lookups stay one level deep
        if (parent instanceof Subset) {
            Subset s = (Subset) parent;
            int[] flat = new int[indices.length];
            for (int i = 0; i < indices.length; i++) flat[i] = s.indices[indices[i]];
            this.parent = s.parent;
            this.indices = flat;
        } else {
            this.parent = parent;
            this.indices = indices;
        }
    }

    @Override public int size() { return indices.length; }
    @Override public int numClasses() { return parent.numClasses(); }
    @Override public List<String> classNames() { return parent.classNames(); }
    @Override public int channels() { return parent.channels(); }
    @Override public int height() { return parent.height(); }
    @Override public int width() { return parent.width(); }

    @Override
    public int label(int i) {
        checkIndex(i);
        return parent.label(indices[i]);
    }

    @Override
    public void image(int i, float[] dst, int offset) {
        checkIndex(i);
        parent.image(indices[i], dst, offset);
    }

    @Override
    public String name() { return parent.name() + " (subset of " + indices.length + ")"; }
}
