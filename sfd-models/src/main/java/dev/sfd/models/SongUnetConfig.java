package dev.sfd.models;

import dev.sfd.SfdException;
import java.util.Arrays;
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

    /** As stored in safetensors metadata (keys follow EDM's constructor arguments). */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("arch", "songunet");
        m.put("img_resolution", Integer.toString(imgResolution));
        m.put("in_channels", Integer.toString(inChannels));
        m.put("out_channels", Integer.toString(outChannels));
        m.put("label_dim", Integer.toString(labelDim));
        m.put("augment_dim", Integer.toString(augmentDim));
        m.put("model_channels", Integer.toString(modelChannels));
        m.put("channel_mult", join(channelMult));
        m.put("channel_mult_emb", Integer.toString(channelMultEmb));
        m.put("num_blocks", Integer.toString(numBlocks));
        m.put("attn_resolutions", join(attnResolutions));
        m.put("dropout", Double.toString(dropout));
        m.put("label_dropout", Double.toString(labelDropout));
        m.put("channel_mult_noise", Integer.toString(channelMultNoise));
        return m;
    }

    public static SongUnetConfig fromMetadata(Map<String, String> m, String source) {
        if (m == null || !"songunet".equals(m.get("arch"))) {
            throw new SfdException(source + ": not a SongUNet file (metadata 'arch' is " + (m == null ? "absent" : "'" + m.get("arch") + "'") + ")");
        }
        try {
            return new SongUnetConfig(i(m, "img_resolution"), i(m, "in_channels"), i(m, "out_channels"), i(m, "label_dim"),
                    i(m, "augment_dim"), i(m, "model_channels"), ints(m.get("channel_mult")), i(m, "channel_mult_emb"),
                    i(m, "num_blocks"), ints(m.get("attn_resolutions")), Double.parseDouble(m.get("dropout")),
                    Double.parseDouble(m.get("label_dropout")), i(m, "channel_mult_noise"));
        } catch (RuntimeException e) {
            throw new SfdException(source + ": malformed SongUNet metadata " + m + ": " + e.getMessage(), e);
        }
    }

    private static int i(Map<String, String> m, String k) {
        String v = m.get(k);
        if (v == null) throw new SfdException("missing metadata key '" + k + "'");
        return Integer.parseInt(v);
    }

    private static String join(int[] a) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < a.length; i++) sb.append(i == 0 ? "" : ",").append(a[i]);
        return sb.toString();
    }

    private static int[] ints(String s) {
        if (s == null || s.isBlank()) return new int[0];
        return Arrays.stream(s.split(",")).mapToInt(x -> Integer.parseInt(x.trim())).toArray();
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
