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
 * The judge: a small CNN on 32x32 images in [-1, 1] (SPEC-SFD section 16). Three stages of two 3x3 conv +
 * GroupNorm + SiLU layers (widths {@code w, 2w, 4w}), 2x2 average pooling after each stage, then the
 * flattened 4x4 map through a 128-unit SiLU layer (the feature vector used for Frechet distances) and a
 * linear head.
 */
public final class Classifier extends Module {
    public static final String KIND = "classifier";
    private final int channels;
    private final int width;
    private final int classes;
    private final Conv2d[] convs = new Conv2d[6];
    private final GroupNorm[] norms = new GroupNorm[6];
    private final Linear fc;
    private final Linear head;
    public static final int FEATURES = 128;

    public Classifier(int channels, int width, int classes, long seed) {
        this.channels = channels;
        this.width = width;
        this.classes = classes;
        RandomStream rng = new RandomStream(seed);
        int cin = channels;
        for (int i = 0; i < 6; i++) {
            int cout = width << (i / 2);
            convs[i] = register("conv" + i, new Conv2d(cin, cout, 3, true, false, false, 1.0, rng, DType.FLOAT32));
            norms[i] = register("norm" + i, GroupNorm.edm(cout, DType.FLOAT32));
            cin = cout;
        }
        fc = register("fc", new Linear(cin * 16, FEATURES, true, 1.0, rng, DType.FLOAT32));
        head = register("head", new Linear(FEATURES, classes, true, 1.0, rng, DType.FLOAT32));
    }

    public int numClasses() { return classes; }

    public int featureDim() { return FEATURES; }

    /** Penultimate features [N, 128]. */
    public Tensor features(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != channels) {
            throw new ShapeException("classifier: input " + Shapes.str(x.shape()) + " expected [N, " + channels + ", H, W]");
        }
        Tensor h = x;
        for (int i = 0; i < 6; i++) {
            h = Ops.silu(norms[i].forward(convs[i].forward(h)));
            if (i % 2 == 1) h = Ops.avgPool2x(h);
        }
        if (h.dim(2) != 4 || h.dim(3) != 4) throw new ShapeException("classifier: expects 32x32 images, got " + Shapes.str(x.shape()));
        return Ops.silu(fc.forward(Ops.reshape(h, h.dim(0), -1)));
    }

    /** Class logits [N, classes]. */
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
        meta.put("sfd.classifier", channels + "," + width + "," + classes);
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
        String[] p = m.get("sfd.classifier").split(",");
        Classifier cl = new Classifier(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), 0);
        cl.loadStateDict(c.tensors(), true);
        cl.train(false);
        return cl;
    }
}
