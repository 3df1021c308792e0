package dev.sfd.eval;

import dev.sfd.SfdException;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Frechet distance between two Gaussians fitted to feature sets (the FID formula, here on the project
 * classifier's features, so values are not comparable to Inception FID):
 * {@code |mu1 - mu2|^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2))}. The trace of the matrix square root is computed
 * as {@code sum sqrt(eig(A S2 A))} with {@code A = S1^(1/2)}, which keeps everything symmetric.
 */
public final class FrechetDistance {
    private FrechetDistance() {}

    /** Gaussian statistics of a feature set: mean and (unbiased) covariance. */
    public record Stats(double[] mean, DMatrixRMaj cov, int count) {}

    public static Stats stats(double[][] features) {
        int n = features.length;
        if (n < 2) throw new SfdException("Frechet distance needs at least 2 feature vectors, got " + n);
        int d = features[0].length;
        double[] mu = new double[d];
        for (double[] f : features) for (int j = 0; j < d; j++) mu[j] += f[j] / n;
        DMatrixRMaj cov = new DMatrixRMaj(d, d);
        for (double[] f : features) {
            for (int i = 0; i < d; i++) {
                double di = f[i] - mu[i];
                for (int j = i; j < d; j++) cov.data[i * d + j] += di * (f[j] - mu[j]);
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                double v = cov.data[i * d + j] / (n - 1);
                cov.data[i * d + j] = v;
                cov.data[j * d + i] = v;
            }
        }
        return new Stats(mu, cov, n);
    }

    public static double distance(double[][] a, double[][] b) { return distance(stats(a), stats(b)); }

    public static double distance(Stats a, Stats b) {
        int d = a.mean().length;
        if (b.mean().length != d) throw new SfdException("Frechet distance: feature sizes differ (" + d + " vs " + b.mean().length + ")");
        double m = 0;
        for (int i = 0; i < d; i++) m += (a.mean()[i] - b.mean()[i]) * (a.mean()[i] - b.mean()[i]);
        DMatrixRMaj sqrtA = sqrtSym(a.cov());
        DMatrixRMaj t = new DMatrixRMaj(d, d), inner = new DMatrixRMaj(d, d);
        CommonOps_DDRM.mult(sqrtA, b.cov(), t);
        CommonOps_DDRM.mult(t, sqrtA, inner);
        symmetrize(inner);
        double trSqrt = 0;
        for (double ev : eigenvalues(inner)) trSqrt += Math.sqrt(Math.max(ev, 0));
        return m + CommonOps_DDRM.trace(a.cov()) + CommonOps_DDRM.trace(b.cov()) - 2 * trSqrt;
    }

    static DMatrixRMaj sqrtSym(DMatrixRMaj s) {
        int d = s.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
        if (!eig.decompose(s.copy())) throw new SfdException("Frechet distance: eigen decomposition failed");
        DMatrixRMaj out = new DMatrixRMaj(d, d);
        for (int k = 0; k < d; k++) {
            double ev = Math.sqrt(Math.max(eig.getEigenvalue(k).getReal(), 0));
            DMatrixRMaj v = eig.getEigenVector(k);
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) out.data[i * d + j] += ev * v.data[i] * v.data[j];
        }
        return out;
    }

    static double[] eigenvalues(DMatrixRMaj s) {
        int d = s.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, false, true);
        if (!eig.decompose(s.copy())) throw new SfdException("Frechet distance: eigen decomposition failed");
        double[] out = new double[d];
        for (int k = 0; k < d; k++) out[k] = eig.getEigenvalue(k).getReal();
        return out;
    }

    private static void symmetrize(DMatrixRMaj m) {
        int d = m.numRows;
        for (int i = 0; i < d; i++) {
            for (int j = i + 1; j < d; j++) {
                double v = 0.5 * (m.data[i * d + j] + m.data[j * d + i]);
                m.data[i * d + j] = v;
                m.data[j * d + i] = v;
            }
        }
    }
}
