package dev.sfd.models;

import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test fixture: a judge (tiny 10-class classifier) that calls every image class {@code k}, whatever the image (zero head
 * weights, a bias of 100 on class {@code k}), so that figures computed with it are known in advance. Shared with the
 * CLI tests through sfd-models' test jar.
 */
public final class ConstantJudge {
    private ConstantJudge() {}

    /** A judge of layout {@code arch} (1 channel, width 4, 10 classes) that predicts class {@code k} for every image. */
    public static Classifier of(Classifier.Arch arch, int k) {
        Classifier c = new Classifier(arch, 1, 4, 10, 6);
        Map<String, Tensor> sd = new LinkedHashMap<>(c.stateDict());
        float[] bias = new float[10];
        bias[k] = 100;
        sd.put("head.weight", Tensor.zeros(DType.FLOAT32, 10, Classifier.FEATURES));
        sd.put("head.bias", Tensor.of(bias, 10));
        c.loadStateDict(sd, true);
        return c;
    }

    /** {@link #of} in the shipped judge's layout ({@link Classifier.Arch#CNN6}) saved as {@code dir/judge-k.safetensors}. */
    public static Path save(Path dir, int k) {
        Path p = dir.resolve("judge-" + k + ".safetensors");
        of(Classifier.Arch.CNN6, k).save(p, null);
        return p;
    }
}
