package dev.sfd.diffusion;

import dev.sfd.ShapeException;
import dev.sfd.nn.Parameter;
import dev.sfd.tensor.Shapes;

/**
 * Where a network's one-hot class label enters linearly: columns {@code offset .. offset + classes - 1} of
 * {@code weight} [out, in] are the embeddings of classes {@code 0 .. classes - 1}. Nothing else reads those columns,
 * so a column receives a gradient only from samples that carry its class.
 */
public record LabelEmbedding(Parameter weight, int offset, int classes) {
    public LabelEmbedding {
        int[] s = weight.shape();
        if (s.length != 2 || offset < 0 || classes <= 0 || offset + classes > s[1]) {
            throw new ShapeException("LabelEmbedding: columns " + offset + ".." + (offset + classes - 1)
                    + " do not fit a weight of shape " + Shapes.str(s) + " (expected [out, in])");
        }
    }

    /** Column index in {@code weight} of class {@code c}'s embedding. */
    public int column(int c) {
        if (c < 0 || c >= classes) throw new ShapeException("LabelEmbedding: class " + c + " outside 0.." + (classes - 1));
        return offset + c;
    }
}
