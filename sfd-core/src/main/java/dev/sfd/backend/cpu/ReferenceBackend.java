package dev.sfd.backend.cpu;

import dev.sfd.SfdException;
import dev.sfd.backend.Backend;
import dev.sfd.backend.BinaryOp;
import dev.sfd.backend.ReduceOp;
import dev.sfd.backend.UnaryOp;
import dev.sfd.random.Philox;
import dev.sfd.tensor.CpuStorage;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Device;
import dev.sfd.tensor.Shapes;
import dev.sfd.tensor.Storage;
import dev.sfd.tensor.Tensor;
import java.util.Arrays;

/**
 * Scalar reference kernels for every SPI primitive, on heap storage ({@link CpuStorage}). Every other
 * kernel (Vector API, CUDA, CUDA emulation) is tested against these, so they are written for clarity:
 * plain loops, one formula per primitive, exactly the semantics documented in {@link Backend}.
 *
 * <p>Numerics: each kernel computes in double and rounds once when it stores a FLOAT32 result. FLOAT32
 * inputs are widened into a scratch {@code double[]} ({@link #read}), FLOAT64 tensors are used in place.
 * Reductions, dot products and convolution sums therefore accumulate in double for both dtypes.
 *
 * <p>Aliasing: elementwise kernels (unary, binary, axpby, clamp, ...) allow {@code out} to be one of the
 * inputs. Other kernels assume their outputs do not overlap their inputs, and {@link #copy} assumes source
 * and destination do not overlap.
 *
 * <p>Beyond the contract, the reference checks that tensors the SPI requires to be dense are dense, so an
 * ops-layer bug shows up as an exception here rather than as wrong numbers.
 */
public class ReferenceBackend implements Backend {

    @Override public String name() { return "cpu-scalar"; }

    @Override public Device device() { return Device.CPU; }

    // =================================================================== storage

    @Override
    public Storage allocate(DType dtype, int length) {
        return dtype == DType.FLOAT32 ? new CpuStorage(new float[length], this) : new CpuStorage(new double[length], this);
    }

    @Override public Storage upload(float[] data) { return new CpuStorage(data.clone(), this); }

    @Override public Storage upload(double[] data) { return new CpuStorage(data.clone(), this); }

    @Override
    public double[] downloadDouble(Storage s, int offset, int length) {
        CpuStorage c = heap("download", s);
        if (c.d != null) return Arrays.copyOfRange(c.d, offset, offset + length);
        double[] r = new double[length];
        for (int i = 0; i < length; i++) r[i] = c.f[offset + i];
        return r;
    }

    @Override
    public float[] downloadFloat(Storage s, int offset, int length) {
        CpuStorage c = heap("download", s);
        if (c.f != null) return Arrays.copyOfRange(c.f, offset, offset + length);
        float[] r = new float[length];
        for (int i = 0; i < length; i++) r[i] = (float) c.d[offset + i];
        return r;
    }

