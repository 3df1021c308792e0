package dev.sfd.models.baselines;

import dev.sfd.SfdException;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.io.Checkpoint;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.models.data.Dataset;
import dev.sfd.ops.Ops;
import dev.sfd.optim.Adam;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Shared checks and helpers of the unlearning baselines ({@link Retrain}, {@link EsdErasure}, {@link SalUn},
 * {@link Dimum}) and the relearning attack. Every baseline returns an EDM denoiser of the teacher's architecture, sampled
 * with a diffusion sampler (Heun), unlike SFD's one-step generator.
 */
public final class Baselines {
    /** Method names accepted by {@code sfd baseline <name>}. */
    public static final List<String> NAMES = List.of("retrain", "esd", "salun", "dimum");

    private Baselines() {}

    /** Throws a clear message unless {@code name} is a known baseline. */
    public static String requireName(String name) {
        if (!NAMES.contains(name)) throw new SfdException("unknown baseline method '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        return name;
    }

    /** Throws unless {@code net} is class-conditional and has label {@code forget}. */
    public static void requireForgetLabel(ScoreNetwork net, int forget, String what) {
        if (net.labelDim() <= 0) throw new SfdException(what + " is not class-conditional (label_dim 0): there is no class label to forget");
        if (forget < 0 || forget >= net.labelDim()) {
            throw new SfdException(what + " has no label " + forget + " (label_dim " + net.labelDim() + ", classes 0.." + (net.labelDim() - 1) + ")");
        }
        if (net.labelDim() < 2) throw new SfdException(what + " has a single class: forgetting it leaves nothing");
    }

    /** Throws a message naming {@code data} unless its images have the network's shape; {@code who} prefixes the message. */
    public static void requireImageShape(Dataset data, ScoreNetwork net, String who, String netName) {
        int[] img = net.imageShape();
        if (data.channels() != img[0] || data.height() != img[1] || data.width() != img[2]) {
            throw new SfdException(who + ": " + data.name() + " images are " + data.channels() + "x" + data.height() + "x" + data.width()
                    + " but " + netName + " expects " + img[0] + "x" + img[1] + "x" + img[2]);
        }
    }

    /** CRC-32 over the parameter names and float bits: identifies a starting model in checkpoints and caches. */
    public static String fingerprint(ScoreNetwork m) {
        CRC32 crc = new CRC32();
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
            crc.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            float[] v = e.getValue().toFloatArray();
            ByteBuffer bytes = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(v);
            crc.update(bytes);
        }
        return Long.toHexString(crc.getValue());
    }

    /**
     * The state of a fine-tuning run (network, Adam moments, Philox counter) at a step, with the settings and the
     * starting model's fingerprint that {@link #restoreState} checks; {@code extra} groups and {@code meta} values ride along.
     */
    public static void saveState(Path file, String kind, String settings, String model, ScoreNetwork net, Adam adam, RandomStream rng,
                                 Map<String, Map<String, Tensor>> extra, Map<String, Object> meta) {
        Checkpoint c = Checkpoint.builder().group("net", net.stateDict()).group("adam", adam.state());
        for (Map.Entry<String, Map<String, Tensor>> e : extra.entrySet()) c.group(e.getKey(), e.getValue());
        for (Map.Entry<String, Object> e : meta.entrySet()) c.meta(e.getKey(), e.getValue());
        c.meta("kind", kind).meta("settings", settings).meta("model", model).meta("adam_step", adam.stepCount()).meta("rng_counter", rng.counter())
                .save(file);
    }

