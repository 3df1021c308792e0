package dev.sfd.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sfd.backend.Backend;
import dev.sfd.backend.Backends;
import dev.sfd.nn.Parameter;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import dev.sfd.tensor.TensorScope;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * SongUNet forward + backward through the emulated CUDA kernels ("cuda-emu", sfd-cuda) against the fast CPU
 * backend: same weights (Philox draws are bit-identical on both), same inputs, outputs and every parameter
 * gradient within 1e-4 relative (per element, scaled by |reference| + rms(reference)).
 */
class SongUnetCudaEmuTest {
    private static final double TOL = 1e-4;

    @Test
    void tinyForwardBackwardMatchesTheCpuBackend() {
        check(SongUnetConfig.tiny(), 2);
    }

    /** The Fashion-MNIST teacher size (1.75 M parameters, 32x32, attention at 8x8), batch 2: ~20 s in emulation. */
    @Test
    void fmnistSForwardBackwardMatchesTheCpuBackend() {
        check(SongUnetConfig.fmnistS(), 2);
    }

    private record Run(float[] out, List<float[]> grads, List<float[]> weights) {}

    private static Run run(Backend be, SongUnetConfig cfg, int batch) {
        try (var use = Backends.use(be); TensorScope scope = TensorScope.open()) {
            SongUnet net = new SongUnet(cfg, new RandomStream(1234), DType.FLOAT32);
            net.train(false);   // no dropout: both backends see the same function
            int res = cfg.imgResolution(), ch = cfg.inChannels();
            SplittableRandom r = new SplittableRandom(7);
            float[] x = new float[batch * ch * res * res], sigma = new float[batch], labels = new float[batch * Math.max(1, cfg.labelDim())];
            for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
            for (int i = 0; i < batch; i++) sigma[i] = (float) (0.1 + r.nextDouble());
            for (int i = 0; i < batch; i++) if (cfg.labelDim() > 0) labels[i * cfg.labelDim() + i % cfg.labelDim()] = 1;
            Tensor xt = Tensor.of(x, batch, ch, res, res), cNoise = Tensor.of(sigma, batch);
            Tensor lt = cfg.labelDim() > 0 ? Tensor.of(labels, batch, cfg.labelDim()) : null;
            Tensor out = net.forward(xt, cNoise, lt);
            assertEquals(be, out.backend());
            float[] w = new float[out.numel()];
            for (int i = 0; i < w.length; i++) w[i] = (float) Math.sin(0.37 * i);
            Ops.sumAll(Ops.mul(out, Tensor.of(w, out.shape()))).backward();
            List<float[]> grads = new java.util.ArrayList<>(), weights = new java.util.ArrayList<>();
            for (Parameter p : net.parameters()) {
                grads.add(p.grad() == null ? new float[0] : p.grad().toFloatArray());
                weights.add(p.data().toFloatArray());
            }
            return new Run(out.toFloatArray(), grads, weights);
        }
    }

    private static void check(SongUnetConfig cfg, int batch) {
        Backend emu = Backends.byName("cuda-emu");
        long t0 = System.nanoTime();
        Run g = run(emu, cfg, batch);
        long t1 = System.nanoTime();
        Run c = run(Backends.cpu(), cfg, batch);
        System.out.printf("SongUNet %d params: cuda-emu %.1f s, cpu %.1f s%n", c.weights.stream().mapToInt(a -> a.length).sum(),
                (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
        assertEquals(c.weights.size(), g.weights.size());
        for (int i = 0; i < c.weights.size(); i++) {
            assertTrue(java.util.Arrays.equals(c.weights.get(i), g.weights.get(i)), "initial weights of parameter " + i + " are bit-identical (Philox)");
        }
        close("output", g.out, c.out);
        int nonZero = 0;
        for (int i = 0; i < c.grads.size(); i++) {
            close("gradient of parameter " + i, g.grads.get(i), c.grads.get(i));
            for (float v : c.grads.get(i)) if (v != 0) { nonZero++; break; }
        }
        assertTrue(nonZero > c.grads.size() / 2, "most parameters receive a gradient");
    }

    private static void close(String what, float[] got, float[] want) {
        assertEquals(want.length, got.length, what);
        double ss = 0;
        for (float v : want) ss += (double) v * v;
        double rms = want.length == 0 ? 0 : Math.sqrt(ss / want.length);
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(got[i] - want[i]) / (Math.abs(want[i]) + rms);
            if (!(err <= TOL)) fail(what + ": element " + i + " is " + got[i] + ", cpu " + want[i] + " (relative error " + err + ")");
        }
    }
}