    // =================================================================== memory movement

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (!Shapes.equal(src.shape(), dst.shape())) {
            throw new SfdException("copy: source " + Shapes.str(src.shape()) + " and destination " + Shapes.str(dst.shape()) + " differ in shape");
        }
        CpuStorage s = heap("copy", src.storage()), d = heap("copy", dst.storage());
        Rows rows = new Rows(src.shape(), new int[][] {src.strides(), dst.strides()}, new int[] {src.offset(), dst.offset()});
        int n = rows.length, ss = rows.step[0], ds = rows.step[1];
        while (rows.next()) {
            int so = rows.offset[0], dof = rows.offset[1];
            if (s.f != null && d.f != null) for (int i = 0; i < n; i++) d.f[dof + i * ds] = s.f[so + i * ss];
            else if (s.f != null) for (int i = 0; i < n; i++) d.d[dof + i * ds] = s.f[so + i * ss];
            else if (d.f != null) for (int i = 0; i < n; i++) d.f[dof + i * ds] = (float) s.d[so + i * ss];
            else for (int i = 0; i < n; i++) d.d[dof + i * ds] = s.d[so + i * ss];
        }
    }

    @Override
    public void fill(Tensor out, double value) {
        requireDense("fill", out);
        CpuStorage s = heap("fill", out.storage());
        if (s.f != null) Arrays.fill(s.f, 0, out.numel(), (float) value);
        else Arrays.fill(s.d, 0, out.numel(), value);
    }

    // =================================================================== elementwise

    @Override
    public void unary(UnaryOp op, Tensor xt, Tensor out) {
        double[] x = read("unary " + op, xt);
        double[] o = target("unary " + op, out);
        int n = xt.numel();
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) o[i] = -x[i]; }
            case EXP -> { for (int i = 0; i < n; i++) o[i] = Math.exp(x[i]); }
            case LOG -> { for (int i = 0; i < n; i++) o[i] = Math.log(x[i]); }
            case SQRT -> { for (int i = 0; i < n; i++) o[i] = Math.sqrt(x[i]); }
            case RSQRT -> { for (int i = 0; i < n; i++) o[i] = 1.0 / Math.sqrt(x[i]); }
            case SQUARE -> { for (int i = 0; i < n; i++) o[i] = x[i] * x[i]; }
            case RECIPROCAL -> { for (int i = 0; i < n; i++) o[i] = 1.0 / x[i]; }
            case ABS -> { for (int i = 0; i < n; i++) o[i] = Math.abs(x[i]); }
            case SIGN -> { for (int i = 0; i < n; i++) o[i] = Math.signum(x[i]); }
            case SIN -> { for (int i = 0; i < n; i++) o[i] = Math.sin(x[i]); }
            case COS -> { for (int i = 0; i < n; i++) o[i] = Math.cos(x[i]); }
            case TANH -> { for (int i = 0; i < n; i++) o[i] = Math.tanh(x[i]); }
            case SIGMOID -> { for (int i = 0; i < n; i++) o[i] = sigmoid(x[i]); }
            case SILU -> { for (int i = 0; i < n; i++) o[i] = x[i] * sigmoid(x[i]); }
            case RELU -> { for (int i = 0; i < n; i++) o[i] = Math.max(x[i], 0.0); }
            case NAN_TO_NUM -> {
                for (int i = 0; i < n; i++) {
                    double v = x[i];
                    o[i] = Double.isNaN(v) ? 0.0 : v == Double.POSITIVE_INFINITY ? 1e5 : v == Double.NEGATIVE_INFINITY ? -1e5 : v;
                }
            }
            default -> throw new SfdException("unary: unknown op " + op);
        }
        write(out, o);
    }

    @Override
    public void unaryBackward(UnaryOp op, Tensor xt, Tensor yt, Tensor gradOut, Tensor gradIn) {
        String name = "unaryBackward " + op;
        double[] x = read(name, xt), y = read(name, yt), g = read(name, gradOut);
        double[] o = target(name, gradIn);
        int n = xt.numel();
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) o[i] = -g[i]; }
            case EXP -> { for (int i = 0; i < n; i++) o[i] = g[i] * y[i]; }
            case LOG -> { for (int i = 0; i < n; i++) o[i] = g[i] / x[i]; }
            case SQRT -> { for (int i = 0; i < n; i++) o[i] = g[i] * 0.5 / y[i]; }
            case RSQRT -> { for (int i = 0; i < n; i++) o[i] = g[i] * -0.5 * y[i] * y[i] * y[i]; }  // d x^-1/2 = -x^-3/2 / 2
            case SQUARE -> { for (int i = 0; i < n; i++) o[i] = g[i] * 2.0 * x[i]; }
            case RECIPROCAL -> { for (int i = 0; i < n; i++) o[i] = -g[i] * y[i] * y[i]; }
            case ABS -> { for (int i = 0; i < n; i++) o[i] = g[i] * Math.signum(x[i]); }
            case SIGN, NAN_TO_NUM -> { for (int i = 0; i < n; i++) o[i] = 0.0; }
            case SIN -> { for (int i = 0; i < n; i++) o[i] = g[i] * Math.cos(x[i]); }
            case COS -> { for (int i = 0; i < n; i++) o[i] = -g[i] * Math.sin(x[i]); }
            case TANH -> { for (int i = 0; i < n; i++) o[i] = g[i] * (1.0 - y[i] * y[i]); }
            case SIGMOID -> { for (int i = 0; i < n; i++) o[i] = g[i] * y[i] * (1.0 - y[i]); }
            case SILU -> {
                for (int i = 0; i < n; i++) {
                    double s = sigmoid(x[i]);
                    o[i] = g[i] * s * (1.0 + x[i] * (1.0 - s));
                }
            }
            case RELU -> { for (int i = 0; i < n; i++) o[i] = x[i] > 0 ? g[i] : 0.0; }
            default -> throw new SfdException("unaryBackward: unknown op " + op);
        }
        write(gradIn, o);
    }

    @Override
    public void binary(BinaryOp op, Tensor at, Tensor bt, Tensor out) {
        String name = "binary " + op;
        double[] a = read(name, at), b = read(name, bt);
        double[] o = target(name, out);
        int[] shape = out.shape();
        Rows rows = new Rows(shape,
                new int[][] {Shapes.broadcastStrides(at.shape(), shape), Shapes.broadcastStrides(bt.shape(), shape), Shapes.contiguousStrides(shape)},
                new int[3]);
        while (rows.next()) {
            binaryRow(op, a, rows.offset[0], rows.step[0], b, rows.offset[1], rows.step[1], o, rows.offset[2], rows.step[2], rows.length);
        }
        write(out, o);
    }

    /** {@code o[oo + i*os] = a[ao + i*as] op b[bo + i*bs]} for i in [0, n). */
    private static void binaryRow(BinaryOp op, double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int os, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) o[oo + i * os] = a[ao + i * as] + b[bo + i * bs]; }
            case SUB -> { for (int i = 0; i < n; i++) o[oo + i * os] = a[ao + i * as] - b[bo + i * bs]; }
            case MUL -> { for (int i = 0; i < n; i++) o[oo + i * os] = a[ao + i * as] * b[bo + i * bs]; }
            case DIV -> { for (int i = 0; i < n; i++) o[oo + i * os] = a[ao + i * as] / b[bo + i * bs]; }
            case MAX -> { for (int i = 0; i < n; i++) o[oo + i * os] = Math.max(a[ao + i * as], b[bo + i * bs]); }
            case MIN -> { for (int i = 0; i < n; i++) o[oo + i * os] = Math.min(a[ao + i * as], b[bo + i * bs]); }
            case POW -> { for (int i = 0; i < n; i++) o[oo + i * os] = Math.pow(a[ao + i * as], b[bo + i * bs]); }
            default -> throw new SfdException("binary: unknown op " + op);
        }
    }

    @Override
    public void binaryScalar(BinaryOp op, Tensor xt, double s, Tensor out) {
        String name = "binaryScalar " + op;
        double[] x = read(name, xt);
        double[] o = target(name, out);
        binaryRow(op, x, 0, 1, new double[] {s}, 0, 0, o, 0, 1, xt.numel());
        write(out, o);
    }

    @Override
    public void axpby(double alpha, Tensor xt, double beta, Tensor yt, Tensor out) {
        double[] x = read("axpby", xt), y = read("axpby", yt);
        double[] o = target("axpby", out);
        for (int i = 0, n = out.numel(); i < n; i++) o[i] = alpha * x[i] + beta * y[i];
        write(out, o);
    }

    @Override
    public void clamp(Tensor xt, double lo, double hi, Tensor out) {
        double[] x = read("clamp", xt);
        double[] o = target("clamp", out);
        for (int i = 0, n = out.numel(); i < n; i++) o[i] = Math.min(Math.max(x[i], lo), hi);
        write(out, o);
    }

    // =================================================================== reductions

    @Override
    public void reduce(ReduceOp op, Tensor xt, Tensor out) {
        String name = "reduce " + op;
        double[] x = read(name, xt);
        requireDense(name, out);
        double[] acc = new double[out.numel()];
        Arrays.fill(acc, op == ReduceOp.SUM ? 0.0 : Double.NEGATIVE_INFINITY);
        int[] shape = xt.shape();
        // Reading `out` with broadcast strides over x's shape maps every input index to its output cell.
        Rows rows = new Rows(shape, new int[][] {Shapes.contiguousStrides(shape), Shapes.broadcastStrides(out.shape(), shape)}, new int[2]);
        int n = rows.length, os = rows.step[1];
        while (rows.next()) {
            int xo = rows.offset[0], oo = rows.offset[1];
            if (op == ReduceOp.SUM) for (int i = 0; i < n; i++) acc[oo + i * os] += x[xo + i];
            else for (int i = 0; i < n; i++) acc[oo + i * os] = Math.max(acc[oo + i * os], x[xo + i]);
        }
        write(out, acc);
    }

    // =================================================================== linear algebra

    @Override
    public void matmul(Tensor at, Tensor bt, Tensor ct, boolean transA, boolean transB, double alpha, double beta) {
        double[] a = read("matmul", at), b = read("matmul", bt);
        double[] c = beta == 0 ? target("matmul", ct) : read("matmul", ct);
        int m = ct.dim(-2), n = ct.dim(-1), k = transA ? at.dim(-2) : at.dim(-1);
        int batch = batchOf(ct), batchA = batchOf(at), batchB = batchOf(bt);
        // element (i, p) of op(A) is a[i*ai + p*ap]; element (p, j) of op(B) is b[p*bp + j*bj]
        int ai = transA ? 1 : k, ap = transA ? m : 1;
        int bp = transB ? 1 : n, bj = transB ? k : 1;
        for (int bi = 0; bi < batch; bi++) {
            int aBase = (batchA == 1 ? 0 : bi) * m * k, bBase = (batchB == 1 ? 0 : bi) * k * n, cBase = bi * m * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += a[aBase + i * ai + p * ap] * b[bBase + p * bp + j * bj];
                    int ci = cBase + i * n + j;
                    c[ci] = beta == 0 ? alpha * s : alpha * s + beta * c[ci];
                }
            }
        }
        write(ct, c);
    }

    private static int batchOf(Tensor t) { return t.rank() >= 3 ? t.dim(0) : 1; }

    // =================================================================== convolution (stride 1, zero padding)

    @Override
    public void conv2d(Tensor xt, Tensor wt, Tensor biasT, int pad, Tensor out) {
        double[] x = read("conv2d", xt), w = read("conv2d", wt), bias = biasT == null ? null : read("conv2d", biasT);
        double[] o = target("conv2d", out);
        int nb = xt.dim(0), ci = xt.dim(1), h = xt.dim(2), wd = xt.dim(3), co = wt.dim(0), k = wt.dim(2), ho = out.dim(2), wo = out.dim(3);
        for (int n = 0; n < nb; n++) {
            for (int oc = 0; oc < co; oc++) {
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        double s = 0;
                        for (int ic = 0; ic < ci; ic++) {
                            for (int ky = 0; ky < k; ky++) {
                                int iy = oy + ky - pad;
                                if (iy < 0 || iy >= h) continue;
                                for (int kx = 0; kx < k; kx++) {
                                    int ix = ox + kx - pad;
                                    if (ix < 0 || ix >= wd) continue;
                                    s += x[((n * ci + ic) * h + iy) * wd + ix] * w[((oc * ci + ic) * k + ky) * k + kx];
                                }
                            }
                        }
                        o[((n * co + oc) * ho + oy) * wo + ox] = bias == null ? s : s + bias[oc];
                    }
                }
            }
        }
        write(out, o);
    }

    @Override
    public void conv2dBackwardData(Tensor gradOut, Tensor wt, int pad, Tensor gradX) {
        double[] g = read("conv2dBackwardData", gradOut), w = read("conv2dBackwardData", wt);
        double[] o = target("conv2dBackwardData", gradX);
        int nb = gradX.dim(0), ci = gradX.dim(1), h = gradX.dim(2), wd = gradX.dim(3);
        int co = wt.dim(0), k = wt.dim(2), ho = gradOut.dim(2), wo = gradOut.dim(3);
        // gradX[n, ic, iy, ix] = sum over (oc, ky, kx) of gradOut[n, oc, iy - ky + pad, ix - kx + pad] * w[oc, ic, ky, kx]
        for (int n = 0; n < nb; n++) {
            for (int ic = 0; ic < ci; ic++) {
                for (int iy = 0; iy < h; iy++) {
                    for (int ix = 0; ix < wd; ix++) {
                        double s = 0;
                        for (int oc = 0; oc < co; oc++) {
                            for (int ky = 0; ky < k; ky++) {
                                int oy = iy - ky + pad;
                                if (oy < 0 || oy >= ho) continue;
                                for (int kx = 0; kx < k; kx++) {
                                    int ox = ix - kx + pad;
                                    if (ox < 0 || ox >= wo) continue;
                                    s += g[((n * co + oc) * ho + oy) * wo + ox] * w[((oc * ci + ic) * k + ky) * k + kx];
                                }
                            }
                        }
                        o[((n * ci + ic) * h + iy) * wd + ix] = s;
                    }
                }
            }
        }
        write(gradX, o);
    }

    @Override
    public void conv2dBackwardWeight(Tensor xt, Tensor gradOut, int pad, Tensor gradW, Tensor gradBias) {
        double[] x = read("conv2dBackwardWeight", xt), g = read("conv2dBackwardWeight", gradOut);
        double[] o = target("conv2dBackwardWeight", gradW);
        int nb = xt.dim(0), ci = xt.dim(1), h = xt.dim(2), wd = xt.dim(3);
        int co = gradW.dim(0), k = gradW.dim(2), ho = gradOut.dim(2), wo = gradOut.dim(3);
        // gradW[oc, ic, ky, kx] = sum over (n, oy, ox) of gradOut[n, oc, oy, ox] * x[n, ic, oy + ky - pad, ox + kx - pad]
        for (int oc = 0; oc < co; oc++) {
            for (int ic = 0; ic < ci; ic++) {
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        double s = 0;
                        for (int n = 0; n < nb; n++) {
                            for (int oy = 0; oy < ho; oy++) {
                                int iy = oy + ky - pad;
                                if (iy < 0 || iy >= h) continue;
                                for (int ox = 0; ox < wo; ox++) {
                                    int ix = ox + kx - pad;
                                    if (ix < 0 || ix >= wd) continue;
                                    s += g[((n * co + oc) * ho + oy) * wo + ox] * x[((n * ci + ic) * h + iy) * wd + ix];
                                }
                            }
                        }
                        o[((oc * ci + ic) * k + ky) * k + kx] = s;
                    }
                }
            }
        }
        write(gradW, o);
        if (gradBias != null) {
            double[] gb = target("conv2dBackwardWeight", gradBias);
            int plane = ho * wo;
            for (int oc = 0; oc < co; oc++) {
                double s = 0;
                for (int n = 0; n < nb; n++) {
                    int base = (n * co + oc) * plane;
                    for (int i = 0; i < plane; i++) s += g[base + i];
                }
                gb[oc] = s;
            }
            write(gradBias, gb);
        }
    }

    // =================================================================== normalisation

    @Override
    public void groupNorm(Tensor xt, Tensor gammaT, Tensor betaT, int groups, double eps, Tensor out, Tensor meanT, Tensor rstdT) {
        double[] x = read("groupNorm", xt);
        double[] gamma = gammaT == null ? null : read("groupNorm", gammaT), beta = betaT == null ? null : read("groupNorm", betaT);
        double[] o = target("groupNorm", out), mean = target("groupNorm", meanT), rstd = target("groupNorm", rstdT);
        int nb = xt.dim(0), c = xt.dim(1), cg = c / groups;
        int spatial = nb * c == 0 ? 0 : xt.numel() / (nb * c);
        int m = cg * spatial;  // elements per (n, group); a group is one contiguous block of x
        for (int n = 0; n < nb; n++) {
            for (int g = 0; g < groups; g++) {
                int base = (n * c + g * cg) * spatial;
                double sum = 0;
                for (int i = 0; i < m; i++) sum += x[base + i];
                double mu = sum / m;
                double sq = 0;
                for (int i = 0; i < m; i++) sq += (x[base + i] - mu) * (x[base + i] - mu);
                double r = 1.0 / Math.sqrt(sq / m + eps);
                mean[n * groups + g] = mu;
                rstd[n * groups + g] = r;
                for (int ch = g * cg; ch < (g + 1) * cg; ch++) {
                    double scale = gamma == null ? 1.0 : gamma[ch], shift = beta == null ? 0.0 : beta[ch];
                    int cb = (n * c + ch) * spatial;
                    for (int s = 0; s < spatial; s++) o[cb + s] = (x[cb + s] - mu) * r * scale + shift;
                }
            }
        }
        write(out, o);
        write(meanT, mean);
        write(rstdT, rstd);
    }

    @Override
    public void groupNormBackward(Tensor xt, Tensor gammaT, Tensor meanT, Tensor rstdT, int groups, Tensor gradOut,
                                  Tensor gradX, Tensor gradGamma, Tensor gradBeta) {
        String name = "groupNormBackward";
        double[] x = read(name, xt), gamma = gammaT == null ? null : read(name, gammaT);
        double[] mean = read(name, meanT), rstd = read(name, rstdT), dy = read(name, gradOut);
        double[] gx = target(name, gradX);
        int nb = xt.dim(0), c = xt.dim(1), cg = c / groups;
        int spatial = nb * c == 0 ? 0 : xt.numel() / (nb * c);
        int m = cg * spatial;
        double[] gg = new double[c], gb = new double[c];
        for (int n = 0; n < nb; n++) {
            for (int g = 0; g < groups; g++) {
                double mu = mean[n * groups + g], r = rstd[n * groups + g];
                // with xhat = (x - mu) r and dxhat = dy * gamma:
                // dx = r (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), means over the group
                double sumD = 0, sumDX = 0;
                for (int ch = g * cg; ch < (g + 1) * cg; ch++) {
                    double scale = gamma == null ? 1.0 : gamma[ch];
                    int cb = (n * c + ch) * spatial;
                    for (int s = 0; s < spatial; s++) {
                        double xhat = (x[cb + s] - mu) * r;
                        double d = dy[cb + s] * scale;
                        sumD += d;
                        sumDX += d * xhat;
                        gg[ch] += dy[cb + s] * xhat;
                        gb[ch] += dy[cb + s];
                    }
                }
                double meanD = sumD / m, meanDX = sumDX / m;
                for (int ch = g * cg; ch < (g + 1) * cg; ch++) {
                    double scale = gamma == null ? 1.0 : gamma[ch];
                    int cb = (n * c + ch) * spatial;
                    for (int s = 0; s < spatial; s++) {
                        double xhat = (x[cb + s] - mu) * r;
                        gx[cb + s] = r * (dy[cb + s] * scale - meanD - xhat * meanDX);
                    }
                }
            }
        }
        write(gradX, gx);
        if (gradGamma != null) {
            requireDense(name, gradGamma);
            write(gradGamma, gg);
        }
        if (gradBeta != null) {
            requireDense(name, gradBeta);
            write(gradBeta, gb);
        }
    }

    @Override
    public void softmax(Tensor xt, Tensor out) {
        double[] x = read("softmax", xt);
        double[] o = target("softmax", out);
        int len = lastDim(xt), rows = len == 0 ? 0 : xt.numel() / len;
        for (int row = 0; row < rows; row++) {
            int base = row * len;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < len; i++) max = Math.max(max, x[base + i]);
            double sum = 0;
            for (int i = 0; i < len; i++) {
                o[base + i] = Math.exp(x[base + i] - max);
                sum += o[base + i];
            }
            for (int i = 0; i < len; i++) o[base + i] /= sum;
        }
        write(out, o);
    }

    @Override
    public void softmaxBackward(Tensor yt, Tensor gradOut, Tensor gradIn) {
        double[] y = read("softmaxBackward", yt), g = read("softmaxBackward", gradOut);
        double[] o = target("softmaxBackward", gradIn);
        int len = lastDim(yt), rows = len == 0 ? 0 : yt.numel() / len;
        for (int row = 0; row < rows; row++) {
            int base = row * len;
            double dot = 0;
            for (int i = 0; i < len; i++) dot += g[base + i] * y[base + i];
            for (int i = 0; i < len; i++) o[base + i] = y[base + i] * (g[base + i] - dot);
        }
        write(gradIn, o);
    }

    private static int lastDim(Tensor t) { return t.rank() == 0 ? 1 : t.dim(-1); }

    // =================================================================== resampling (NCHW, factor 2)

    @Override
    public void upsample2x(Tensor xt, Tensor out) {
        double[] x = read("upsample2x", xt);
        double[] o = target("upsample2x", out);
        int planes = xt.dim(0) * xt.dim(1), h = xt.dim(2), w = xt.dim(3);
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < 2 * h; y++) {
                for (int xx = 0; xx < 2 * w; xx++) o[(p * 2 * h + y) * 2 * w + xx] = x[(p * h + y / 2) * w + xx / 2];
            }
        }
        write(out, o);
    }

    @Override
    public void upsample2xBackward(Tensor gradOut, Tensor gradIn) {
        double[] g = read("upsample2xBackward", gradOut);
        double[] o = target("upsample2xBackward", gradIn);
        int planes = gradIn.dim(0) * gradIn.dim(1), h = gradIn.dim(2), w = gradIn.dim(3);
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    int top = (p * 2 * h + 2 * y) * 2 * w + 2 * xx, bottom = top + 2 * w;
                    o[(p * h + y) * w + xx] = g[top] + g[top + 1] + g[bottom] + g[bottom + 1];
                }
            }
        }
        write(gradIn, o);
    }

    @Override
    public void avgPool2x(Tensor xt, Tensor out) {
        double[] x = read("avgPool2x", xt);
        double[] o = target("avgPool2x", out);
        int planes = out.dim(0) * out.dim(1), h = out.dim(2), w = out.dim(3);
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    int top = (p * 2 * h + 2 * y) * 2 * w + 2 * xx, bottom = top + 2 * w;
                    o[(p * h + y) * w + xx] = 0.25 * (x[top] + x[top + 1] + x[bottom] + x[bottom + 1]);
                }
            }
        }
        write(out, o);
    }

    @Override
    public void avgPool2xBackward(Tensor gradOut, Tensor gradIn) {
        double[] g = read("avgPool2xBackward", gradOut);
        double[] o = target("avgPool2xBackward", gradIn);
        int planes = gradOut.dim(0) * gradOut.dim(1), h = gradOut.dim(2), w = gradOut.dim(3);
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < 2 * h; y++) {
                for (int xx = 0; xx < 2 * w; xx++) o[(p * 2 * h + y) * 2 * w + xx] = 0.25 * g[(p * h + y / 2) * w + xx / 2];
            }
        }
        write(gradIn, o);
    }

    // =================================================================== random numbers

    @Override
    public void randomNormal(long seed, long counter, Tensor out) {
        requireDense("randomNormal", out);
        CpuStorage s = heap("randomNormal", out.storage());
        if (s.f != null) Philox.normal(seed, counter, s.f, 0, out.numel());
        else Philox.normal(seed, counter, s.d, 0, out.numel());
    }

    @Override
    public void randomUniform(long seed, long counter, Tensor out) {
        requireDense("randomUniform", out);
        CpuStorage s = heap("randomUniform", out.storage());
        if (s.f != null) Philox.uniform(seed, counter, s.f, 0, out.numel());
        else Philox.uniform(seed, counter, s.d, 0, out.numel());
    }

    // =================================================================== fused optimiser updates

    @Override
    public void adamStep(Tensor paramT, Tensor gradT, Tensor mT, Tensor vT, double lr, double beta1, double beta2,
                         double eps, double weightDecay, long step) {
        if (step < 1) throw new SfdException("adamStep: step counts from 1, got " + step);
        double[] p = read("adamStep", paramT), g = read("adamStep", gradT), m = read("adamStep", mT), v = read("adamStep", vT);
        double bc1 = 1.0 - Math.pow(beta1, step), bc2 = 1.0 - Math.pow(beta2, step);
        for (int i = 0, n = paramT.numel(); i < n; i++) {
            double gi = weightDecay != 0 ? g[i] + weightDecay * p[i] : g[i];
            m[i] = beta1 * m[i] + (1.0 - beta1) * gi;
            v[i] = beta2 * v[i] + (1.0 - beta2) * gi * gi;
            p[i] -= lr * (m[i] / bc1) / (Math.sqrt(v[i] / bc2) + eps);
        }
        write(paramT, p);
        write(mT, m);
        write(vT, v);
    }

    @Override
    public void emaUpdate(Tensor emaT, Tensor paramT, double beta) {
        double[] e = read("emaUpdate", emaT), p = read("emaUpdate", paramT);
        for (int i = 0, n = emaT.numel(); i < n; i++) e[i] = beta * e[i] + (1.0 - beta) * p[i];
        write(emaT, e);
    }

    // =================================================================== fused SiD generator loss

    @Override
    public void sidLoss(Tensor xgT, Tensor realT, Tensor fakeT, double alpha, Tensor lossT, Tensor omegaT) {
        double[] x = read("sidLoss", xgT), r = read("sidLoss", realT), f = read("sidLoss", fakeT);
        double[] loss = target("sidLoss", lossT), omega = target("sidLoss", omegaT);
        int nb = xgT.dim(0), d = nb == 0 ? 0 : xgT.numel() / nb;
        for (int n = 0; n < nb; n++) {
            int base = n * d;
            double abs = 0, sum = 0;
            for (int i = base; i < base + d; i++) {
                double diff = r[i] - f[i];
                abs += Math.abs(r[i] - x[i]);
                sum += diff * ((r[i] - x[i]) - alpha * diff);
            }
            double w = Math.max(abs / d, 1e-5);
            omega[n] = w;
            loss[n] = sum / w;
        }
        write(lossT, loss);
        write(omegaT, omega);
    }

    @Override
    public void sidLossBackward(Tensor xgT, Tensor realT, Tensor fakeT, double alpha, Tensor omegaT, Tensor gradLossT,
                                Tensor gradXg, Tensor gradReal, Tensor gradFake) {
        String name = "sidLossBackward";
        double[] x = read(name, xgT), r = read(name, realT), f = read(name, fakeT);
        double[] omega = read(name, omegaT), gl = read(name, gradLossT);
        double[] gx = target(name, gradXg), gr = target(name, gradReal), gf = target(name, gradFake);
        int nb = xgT.dim(0), d = nb == 0 ? 0 : xgT.numel() / nb;
        for (int n = 0; n < nb; n++) {
            double scale = gl[n] / omega[n];
            for (int i = n * d; i < (n + 1) * d; i++) {
                double diff = r[i] - f[i], resid = r[i] - x[i];
                gx[i] = -diff * scale;
                gr[i] = (resid - 2.0 * alpha * diff + diff) * scale;
                gf[i] = -(resid - 2.0 * alpha * diff) * scale;
            }
        }
        write(gradXg, gx);
        write(gradReal, gr);
        write(gradFake, gf);
    }

    // =================================================================== helpers

    private static double sigmoid(double v) {
        if (v >= 0) return 1.0 / (1.0 + Math.exp(-v));
        double e = Math.exp(v);  // no overflow for very negative v
        return e / (1.0 + e);
    }

    private static CpuStorage heap(String op, Storage s) {
        if (s instanceof CpuStorage) return (CpuStorage) s;
        throw new SfdException(op + ": the reference backend works on heap storage, got " + s.getClass().getSimpleName()
                + " of backend " + s.backend().name());
    }

    private static void requireDense(String op, Tensor t) {
        if (!t.isDense()) {
            throw new SfdException(op + ": expects a dense tensor (row-major, offset 0), got shape " + Shapes.str(t.shape())
                    + " strides " + Arrays.toString(t.strides()) + " offset " + t.offset());
        }
    }

    /** The elements of a dense tensor as doubles: the backing array itself for FLOAT64, a widened copy for FLOAT32. */
    private static double[] read(String op, Tensor t) {
        requireDense(op, t);
        CpuStorage s = heap(op, t.storage());
        if (s.d != null) return s.d;
        double[] r = new double[t.numel()];
        for (int i = 0; i < r.length; i++) r[i] = s.f[i];
        return r;
    }

    /** A buffer to compute a dense output in, stored by {@link #write}: the backing array for FLOAT64, scratch for FLOAT32. */
    private static double[] target(String op, Tensor t) {
        requireDense(op, t);
        CpuStorage s = heap(op, t.storage());
        return s.d != null ? s.d : new double[t.numel()];
    }

    /** Stores {@code v[0 .. numel)} into a dense tensor (rounding for FLOAT32; nothing to do when v is the backing array). */
    private static void write(Tensor t, double[] v) {
        CpuStorage s = (CpuStorage) t.storage();
        int n = t.numel();
        if (s.f != null) for (int i = 0; i < n; i++) s.f[i] = (float) v[i];
        else if (v != s.d) System.arraycopy(v, 0, s.d, 0, n);
    }

    /**
     * Walks the rows (runs along the innermost dimension) of a shape read through several stride sets, one per
     * operand. Size-1 dimensions are dropped and neighbouring dimensions that are contiguous for every operand
     * are merged, so rows are as long as possible. After each {@link #next()}, operand k's row starts at
     * {@code offset[k]} and advances by {@code step[k]} per element for {@link #length} elements.
     */
    static final class Rows {
        final int length;
        final int[] step;
        final int[] offset;
        private final int[] size;        // merged outer dimensions [0, outer)
        private final int[][] strides;  // [operand][dim]
        private final int outer;
        private final int[] index;
        private long rowsLeft;
        private boolean started;

        Rows(int[] shape, int[][] operandStrides, int[] base) {
            int ops = operandStrides.length;
            int[] sz = new int[Math.max(shape.length, 1)];
            int[][] st = new int[ops][sz.length];
            int r = 0;
            boolean empty = false;
            for (int d = 0; d < shape.length; d++) {
                if (shape[d] == 0) empty = true;
                if (shape[d] == 1) continue;
                boolean merge = r > 0;
                for (int k = 0; k < ops && merge; k++) merge = st[k][r - 1] == operandStrides[k][d] * shape[d];
                if (merge) {
                    sz[r - 1] *= shape[d];
                    for (int k = 0; k < ops; k++) st[k][r - 1] = operandStrides[k][d];
                } else {
                    sz[r] = shape[d];
                    for (int k = 0; k < ops; k++) st[k][r] = operandStrides[k][d];
                    r++;
                }
            }
            if (r == 0) {  // rank 0 or all dimensions 1: a single element
                sz[0] = 1;
                r = 1;
            }
            this.length = sz[r - 1];
            this.step = new int[ops];
            for (int k = 0; k < ops; k++) step[k] = st[k][r - 1];
            this.outer = r - 1;
            this.size = sz;
            this.strides = st;
            this.index = new int[r];
            this.offset = base.clone();
            long rows = 1;
            for (int d = 0; d < outer; d++) rows *= sz[d];
            this.rowsLeft = empty ? 0 : rows;
        }

        /** Moves to the next row; false when all rows were visited. */
        boolean next() {
            if (rowsLeft == 0) return false;
            rowsLeft--;
            if (!started) {
                started = true;
                return true;
            }
            for (int d = outer - 1; d >= 0; d--) {
                index[d]++;
                for (int k = 0; k < offset.length; k++) offset[k] += strides[k][d];
                if (index[d] < size[d]) break;
                for (int k = 0; k < offset.length; k++) offset[k] -= strides[k][d] * size[d];
                index[d] = 0;
            }
            return true;
        }
    }
}
