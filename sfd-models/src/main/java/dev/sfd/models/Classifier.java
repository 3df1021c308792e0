package dev.sfd.models;

import dev.sfd.SfdException;
import dev.sfd.ShapeException;
import dev.sfd.autograd.Grad;
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
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Fashion-MNIST judge: a small CNN on 32x32 images in [-1, 1] (SPEC-SFD section 16) whose penultimate 128-unit
 * layer is the feature vector used for Frechet distances. Two architectures, so that two independently designed and
 * trained classifiers can judge the same samples:
 * <ul>
 *   <li>{@link Arch#CNN6} (the shipped judge): three stages of two 3x3 conv + GroupNorm + SiLU layers (widths
 *       {@code w, 2w, 4w}), 2x2 average pooling after each stage, the flattened 4x4 map through a 128-unit SiLU
 *       layer and a linear head;</li>
 *   <li>{@link Arch#CNN3K5} (the second judge): three single conv layers with 5x5, 5x5 and 3x3 kernels (widths
 *       {@code w, 2w, 4w}), ReLU, no normalisation, 2x2 average pooling after each, then a 128-unit ReLU layer and a
 *       linear head.</li>
 * </ul>
 * Either is also a classifier that picks pseudo-labels in SFD's classifier override mode
 * ({@link dev.sfd.unlearn.OverrideMode#CLASSIFIER}).
 */
public final class Classifier extends Module implements dev.sfd.unlearn.OverrideClassifier {
    public static final String KIND = "classifier";
    public static final int FEATURES = 128;

    /** The layer layout; its {@link #id} is stored in the weights file's metadata. */
    public enum Arch {
        /** Six 3x3 conv + GroupNorm + SiLU layers in three stages (the shipped judge). */
        CNN6("cnn6"),
        /** Three conv layers (5x5, 5x5, 3x3) + ReLU without normalisation (the second judge). */
        CNN3K5("cnn3k5");

        public final String id;

        Arch(String id) { this.id = id; }

        /** The architecture named {@code id} ("cnn6" or "cnn3k5"). */
        public static Arch of(String id) {
            for (Arch a : values()) if (a.id.equals(id)) return a;
            throw new IllegalArgumentException("unknown classifier architecture '" + id + "' (expected cnn6 or cnn3k5)");
        }
    }

    private final Arch arch;
    private final int channels;
    private final int width;
    private final int classes;
    private final Conv2d[] convs;
    private final GroupNorm[] norms;
    private final Linear fc;
    private final Linear head;

    /** The shipped judge's architecture ({@link Arch#CNN6}) with first-stage width {@code width}. */
    public Classifier(int channels, int width, int classes, long seed) {
        this(Arch.CNN6, channels, width, classes, seed);
    }

    /** A classifier of the given architecture, widths {@code width, 2 width, 4 width}, initialised from {@code seed}. */
    public Classifier(Arch arch, int channels, int width, int classes, long seed) {
        if (channels < 1 || width < 1 || classes < 2) {
            throw new IllegalArgumentException("classifier: channels " + channels + ", width " + width + ", classes " + classes
                    + " (need channels >= 1, width >= 1, classes >= 2)");
        }
        this.arch = arch;
        this.channels = channels;
        this.width = width;
        this.classes = classes;
        RandomStream rng = new RandomStream(seed);
        int layers = arch == Arch.CNN6 ? 6 : 3;
        convs = new Conv2d[layers];
        norms = arch == Arch.CNN6 ? new GroupNorm[layers] : null;
        int cin = channels;
        for (int i = 0; i < layers; i++) {
            int cout = arch == Arch.CNN6 ? width << (i / 2) : width << i;
            int kernel = arch == Arch.CNN6 || i == 2 ? 3 : 5;
            convs[i] = register("conv" + i, new Conv2d(cin, cout, kernel, true, false, false, 1.0, rng, DType.FLOAT32));
            if (norms != null) norms[i] = register("norm" + i, GroupNorm.edm(cout, DType.FLOAT32));
            cin = cout;
        }
        fc = register("fc", new Linear(cin * 16, FEATURES, true, 1.0, rng, DType.FLOAT32));
        head = register("head", new Linear(FEATURES, classes, true, 1.0, rng, DType.FLOAT32));
    }

    /** The layer layout. */
    public Arch arch() { return arch; }

    @Override
    public int numClasses() { return classes; }

    public int featureDim() { return FEATURES; }

    /** Penultimate features [N, 128]. */
    public Tensor features(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != channels) {
            throw new ShapeException("classifier: input " + Shapes.str(x.shape()) + " expected [N, " + channels + ", H, W]");
        }
        if (x.dim(2) != 32 || x.dim(3) != 32) throw new ShapeException("classifier: expects 32x32 images, got " + Shapes.str(x.shape()));
        Tensor h = x;
        if (arch == Arch.CNN6) {
            for (int i = 0; i < convs.length; i++) {
                h = Ops.silu(norms[i].forward(convs[i].forward(h)));
                if (i % 2 == 1) h = Ops.avgPool2x(h);
            }
            return Ops.silu(fc.forward(Ops.reshape(h, h.dim(0), -1)));
        }
        for (Conv2d conv : convs) h = Ops.avgPool2x(Ops.relu(conv.forward(h)));
        return Ops.relu(fc.forward(Ops.reshape(h, h.dim(0), -1)));
    }

    /** Class logits [N, classes]. */
    @Override
    public Tensor logits(Tensor x) { return head.forward(features(x)); }

    /** Predicted class per image, computed in batches without gradient. */
    public int[] predict(Tensor images, int batch) {
        int n = images.dim(0);
        int[] out = new int[n];
        try (var g = Grad.disabled()) {
            for (int s = 0; s < n; s += batch) {
                int b = Math.min(batch, n - s);
                float[] l = logits(Ops.narrow(images, 0, s, b)).toFloatArray();
                for (int i = 0; i < b; i++) {
                    int best = 0;
                    for (int c = 1; c < classes; c++) if (l[i * classes + c] > l[i * classes + best]) best = c;
                    out[s + i] = best;
                }
            }
        }
        return out;
    }

    /** Features of all images, computed in batches without gradient: [N, featureDim] as doubles. */
    public double[][] featureMatrix(Tensor images, int batch) {
        int n = images.dim(0), d = featureDim();
        double[][] out = new double[n][];
        try (var g = Grad.disabled()) {
            for (int s = 0; s < n; s += batch) {
                int b = Math.min(batch, n - s);
                double[] f = features(Ops.narrow(images, 0, s, b)).toDoubleArray();
                for (int i = 0; i < b; i++) out[s + i] = java.util.Arrays.copyOfRange(f, i * d, (i + 1) * d);
            }
        }
        return out;
    }

    /** Mean cross-entropy of logits [N, C] against integer labels. */
    public static Tensor crossEntropy(Tensor logits, int[] labels) {
        int c = logits.dim(1);
        Tensor logp = Ops.sub(logits, Ops.log(Ops.sum(Ops.exp(Ops.sub(logits, maxRows(logits))), new int[] {1}, true)));
        logp = Ops.sub(logp, maxRows(logits));
        Tensor onehot = Ops.oneHot(labels, c, logits.dtype());
        return Ops.mulScalar(Ops.sumAll(Ops.mul(logp, onehot)), -1.0 / labels.length);
    }

    /** Row maxima [N, 1] as a constant (numerical stabiliser; no gradient needed). */
    private static Tensor maxRows(Tensor logits) {
        int n = logits.dim(0), c = logits.dim(1);
        float[] l = logits.toFloatArray();
        float[] m = new float[n];
        for (int i = 0; i < n; i++) {
            float best = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) best = Math.max(best, l[i * c + j]);
            m[i] = best;
        }
        return Tensor.of(m, n, 1).to(logits.dtype());
    }

    public void save(Path file, Map<String, String> extra) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("sfd.kind", KIND);
        // the shipped judge's files carry three fields; a fourth names any other architecture
        meta.put("sfd.classifier", channels + "," + width + "," + classes + (arch == Arch.CNN6 ? "" : "," + arch.id));
        if (extra != null) meta.putAll(extra);
        SafeTensors.write(file, stateDict(), meta);
    }

    public static Classifier load(Path file) {
        SafeTensors.Contents c = SafeTensors.read(file);
        return fromContents(c, file.toString());
    }

    public static Classifier fromContents(SafeTensors.Contents c, String source) {
        Map<String, String> m = c.metadata();
        if (m == null || !KIND.equals(m.get("sfd.kind"))) throw new SfdException(source + ": not a classifier weights file (sfd.kind is " + (m == null ? "absent" : m.get("sfd.kind")) + ")");
        String spec = m.get("sfd.classifier");
        String[] p = spec == null ? new String[0] : spec.split(",");
        Classifier cl;
        try {
            if (p.length != 3 && p.length != 4) throw new IllegalArgumentException("expected channels,width,classes[,arch]");
            Arch arch = p.length == 4 ? Arch.of(p[3]) : Arch.CNN6;
            cl = new Classifier(arch, Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), 0);
        } catch (IllegalArgumentException e) {
            throw new SfdException(source + ": bad sfd.classifier metadata '" + spec + "': " + e.getMessage());
        }
        cl.loadStateDict(c.tensors(), true);
        cl.train(false);
        return cl;
    }
}
