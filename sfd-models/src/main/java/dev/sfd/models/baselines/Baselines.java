package dev.sfd.models.baselines;

import dev.sfd.SfdException;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.models.data.Dataset;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.util.List;

/**
 * Shared checks and helpers of the unlearning baselines ({@link Retrain}, {@link EsdErasure}, {@link SalUn})
 * and the relearning attack. Every baseline returns an EDM denoiser of the teacher's architecture, sampled
 * with a diffusion sampler (Heun), unlike SFD's one-step generator.
 */
public final class Baselines {
    /** Method names accepted by {@code sfd baseline <name>}. */
    public static final List<String> NAMES = List.of("retrain", "esd", "salun");

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
