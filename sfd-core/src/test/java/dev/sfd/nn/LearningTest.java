package dev.sfd.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.ops.Ops;
import dev.sfd.optim.Adam;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** End-to-end learning with the engine: an MLP separates two interleaved 2-D moons. */
class LearningTest {
    @Test
    void mlpFitsTwoMoons() {
        Random r = new Random(2);
        int n = 256;
        double[] x = new double[n * 2];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            int c = i % 2;
            double t = Math.PI * r.nextDouble();
            x[2 * i] = c == 0 ? Math.cos(t) : 1 - Math.cos(t);
            x[2 * i + 1] = (c == 0 ? Math.sin(t) : 0.5 - Math.sin(t)) + 0.05 * r.nextGaussian();
            y[i] = c;
        }
        Tensor in = Tensor.of(x, n, 2).to(DType.FLOAT32);
        Tensor target = Tensor.of(y, n, 1).to(DType.FLOAT32);
        RandomStream rng = new RandomStream(4);
        Linear l1 = new Linear(2, 32, true, 1.0, rng, DType.FLOAT32);
        Linear l2 = new Linear(32, 32, true, 1.0, rng, DType.FLOAT32);
        Linear l3 = new Linear(32, 1, true, 1.0, rng, DType.FLOAT32);
        List<Parameter> ps = new java.util.ArrayList<>(l1.parameters());
        ps.addAll(l2.parameters());
        ps.addAll(l3.parameters());
        Adam adam = new Adam(ps, 1e-2, 0.9, 0.999);
        double loss = Double.NaN;
        for (int step = 0; step < 400; step++) {
            Tensor logit = l3.forward(Ops.silu(l2.forward(Ops.silu(l1.forward(in)))));
            // logistic loss: softplus(logit) - y * logit, written as log(1 + exp(.)) on a clamped logit
            Tensor z = Ops.clamp(logit, -30, 30);
            Tensor l = Ops.meanAll(Ops.sub(Ops.log(Ops.addScalar(Ops.exp(z), 1.0)), Ops.mul(target, z)));
            adam.zeroGrad();
            l.backward();
            adam.step();
            loss = l.item();
        }
        float[] logit = l3.forward(Ops.silu(l2.forward(Ops.silu(l1.forward(in))))).toFloatArray();
        int ok = 0;
        for (int i = 0; i < n; i++) if ((logit[i] > 0) == (y[i] > 0.5)) ok++;
        assertTrue(ok >= 0.98 * n, "training accuracy " + ok + "/" + n + ", final loss " + loss);
    }
}
