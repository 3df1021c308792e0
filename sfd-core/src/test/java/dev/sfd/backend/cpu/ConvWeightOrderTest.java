package dev.sfd.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The weight gradient's two loop orders (samples outermost, or channels outermost) give the same bits. */
class ConvWeightOrderTest {
    @ParameterizedTest(name = "n={0} ci={1} co={2} hw={3} k={4} pad={5} vector={6}")
    @CsvSource({"3,5,7,9,3,1,true", "11,4,10,8,3,1,true", "2,3,5,7,1,0,true", "2,3,6,6,5,2,true", "3,5,7,9,3,1,false", "9,2,5,6,3,1,false"})
    void sampleOuterEqualsChannelOuter(int n, int ci, int co, int hw, int k, int pad, boolean vector) {
        CpuBackend be = new CpuBackend(vector);
        RandomStream rng = new RandomStream(n * 31 + co);
        Tensor x = rng.normal(DType.FLOAT32, n, ci, hw, hw);
        int ho = hw + 2 * pad - k + 1;
        Tensor g = rng.normal(DType.FLOAT32, n, co, ho, ho);
        float[] sample = weightGrad(be, x, g, pad, ci, co, k, null);
        float[] channel = weightGrad(be, x, g, pad, ci, co, k, "channel");
        assertArrayEquals(channel, sample);
    }

    private static float[] weightGrad(CpuBackend be, Tensor x, Tensor g, int pad, int ci, int co, int k, String order) {
        String prev = System.getProperty("sfd.conv.weight.order");
        try {
            if (order == null) System.clearProperty("sfd.conv.weight.order");
            else System.setProperty("sfd.conv.weight.order", order);
            Tensor gw = Tensor.zeros(be, DType.FLOAT32, co, ci, k, k), gb = Tensor.zeros(be, DType.FLOAT32, co);
            be.conv2dBackwardWeight(x, g, pad, gw, gb);
            return gw.toFloatArray();
        } finally {
            if (prev == null) System.clearProperty("sfd.conv.weight.order");
            else System.setProperty("sfd.conv.weight.order", prev);
        }
    }
}
