package dev.sfd.unlearn;

import dev.sfd.SfdException;
import dev.sfd.autograd.Grad;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.io.SafeTensors;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The distilled one-step generator (SPEC-SFD section 4): {@code G(z, c) = D_theta(sigma_init z; sigma_init, c)},
 * one network evaluation per image. Saved as safetensors with the network's EDM state-dict names and
 * metadata {@code sfd.kind = one-step-generator}, {@code sfd.sigma_init}.
 */
public final class OneStepGenerator {
    public static final String KIND = "one-step-generator";
    private final ScoreNetwork network;
    private final double sigmaInit;

    public OneStepGenerator(ScoreNetwork network, double sigmaInit) {
        if (!(sigmaInit > 0)) throw new SfdException("sigmaInit must be positive, got " + sigmaInit);
        this.network = network;
        this.sigmaInit = sigmaInit;
    }

    public ScoreNetwork network() { return network; }

    public double sigmaInit() { return sigmaInit; }

    public int numClasses() { return network.labelDim(); }

    /** G(z, c) for unit-normal z [N, C, H, W] and one-hot labels [N, classes]; differentiable. */
    public Tensor generate(Tensor z, Tensor labels) {
        double[] s = new double[z.dim(0)];
        Arrays.fill(s, sigmaInit);
        return network.denoise(Ops.mulScalar(z, sigmaInit), Tensor.of(s, s.length).to(z.dtype()), labels);
    }

    /** Samples one image per label with latents from the Philox stream {@code seed}; no gradient. */
    public Tensor sample(int[] labels, long seed) {
        for (int l : labels) {
            if (l < 0 || l >= numClasses()) throw new SfdException("class id " + l + " out of range [0, " + numClasses() + ")");
        }
        int[] img = network.imageShape();
        RandomStream rng = new RandomStream(seed);
        try (var g = Grad.disabled()) {
            Tensor z = rng.normal(DType.FLOAT32, labels.length, img[0], img[1], img[2]);
            return generate(z, Ops.oneHot(labels, numClasses(), DType.FLOAT32));
        }
    }

    /** Writes weights and metadata atomically. */
    public void save(Path file, Map<String, String> extraMetadata) {
        Map<String, String> meta = new LinkedHashMap<>(network.metadata());
        meta.put("sfd.kind", KIND);
        meta.put("sfd.sigma_init", Double.toString(sigmaInit));
        if (extraMetadata != null) meta.putAll(extraMetadata);
        SafeTensors.write(file, network.stateDict(), meta);
    }

    public void save(Path file) { save(file, null); }
}
