package dev.sfd.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.diffusion.EdmLoss;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.diffusion.Sampler;
import dev.sfd.io.SafeTensors;
import dev.sfd.nn.Parameter;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Parity with the PyTorch EDM reference (fixtures made by tools/make_fixtures.py, checked against the official
 * NVlabs/edm code): the tiny SongUNet's state dict, forward output, mapping embedding, input and parameter
 * gradients, the EDM loss and the Heun/Euler samplers.
 */
class SongUnetParityTest {
    static SafeTensors.Contents fx;
    static EdmPrecond net;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = SongUnetParityTest.class.getResourceAsStream("/fixtures/tiny_songunet.safetensors")) {
            fx = SafeTensors.read(in, "tiny_songunet.safetensors", DType.FLOAT32);
        }
        net = new EdmPrecond(new SongUnet(SongUnetConfig.tiny(), new RandomStream(0), DType.FLOAT32));
        Map<String, Tensor> state = new LinkedHashMap<>();
        fx.tensors().forEach((k, v) -> { if (k.startsWith("model.")) state.put(k, v); });
        net.loadStateDict(state, true);
        net.train(false);
    }

    /** max |a - b| <= tol * max(1, max |b|). */
    static void close(Tensor expected, Tensor actual, double tol, String what) {
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        assertEquals(e.length, a.length, what + ": size");
        double maxRef = 1, maxErr = 0;
        for (int i = 0; i < e.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(e[i]));
            maxErr = Math.max(maxErr, Math.abs(e[i] - a[i]));
        }
        assertTrue(maxErr <= tol * maxRef, what + ": max error " + maxErr + " > " + tol + " * " + maxRef);
    }

    static List<String[]> names(String resource) throws IOException {
        List<String[]> out = new ArrayList<>();
        try (InputStream in = SongUnetParityTest.class.getResourceAsStream(resource)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) out.add(line.split("\t"));
            }
        }
        return out;
    }

    @Test
    void stateDictNamesShapesAndOrderMatchPyTorch() throws IOException {
        for (String[] cfgFile : new String[][] {{"tiny", "/fixtures/tiny_param_names.txt"}, {"fmnist-s", "/fixtures/fmnist_s_param_names.txt"}}) {
            EdmPrecond n = new EdmPrecond(new SongUnet(SongUnetConfig.named(cfgFile[0]), 1));
            List<String[]> expected = names(cfgFile[1]);
            List<Map.Entry<String, Tensor>> actual = new ArrayList<>(n.stateDict().entrySet());
            assertEquals(expected.size(), actual.size(), cfgFile[0] + ": number of state-dict entries");
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i)[0], actual.get(i).getKey(), cfgFile[0] + ": entry " + i);
                int[] shape = actual.get(i).getValue().shape();
                StringBuilder sb = new StringBuilder();
                for (int d = 0; d < shape.length; d++) sb.append(d == 0 ? "" : ",").append(shape[d]);
                assertEquals(expected.get(i)[1].trim(), sb.toString(), cfgFile[0] + ": shape of " + expected.get(i)[0]);
            }
        }
    }

    @Test
    void parameterCountsMatchTheOfficialNetworks() {
        assertEquals(189_427, new SongUnet(SongUnetConfig.tiny(), 1).parameterCount());
        assertEquals(1_753_345, new SongUnet(SongUnetConfig.fmnistS(), 1).parameterCount());
    }

    @Test
    void forwardMatches() {
        Tensor x = fx.get("io.x"), sigma = fx.get("io.sigma"), labels = fx.get("io.labels");
        close(fx.get("io.D"), net.denoise(x, sigma, labels), 1e-4, "D");
        close(fx.get("io.D_uncond"), net.denoise(x, sigma, Tensor.zeros(DType.FLOAT32, 4, 4)), 1e-4, "D_uncond");
        SongUnet model = (SongUnet) net.model();
        close(fx.get("io.emb"), model.embedding(fx.get("io.c_noise"), labels), 1e-4, "emb");
        close(fx.get("io.F"), model.forward(Ops.mul(x, Ops.reshape(cIn(sigma), 4, 1, 1, 1)), fx.get("io.c_noise"), labels), 1e-4, "F");
    }

    static Tensor cIn(Tensor sigma) {
        double[] s = sigma.toDoubleArray();
        for (int i = 0; i < s.length; i++) s[i] = 1 / Math.sqrt(s[i] * s[i] + 0.25);
        return Tensor.of(s, s.length).to(DType.FLOAT32);
    }

    @Test
    void inputAndParameterGradientsMatch() {
        Tensor x = fx.get("io.x").detach().requiresGrad(true);
        Tensor d = net.denoise(x, fx.get("io.sigma"), fx.get("io.labels"));
        net.zeroGrad();
        Ops.sumAll(Ops.mul(d, fx.get("io.r"))).backward();
        close(fx.get("io.grad_x"), x.grad(), 1e-4, "grad_x");
        int checked = 0;
        for (Map.Entry<String, Parameter> e : net.namedParameters().entrySet()) {
            close(fx.get("grad." + e.getKey()), e.getValue().grad(), 1e-4, "grad." + e.getKey());
            checked++;
        }
        assertEquals(144, checked);
    }

    @Test
    void edmLossMatches() {
        double[] sigma = fx.get("loss.sigma").toDoubleArray();
        Tensor loss = new EdmLoss().perSample(net, fx.get("loss.y"), fx.get("loss.labels"), fx.get("loss.n"), sigma);
        double[] e = fx.get("loss.value").toDoubleArray(), a = loss.toDoubleArray();
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], 1e-5 * Math.abs(e[i]), "loss sample " + i);
    }

    @Test
    void heunAndEulerTrajectoriesMatch() {
        Tensor latent = fx.get("heun.latent"), labels = fx.get("heun.labels");
        double[] t = Sampler.heun(4).timeSteps();
        double[] te = fx.get("heun.t_steps").toDoubleArray();
        for (int i = 0; i < te.length; i++) assertEquals(te[i], t[i], 1e-6 * Math.max(1, te[i]), "t_" + i); // fixture grid went through float32
        close(fx.get("heun.x1"), Sampler.heun(4).sample(net, latent, labels, null, 1), 1e-5, "heun x1");
        close(fx.get("heun.out"), Sampler.heun(4).sample(net, latent, labels, null), 1e-3, "heun out");
        close(fx.get("euler.out"), Sampler.euler(4).sample(net, latent, labels, null), 1e-3, "euler out");
    }

    @Test
    void positionalEmbeddingMatches() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/fixtures/posemb.safetensors")) {
            SafeTensors.Contents c = SafeTensors.read(in, "posemb.safetensors", DType.FLOAT32);
            close(c.get("emb"), SongUnet.positionalEmbedding(c.get("c_noise"), 16), 1e-5, "positional embedding");
        }
    }

    @Test
    void convertedCheckpointLoads() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/fixtures/tiny_converted.safetensors")) {
            SafeTensors.Contents c = SafeTensors.read(in, "tiny_converted.safetensors", DType.FLOAT32);
            SongUnetConfig cfg = SongUnetConfig.fromMetadata(c.metadata(), "tiny_converted.safetensors");
            assertEquals(SongUnetConfig.tiny(), cfg);
            EdmPrecond n = new EdmPrecond(new SongUnet(cfg, 3));
            n.loadStateDict(c.tensors(), true);
            close(fx.get("io.D"), n.denoise(fx.get("io.x"), fx.get("io.sigma"), fx.get("io.labels")), 1e-4, "converted D");
        }
    }
}
