package dev.sfd.models;

import dev.sfd.SfdException;
import dev.sfd.ShapeException;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.diffusion.LabelEmbedding;
import dev.sfd.diffusion.NoiseNet;
import dev.sfd.io.SafeTensors;
import dev.sfd.nn.Conv2d;
import dev.sfd.nn.GroupNorm;
import dev.sfd.nn.Linear;
import dev.sfd.nn.Module;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Shapes;
import dev.sfd.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * EDM's SongUNet (DDPM++ layout; Song et al. 2021, Karras et al. 2022), SPEC-EDM section 5: positional noise
 * embedding, label embedding (with label dropout in training), encoder/decoder of {@link UNetBlock}s with
 * skip connections, and a GroupNorm + SiLU + 3x3 conv output head. State-dict names equal EDM's.
 */
public final class SongUnet extends NoiseNet {
    private final SongUnetConfig cfg;
    private final int noiseChannels;
    private final Linear mapLabel;
    private final Linear mapAugment;
    private final Linear mapLayer0;
    private final Linear mapLayer1;
    private final ModuleDict enc;
    private final ModuleDict dec;

    /** Ordered named children, registered like PyTorch's ModuleDict. */
    static final class ModuleDict extends Module {
        final LinkedHashMap<String, Module> items = new LinkedHashMap<>();

        <M extends Module> M put(String name, M m) {
            items.put(name, register(name, m));
            return m;
        }
    }

    public SongUnet(SongUnetConfig cfg, long seed) { this(cfg, new RandomStream(seed), DType.FLOAT32); }

    public SongUnet(SongUnetConfig cfg, RandomStream rng, DType dt) {
        this.cfg = cfg;
        int mc = cfg.modelChannels();
        int embChannels = mc * cfg.channelMultEmb();
        this.noiseChannels = mc * cfg.channelMultNoise();
        mapLabel = cfg.labelDim() > 0 ? register("map_label", new Linear(cfg.labelDim(), noiseChannels, true, 1.0, rng, dt)) : null;
        mapAugment = cfg.augmentDim() > 0 ? register("map_augment", new Linear(cfg.augmentDim(), noiseChannels, false, 1.0, rng, dt)) : null;
        mapLayer0 = register("map_layer0", new Linear(noiseChannels, embChannels, true, 1.0, rng, dt));
        mapLayer1 = register("map_layer1", new Linear(embChannels, embChannels, true, 1.0, rng, dt));

        enc = register("enc", new ModuleDict());
        int cout = cfg.inChannels();
        List<Integer> skips = new ArrayList<>();
        int[] mult = cfg.channelMult();
        for (int level = 0; level < mult.length; level++) {
            int res = cfg.imgResolution() >> level;
            if (level == 0) {
                int cin = cout;
                cout = mc;
                enc.put(res + "x" + res + "_conv", new Conv2d(cin, cout, 3, true, false, false, 1.0, rng, dt));
            } else {
                enc.put(res + "x" + res + "_down", new UNetBlock(cout, cout, embChannels, false, true, false, cfg.dropout(), rng, dt));
            }
            skips.add(cout);
            for (int idx = 0; idx < cfg.numBlocks(); idx++) {
                int cin = cout;
                cout = mc * mult[level];
                enc.put(res + "x" + res + "_block" + idx, new UNetBlock(cin, cout, embChannels, false, false, cfg.attentionAt(res), cfg.dropout(), rng, dt));
                skips.add(cout);
            }
        }
        dec = register("dec", new ModuleDict());
        for (int level = mult.length - 1; level >= 0; level--) {
            int res = cfg.imgResolution() >> level;
            if (level == mult.length - 1) {
                dec.put(res + "x" + res + "_in0", new UNetBlock(cout, cout, embChannels, false, false, true, cfg.dropout(), rng, dt));
                dec.put(res + "x" + res + "_in1", new UNetBlock(cout, cout, embChannels, false, false, false, cfg.dropout(), rng, dt));
            } else {
                dec.put(res + "x" + res + "_up", new UNetBlock(cout, cout, embChannels, true, false, false, cfg.dropout(), rng, dt));
            }
            for (int idx = 0; idx <= cfg.numBlocks(); idx++) {
                int cin = cout + skips.remove(skips.size() - 1);
                cout = mc * mult[level];
                boolean attn = idx == cfg.numBlocks() && cfg.attentionAt(res);
                dec.put(res + "x" + res + "_block" + idx, new UNetBlock(cin, cout, embChannels, false, false, attn, cfg.dropout(), rng, dt));
            }
            if (level == 0) {
                dec.put(res + "x" + res + "_aux_norm", GroupNorm.edm(cout, dt));
                dec.put(res + "x" + res + "_aux_conv", new Conv2d(cout, cfg.outChannels(), 3, true, false, false, 1e-5, rng, dt));
            }
        }
    }

    public SongUnetConfig config() { return cfg; }

    @Override
    public int labelDim() { return cfg.labelDim(); }

    /** {@code map_label.weight} [noiseChannels, labelDim]: the label enters as {@code sqrt(labelDim) * onehot}. */
    @Override
    public LabelEmbedding labelEmbedding() { return mapLabel == null ? null : new LabelEmbedding(mapLabel.weight(), 0, cfg.labelDim()); }

