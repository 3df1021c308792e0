package dev.sfd.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.nn.Parameter;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bit-identical resume needs bit-identical kernels: the same forward/backward on the same inputs must give the
 * same bits every time, whatever the thread scheduling (parallel reductions use a fixed partition and order).
 */
class DeterminismTest {
    @Test
    void songUnetGradientsAreBitwiseRepeatable() {
        EdmPrecond net = SongUnet.create(SongUnetConfig.tiny(), 3);
        RandomStream rng = new RandomStream(8);
        Tensor x = rng.normal(DType.FLOAT32, 16, 3, 16, 16);
        Tensor sigma = Tensor.of(new float[] {0.1f, 0.5f, 1, 2, 4, 8, 16, 0.02f, 0.1f, 0.5f, 1, 2, 4, 8, 16, 0.02f}, 16);
        Tensor labels = Ops.oneHot(new int[] {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3}, 4, DType.FLOAT32);
        List<float[]> first = null;
        for (int rep = 0; rep < 4; rep++) {
            net.zeroGrad();
            Tensor xin = x.detach().requiresGrad(true);
            Ops.sumAll(Ops.square(net.denoise(xin, sigma, labels))).backward();
            List<float[]> grads = new ArrayList<>();
            grads.add(xin.grad().toFloatArray());
            for (Map.Entry<String, Parameter> e : net.namedParameters().entrySet()) grads.add(e.getValue().grad().toFloatArray());
            if (first == null) first = grads;
            else for (int i = 0; i < grads.size(); i++) assertArrayEquals(first.get(i), grads.get(i), "gradient " + i + " differs in repetition " + rep);
        }
    }
}
