package dev.sfd.diffusion;

import dev.sfd.ShapeException;
import dev.sfd.ops.Ops;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Shapes;
import dev.sfd.tensor.Tensor;
import java.util.Arrays;

/**
 * EDM preconditioning (SPEC-EDM section 1, Karras et al. 2022 Table 1):
 * {@code D(x; s, y) = c_skip(s) x + c_out(s) F(c_in(s) x; ln(s)/4, y)} with sigma_data = 0.5.
 * The wrapped network is registered as {@code model}, so state-dict names match EDM's ({@code model.enc...}).
 */
public final class EdmPrecond extends ScoreNetwork {
    public static final double SIGMA_DATA = 0.5;
    private final NoiseNet model;

    public EdmPrecond(NoiseNet model) {
        this.model = register("model", model);
    }

    public NoiseNet model() { return model; }

    @Override
    public Tensor denoise(Tensor x, Tensor sigma, Tensor labels) {
        int[] img = model.imageShape();
        if (x.rank() != 4 || x.dim(1) != img[0] || x.dim(2) != img[1] || x.dim(3) != img[2]) {
            throw new ShapeException("denoise: input " + Shapes.str(x.shape()) + " does not match the network's image shape [N, " + img[0] + ", " + img[1] + ", " + img[2] + "]");
        }
        int n = x.dim(0);
        double[] s = sigma.toDoubleArray();
        if (s.length != n) throw new ShapeException("denoise: sigma has " + s.length + " values for a batch of " + n);
        double sd2 = SIGMA_DATA * SIGMA_DATA;
        double[] cSkip = new double[n], cOut = new double[n], cIn = new double[n], cNoise = new double[n];
        for (int i = 0; i < n; i++) {
            double si = s[i];
            if (!(si > 0) || Double.isInfinite(si)) throw new ShapeException("denoise: sigma must be positive and finite, got " + si + " at index " + i);
            cSkip[i] = sd2 / (si * si + sd2);
            cOut[i] = si * SIGMA_DATA / Math.sqrt(si * si + sd2);
            cIn[i] = 1.0 / Math.sqrt(si * si + sd2);
            cNoise[i] = Math.log(si) / 4.0;
        }
        DType dt = x.dtype();
        Tensor y = conditioning(labels, n, dt);
        Tensor f = model.forward(Ops.mul(x, col(cIn, dt)), vec(cNoise, dt), y);
        return Ops.add(Ops.mul(x, col(cSkip, dt)), Ops.mul(f, col(cOut, dt)));
    }

    private Tensor conditioning(Tensor labels, int n, DType dtype) {
        int ld = model.labelDim();
        if (ld == 0) return null;
        if (labels == null) return Tensor.zeros(dtype, n, ld);
        if (labels.rank() != 2 || labels.dim(0) != n || labels.dim(1) != ld) {
            throw new ShapeException("denoise: labels " + Shapes.str(labels.shape()) + " expected [" + n + ", " + ld + "] (one-hot rows)");
        }
        return labels.to(dtype);
    }

    static Tensor col(double[] v, DType dt) {
        Tensor t = Tensor.of(v, v.length, 1, 1, 1);
        return dt == DType.FLOAT64 ? t : t.to(dt);
    }

    static Tensor vec(double[] v, DType dt) {
        Tensor t = Tensor.of(v, v.length);
        return dt == DType.FLOAT64 ? t : t.to(dt);
    }

    @Override
    public int labelDim() { return model.labelDim(); }

    @Override
    public int[] imageShape() { return model.imageShape(); }

    @Override
    public LabelEmbedding labelEmbedding() { return model.labelEmbedding(); }

    @Override
    public EdmPrecond copy() {
        EdmPrecond c = new EdmPrecond(model.newInstance());
        c.copyFrom(this);
        return c;
    }

    @Override
    public java.util.Map<String, String> metadata() { return model.metadata(); }

    @Override
    public String describe() { return "EdmPrecond(" + model.getClass().getSimpleName() + ", image " + Arrays.toString(imageShape()) + ", classes " + labelDim() + ")"; }
}