    @Override
    public int[] imageShape() { return new int[] {cfg.inChannels(), cfg.imgResolution(), cfg.imgResolution()}; }

    @Override
    public Map<String, String> metadata() { return cfg.toMetadata(); }

    @Override
    public NoiseNet newInstance() { return new SongUnet(cfg, new RandomStream(0), DType.FLOAT32); }

    /** EDM's positional embedding of c_noise [N] after the sin/cos flip: [N, channels] = [sin(a), cos(a)]. */
    public static Tensor positionalEmbedding(Tensor cNoise, int channels) {
        int half = channels / 2;
        double[] freqs = new double[half];
        for (int j = 0; j < half; j++) freqs[j] = Math.pow(1.0 / 10000.0, (double) j / (half - 1));
        Tensor f = Tensor.of(freqs, 1, half).to(cNoise.dtype());
        Tensor a = Ops.mul(Ops.reshape(cNoise, cNoise.dim(0), 1), f);
        return Ops.concat(1, Ops.sin(a), Ops.cos(a));
    }

    /** The mapping network's output (embedding after map_layer1 and SiLU): [N, emb_channels]. */
    public Tensor embedding(Tensor cNoise, Tensor labels) {
        Tensor emb = positionalEmbedding(cNoise, noiseChannels);
        if (mapLabel != null) {
            if (labels == null) throw new ShapeException("SongUnet: a class-conditional network needs labels [N, " + cfg.labelDim() + "]");
            Tensor y = labels;
            if (isTraining() && cfg.labelDropout() > 0 && hasRandom()) {
                int n = labels.dim(0);
                Tensor u = Ops.rand(labels.backend(), labels.dtype(), random().seed(), random().next(n), n, 1);
                double[] keep = u.toDoubleArray();
                for (int i = 0; i < n; i++) keep[i] = keep[i] >= cfg.labelDropout() ? 1 : 0;
                y = Ops.mul(y, Tensor.of(keep, n, 1).to(labels.dtype()));
            }
            emb = Ops.add(emb, mapLabel.forward(Ops.mulScalar(y, Math.sqrt(cfg.labelDim()))));
        }
        emb = Ops.silu(mapLayer0.forward(emb));
        return Ops.silu(mapLayer1.forward(emb));
    }

    @Override
    public Tensor forward(Tensor x, Tensor cNoise, Tensor labels) {
        if (x.rank() != 4 || x.dim(1) != cfg.inChannels() || x.dim(2) != cfg.imgResolution() || x.dim(3) != cfg.imgResolution()) {
            throw new ShapeException("SongUnet: input " + Shapes.str(x.shape()) + " expected [N, " + cfg.inChannels() + ", " + cfg.imgResolution() + ", " + cfg.imgResolution() + "]");
        }
        Tensor emb = embedding(cNoise, labels);
        ArrayDeque<Tensor> skips = new ArrayDeque<>();
        for (Map.Entry<String, Module> e : enc.items.entrySet()) {
            Module m = e.getValue();
            x = m instanceof UNetBlock b ? b.forward(x, emb) : ((Conv2d) m).forward(x);
            skips.push(x);
        }
        Tensor tmp = null;
        Tensor aux = null;
        for (Map.Entry<String, Module> e : dec.items.entrySet()) {
            String name = e.getKey();
            Module m = e.getValue();
            if (name.endsWith("_aux_norm")) {
                tmp = ((GroupNorm) m).forward(x);
            } else if (name.endsWith("_aux_conv")) {
                tmp = ((Conv2d) m).forward(Ops.silu(tmp));
                aux = aux == null ? tmp : Ops.add(tmp, aux);
            } else {
                UNetBlock b = (UNetBlock) m;
                if (x.dim(1) != b.inChannels) x = Ops.concat(1, x, skips.pop());
                x = b.forward(x, emb);
            }
        }
        return aux;
    }

    // ------------------------------------------------------------------ files

    /** A preconditioned SongUNet (the EDM denoiser) with fresh weights. */
    public static EdmPrecond create(SongUnetConfig cfg, long seed) { return new EdmPrecond(new SongUnet(cfg, seed)); }

    /**
     * Loads a denoiser from safetensors written by {@link #save} or converted from PyTorch by
     * {@code tools/edm_to_safetensors.py} (EDM state-dict names, config in the metadata).
     */
    public static EdmPrecond load(Path file) {
        SafeTensors.Contents c = SafeTensors.read(file);
        SongUnetConfig cfg = SongUnetConfig.fromMetadata(c.metadata(), file.toString());
        EdmPrecond net = new EdmPrecond(new SongUnet(cfg, new RandomStream(0), DType.FLOAT32));
        try {
            net.loadStateDict(c.tensors(), true);
        } catch (ShapeException e) {
            throw new SfdException(file + ": " + e.getMessage(), e);
        }
        return net;
    }

    /** Writes the denoiser's weights (EDM names) with the config as metadata, atomically. */
    public static void save(EdmPrecond net, Path file, Map<String, String> extraMetadata) {
        if (!(net.model() instanceof SongUnet s)) throw new SfdException("save: not a SongUNet denoiser");
        Map<String, String> meta = new LinkedHashMap<>(s.config().toMetadata());
        if (extraMetadata != null) meta.putAll(extraMetadata);
        SafeTensors.write(file, net.stateDict(), meta);
    }
}
