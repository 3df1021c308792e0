package dev.sfd.models;

import dev.sfd.SfdException;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Configuration of EDM's SongUNet in the DDPM++ layout (SPEC-EDM section 5.1). Fixed for all blocks:
 * one attention head, skip scale sqrt(0.5), GroupNorm eps 1e-6, 1x1 resample projection, no adaptive scale.
 */
public record SongUnetConfig(
        int imgResolution, int inChannels, int outChannels, int labelDim, int augmentDim,
        int modelChannels, int[] channelMult, int channelMultEmb, int numBlocks, int[] attnResolutions,
        double dropout, double labelDropout, int channelMultNoise) {

    public SongUnetConfig {
        if (imgResolution <= 0 || (imgResolution >> (channelMult.length - 1)) << (channelMult.length - 1) != imgResolution) {
            throw new SfdException("SongUnetConfig: resolution " + imgResolution + " must be divisible by 2^" + (channelMult.length - 1));
        }
        if (modelChannels % 4 != 0) throw new SfdException("SongUnetConfig: model_channels must be a multiple of 4, got " + modelChannels);
        if (numBlocks < 1) throw new SfdException("SongUnetConfig: num_blocks must be >= 1");
        channelMult = channelMult.clone();
        attnResolutions = attnResolutions.clone();
    }

    /** EDM's CIFAR-10 class-conditional DDPM++ network (55,735,299 parameters). */
    public static SongUnetConfig cifar10() {
        return new SongUnetConfig(32, 3, 3, 10, 9, 128, new int[] {2, 2, 2}, 4, 4, new int[] {16}, 0.13, 0, 1);
    }

    /** The project's Fashion-MNIST teacher size: 1,753,345 parameters. */
    public static SongUnetConfig fmnistS() {
        return new SongUnetConfig(32, 1, 1, 10, 0, 32, new int[] {1, 2, 2}, 4, 2, new int[] {8}, 0.0, 0.1, 1);
    }

    /** Wider variant: 6,988,289 parameters. */
    public static SongUnetConfig fmnistM() {
        return new SongUnetConfig(32, 1, 1, 10, 0, 64, new int[] {1, 2, 2}, 4, 2, new int[] {8}, 0.0, 0.1, 1);
    }

    /** The tiny parity network of SPEC-EDM section 7 (189,427 parameters). */
    public static SongUnetConfig tiny() {
        return new SongUnetConfig(16, 3, 3, 4, 0, 16, new int[] {1, 2}, 4, 1, new int[] {8}, 0.0, 0, 1);
    }

    public static SongUnetConfig named(String name) {
        switch (name) {
            case "cifar-edm": return cifar10();
            case "fmnist-s": return fmnistS();
            case "fmnist-m": return fmnistM();
            case "tiny": return tiny();
            default: throw new SfdException("unknown SongUNet config '" + name + "' (known: fmnist-s, fmnist-m, cifar-edm, tiny)");
        }
    }

    public SongUnetConfig withDropout(double d, double labelD) {
        return new SongUnetConfig(imgResolution, inChannels, outChannels, labelDim, augmentDim, modelChannels, channelMult,
                channelMultEmb, numBlocks, attnResolutions, d, labelD, channelMultNoise);
    }

    public boolean attentionAt(int res) {
        for (int r : attnResolutions) if (r == res) return true;
        return false;
    }

    /** Metadata key under which the configuration is stored as JSON (shared with tools/edm_to_safetensors.py). */
    public static final String METADATA_KEY = "sfd.songunet_config";

    /** The configuration as a JSON object with EDM's constructor argument names. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("img_resolution", imgResolution);
        m.put("in_channels", inChannels);
        m.put("out_channels", outChannels);
        m.put("label_dim", labelDim);
        m.put("augment_dim", augmentDim);
        m.put("model_channels", modelChannels);
        m.put("channel_mult", Arrays.stream(channelMult).boxed().toList());
        m.put("channel_mult_emb", channelMultEmb);
        m.put("channel_mult_noise", channelMultNoise);
        m.put("num_blocks", numBlocks);
        m.put("attn_resolutions", Arrays.stream(attnResolutions).boxed().toList());
        m.put("dropout", dropout);
        m.put("label_dropout", labelDropout);
        return m;
    }

    /** Safetensors metadata entries describing this configuration. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            m.put(METADATA_KEY, JSON.std.asString(toMap()));
        } catch (IOException e) {
            throw new SfdException("cannot encode SongUNet config: " + e.getMessage(), e);
        }
        return m;
    }

    /** Reads the configuration from safetensors metadata; {@code source} names the file in errors. */
    public static SongUnetConfig fromMetadata(Map<String, String> meta, String source) {
        String json = meta == null ? null : meta.get(METADATA_KEY);
        if (json == null) {
            throw new SfdException(source + ": not a SongUNet weights file (metadata has no '" + METADATA_KEY + "'; keys: "
                    + (meta == null ? "none" : meta.keySet()) + ")");
        }
        try {
            Map<String, Object> m = JSON.std.mapFrom(json);
            int inCh = m.containsKey("in_channels") ? num(m, "in_channels").intValue() : num(m, "img_channels").intValue();
            int outCh = m.containsKey("out_channels") ? num(m, "out_channels").intValue() : inCh;
            return new SongUnetConfig(num(m, "img_resolution").intValue(), inCh, outCh, num(m, "label_dim").intValue(),
                    num(m, "augment_dim").intValue(), num(m, "model_channels").intValue(), ints(m.get("channel_mult")),
                    num(m, "channel_mult_emb").intValue(), num(m, "num_blocks").intValue(), ints(m.get("attn_resolutions")),
                    m.containsKey("dropout") ? num(m, "dropout").doubleValue() : 0.0,
                    m.containsKey("label_dropout") ? num(m, "label_dropout").doubleValue() : 0.0,
                    m.containsKey("channel_mult_noise") ? num(m, "channel_mult_noise").intValue() : 1);
        } catch (IOException | RuntimeException e) {
            throw new SfdException(source + ": malformed SongUNet config " + json + ": " + e.getMessage(), e);
        }
    }

    private static Number num(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (!(v instanceof Number n)) throw new SfdException("config key '" + k + "' missing or not a number");
        return n;
    }

    private static int[] ints(Object o) {
        if (!(o instanceof List<?> l)) throw new SfdException("expected a list, got " + o);
        return l.stream().mapToInt(x -> ((Number) x).intValue()).toArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SongUnetConfig c && toMetadata().equals(c.toMetadata());
    }

    @Override
    public int hashCode() { return toMetadata().hashCode(); }

    @Override
    public String toString() { return "SongUnetConfig" + toMetadata(); }
}