    /**
     * Loads a {@link #saveState} checkpoint into {@code net}, {@code adam} and {@code rng} after checking its kind,
     * settings and starting model; {@code who} prefixes the messages. Returns the checkpoint for its extra groups.
     */
    public static Checkpoint restoreState(Path file, String who, String kind, String settings, String model, ScoreNetwork net, Adam adam,
                                          RandomStream rng) {
        Checkpoint c = Checkpoint.load(file);
        if (!kind.equals(c.metadata().get("kind"))) throw new SfdException(who + ": " + file + " is not a " + kind + " checkpoint");
        if (!settings.equals(c.meta("settings"))) {
            throw new SfdException(who + ": checkpoint " + file + " was written with other settings (" + c.meta("settings") + "); delete it or use the same settings");
        }
        if (!model.equals(c.meta("model"))) {
            throw new SfdException(who + ": checkpoint " + file + " starts from a different model (fingerprint " + c.meta("model") + ", this one " + model + ")");
        }
        net.loadStateDict(c.group("net"), true);
        adam.restore(c.group("adam"), c.metaLong("adam_step"));
        rng.restore(c.metaLong("rng_counter"));
        return c;
    }

    /** The per-step figures a fine-tuning baseline reports to its listener (retain loss NaN when there is no retain term). */
    static Map<String, Double> lossFigures(double loss, double forgetLoss, double retainLoss, double seconds) {
        Map<String, Double> f = new java.util.LinkedHashMap<>();
        f.put("loss", loss);
        f.put("forget_loss", forgetLoss);
        f.put("retain_loss", retainLoss);
        f.put("seconds", seconds);
        return f;
    }

    /** The SongUNet configuration of a denoiser loaded by {@code Models}/{@code SongUnet}; throws for other networks. */
    public static SongUnetConfig songUnetConfig(ScoreNetwork net) {
        if (net instanceof EdmPrecond p && p.model() instanceof SongUnet s) return s.config();
        throw new SfdException("expected a SongUNet denoiser, got " + net.describe());
    }

    /** True when the network was trained with label dropout, i.e. its zero label is a trained unconditional branch. */
    public static boolean hasUnconditionalBranch(ScoreNetwork net) {
        return net instanceof EdmPrecond p && p.model() instanceof SongUnet s && s.config().labelDropout() > 0;
    }

    /** {@code n} uniform example indices of {@code data} from {@code rng}. */
    static int[] drawIndices(Dataset data, int n, RandomStream rng) {
        if (data.size() == 0) throw new SfdException(data.name() + " is empty");
        double[] u = rng.uniform(DType.FLOAT64, n).toDoubleArray();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = Math.min(data.size() - 1, (int) (u[i] * data.size()));
        return idx;
    }

    /** {@code n} labels drawn uniformly from {@code classes}. */
    static int[] drawFrom(int[] classes, int n, RandomStream rng) {
        double[] u = rng.uniform(DType.FLOAT64, n).toDoubleArray();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = classes[Math.min(classes.length - 1, (int) (u[i] * classes.length))];
        return out;
    }

    /** All class ids except {@code forget}. */
    static int[] others(int classes, int forget) {
        int[] r = new int[classes - 1];
        for (int c = 0, k = 0; c < classes; c++) if (c != forget) r[k++] = c;
        return r;
    }

    /** EDM loss weight lambda(sigma) = (sigma^2 + sd^2) / (sigma sd)^2 as a [N] tensor. */
    static Tensor edmWeight(double[] sigma, DType dt) {
        double sd2 = EdmPrecond.SIGMA_DATA * EdmPrecond.SIGMA_DATA;
        double[] w = new double[sigma.length];
        for (int i = 0; i < w.length; i++) w[i] = (sigma[i] * sigma[i] + sd2) / (sigma[i] * sigma[i] * sd2);
        return Tensor.of(w, w.length).to(dt);
    }

    /** Mean over the batch of {@code lambda(sigma_i) ||a_i - b_i||^2}. */
    static Tensor weightedMse(Tensor a, Tensor b, double[] sigma) {
        Tensor per = Ops.sum(Ops.square(Ops.sub(a, b)), new int[] {1, 2, 3}, false);
        return Ops.meanAll(Ops.mul(per, edmWeight(sigma, a.dtype())));
    }

    static Tensor sigmaVector(double[] sigma, DType dt) { return Tensor.of(sigma, sigma.length).to(dt); }

    static Tensor sigmaColumn(double[] sigma, DType dt) { return Tensor.of(sigma, sigma.length, 1, 1, 1).to(dt); }
}
