package dev.sfd.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.LabelTie;
import org.junit.jupiter.api.Test;

/** SongUNet's label reaches the network only through map_label, so tying its columns ties the whole output. */
class SongUnetLabelTieTest {
    private static float[] denoise(EdmPrecond n, int label) {
        Tensor x = new RandomStream(1).normal(DType.FLOAT32, 2, 3, 16, 16);
        Tensor sigma = Tensor.of(new double[] {0.3, 3.0}, 2).to(DType.FLOAT32);
        return n.denoise(x, sigma, Ops.oneHot(new int[] {label, label}, 4, DType.FLOAT32)).toFloatArray();
    }

    @Test
    void labelEmbeddingIsMapLabelAndTheTieMakesTwoLabelsOne() {
        EdmPrecond net = SongUnet.create(SongUnetConfig.tiny(), 2);
        var emb = net.labelEmbedding();
        assertSame(net.namedParameters().get("model.map_label.weight"), emb.weight());
        assertEquals(4, emb.classes());
        // map_label starts as xavier noise, so the labels differ; a trained teacher's do too
        assertFalse(java.util.Arrays.equals(denoise(net, 3), denoise(net, 2)));
        ForgetPlan plan = ForgetPlan.classes().forget(3).overrideWith(2);
        LabelTie.apply(net, plan);
        assertArrayEquals(denoise(net, 2), denoise(net, 3));
        assertFalse(java.util.Arrays.equals(denoise(net, 1), denoise(net, 3)));
    }
}
