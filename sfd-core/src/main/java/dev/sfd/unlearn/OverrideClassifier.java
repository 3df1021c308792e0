package dev.sfd.unlearn;

import dev.sfd.tensor.Tensor;

/**
 * The image classifier that picks the teacher label of forgotten samples in {@link OverrideMode#CLASSIFIER} mode. sfd-core
 * knows no trained classifier; sfd-models' Fashion-MNIST classifier implements this interface. It is called without
 * gradient on denoised images in the teacher's data space (the same space the generator draws in) and must not change
 * its own state, so that the run stays deterministic.
 */
public interface OverrideClassifier {
    /** Number of classes; must equal the teacher's label count. */
    int numClasses();

    /** Class logits {@code [N, numClasses()]} of images {@code [N, C, H, W]}. */
    Tensor logits(Tensor images);
}
