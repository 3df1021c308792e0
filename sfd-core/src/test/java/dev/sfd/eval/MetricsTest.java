package dev.sfd.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sfd.SfdException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void unlearningAccuracyCountsOnlyTheForgetLabelsImages() {
        // 4 images generated for forgotten class 0: classified as 0, 1, 1, 2 -> 3 of 4 are not class 0
        assertEquals(0.75, Metrics.unlearningAccuracy(new int[] {0, 1, 1, 2}, 0), 0);
        assertEquals(0.5, Metrics.share(new int[] {0, 1, 1, 2}, 1), 0);
        assertEquals(0.0, Metrics.unlearningAccuracy(new int[] {3, 3}, 3), 0);
        assertThrows(SfdException.class, () -> Metrics.unlearningAccuracy(new int[0], 0));
    }

    @Test
    void forgottenClassRateIsOneMinusUaAndMeanOverSkipsNaN() {
        // 5 images generated for forgotten class 2, classified 2, 0, 2, 7, 2 -> 3 of 5 are class 2
        int[] pred = {2, 0, 2, 7, 2};
        assertEquals(0.6, Metrics.forgottenClassRate(pred, 2), 1e-15);
        assertEquals(0.4, Metrics.unlearningAccuracy(pred, 2), 1e-15);
        assertThrows(SfdException.class, () -> Metrics.forgottenClassRate(new int[0], 2));
        // remaining classes {0, 1, 3}: (0.5 + 1.0 + 0.25) / 3; class 2 (forgotten) ignored; NaN skipped
        double[] perClass = {0.5, 1.0, 0.0, 0.25, Double.NaN};
        assertEquals(1.75 / 3, Metrics.meanOver(perClass, new int[] {0, 1, 3}), 1e-15);
        assertEquals(0.75, Metrics.meanOver(perClass, new int[] {0, 1, 4}), 1e-15);
        assertEquals(Double.NaN, Metrics.meanOver(perClass, new int[] {4}));
        assertThrows(SfdException.class, () -> Metrics.meanOver(perClass, new int[] {5}));
    }

    @Test
    void accuracyAndPerClass() {
        int[] pred = {0, 1, 2, 2, 1}, lab = {0, 1, 1, 2, 2};
        assertEquals(0.6, Metrics.accuracy(pred, lab), 1e-12);
        double[] pc = Metrics.perClassAccuracy(pred, lab, 4);
        assertEquals(1.0, pc[0], 0);
        assertEquals(0.5, pc[1], 0);
        assertEquals(0.5, pc[2], 0);
        assertEquals(Double.NaN, pc[3]);
        assertArrayEquals(new int[] {1, 2, 2, 0}, Metrics.histogram(pred, 4));
    }

    @Test
    void frechetDistanceMatchesClosedForms() {
        // identical sets -> 0; pure mean shift of 3 in one of 2 dims -> 9
        double[][] a = {{0, 0}, {1, 0}, {0, 1}, {1, 1}, {0.5, 0.2}};
        double[][] b = new double[a.length][];
        for (int i = 0; i < a.length; i++) b[i] = new double[] {a[i][0] + 3, a[i][1]};
        assertEquals(0.0, FrechetDistance.distance(a, a), 1e-9);
        assertEquals(9.0, FrechetDistance.distance(a, b), 1e-9);
        // two 1-D Gaussians: (m1-m2)^2 + (s1 - s2)^2 with sample variances
        Random r = new Random(1);
        double[][] x = new double[2000][], y = new double[2000][];
        for (int i = 0; i < x.length; i++) {
            x[i] = new double[] {r.nextGaussian()};
            y[i] = new double[] {1 + 2 * r.nextGaussian()};
        }
        FrechetDistance.Stats sx = FrechetDistance.stats(x), sy = FrechetDistance.stats(y);
        double expected = Math.pow(sx.mean()[0] - sy.mean()[0], 2) + Math.pow(Math.sqrt(sx.cov().get(0, 0)) - Math.sqrt(sy.cov().get(0, 0)), 2);
        assertEquals(expected, FrechetDistance.distance(sx, sy), 1e-9);
    }
}
