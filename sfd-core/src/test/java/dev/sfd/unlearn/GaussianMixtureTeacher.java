package dev.sfd.unlearn;

import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.ops.Ops;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;

/**
 * A class-conditional 2-D Gaussian mixture whose EDM denoiser is known in closed form: class k has modes
 * mu_kj with equal weight and isotropic std s. For x = x0 + sigma n,
 * {@code D(x; sigma, k) = sum_j r_j(x) (mu_j + s^2 / (s^2 + sigma^2) (x - mu_j))} with responsibilities
 * {@code r_j = softmax_j(-|x - mu_j|^2 / (2 (s^2 + sigma^2)))}. Written with differentiable ops, so
 * gradients flow to x as SFD's generator loss needs. Points are stored as [N, 2, 1, 1] "images".
 */
final class GaussianMixtureTeacher extends ScoreNetwork {
    final double[][][] modes;   // [class][mode][2]
    final double std;

    /** Classes may have different mode counts; each class is padded by cycling its modes (counts must divide the largest). */
    GaussianMixtureTeacher(double[][][] modes, double std) {
        int m = 0;
        for (double[][] c : modes) m = Math.max(m, c.length);
        this.modes = new double[modes.length][m][];
        for (int c = 0; c < modes.length; c++) {
            if (m % modes[c].length != 0) throw new IllegalArgumentException("mode count of class " + c + " must divide " + m);
            for (int j = 0; j < m; j++) this.modes[c][j] = modes[c][j % modes[c].length];
        }
        this.std = std;
    }

    @Override
    public Tensor denoise(Tensor x, Tensor sigma, Tensor labels) {
        int n = x.dim(0), m = modes[0].length;
        float[] lab = labels.toFloatArray();
        double[] s = sigma.toDoubleArray();
        int k = modes.length;
        double[] mu = new double[n * m * 2], a = new double[n], inv = new double[n];
        for (int i = 0; i < n; i++) {
            int c = 0;
            for (int j = 0; j < k; j++) if (lab[i * k + j] > 0.5f) c = j;
            for (int j = 0; j < m; j++) {
                mu[(i * m + j) * 2] = modes[c][j][0];
                mu[(i * m + j) * 2 + 1] = modes[c][j][1];
            }
            double v = std * std + s[i] * s[i];
            a[i] = std * std / v;
            inv[i] = -1.0 / (2 * v);
        }
        DType dt = x.dtype();
        Tensor mus = Tensor.of(mu, n, m, 2).to(dt);
        Tensor diff = Ops.sub(Ops.reshape(x, n, 1, 2), mus);                             // [N, M, 2]
        Tensor d2 = Ops.sum(Ops.square(diff), new int[] {2}, false);                    // [N, M]
        Tensor r = Ops.softmax(Ops.mul(d2, Tensor.of(inv, n, 1).to(dt)));               // [N, M]
        Tensor cm = Ops.add(mus, Ops.mul(diff, Tensor.of(a, n, 1, 1).to(dt)));          // [N, M, 2]
        Tensor d = Ops.sum(Ops.mul(Ops.reshape(r, n, m, 1), cm), new int[] {1}, false); // [N, 2]
        return Ops.reshape(d, n, 2, 1, 1);
    }

    /** Draws n clean samples of class c. */
    double[] sample(int c, int n, java.util.Random rnd) {
        double[] out = new double[n * 2];
        for (int i = 0; i < n; i++) {
            double[] mu = modes[c][rnd.nextInt(modes[c].length)];
            out[2 * i] = mu[0] + std * rnd.nextGaussian();
            out[2 * i + 1] = mu[1] + std * rnd.nextGaussian();
        }
        return out;
    }

    /** Distance from a point to the nearest mode of class c. */
    double distanceToClass(double x, double y, int c) {
        double best = Double.MAX_VALUE;
        for (double[] mu : modes[c]) best = Math.min(best, Math.hypot(x - mu[0], y - mu[1]));
        return best;
    }

    @Override
    public int labelDim() { return modes.length; }

    @Override
    public int[] imageShape() { return new int[] {2, 1, 1}; }

    @Override
    public ScoreNetwork copy() { return new GaussianMixtureTeacher(modes, std); }
}
