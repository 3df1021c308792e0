package dev.sfd.eval;

import dev.sfd.SfdException;

/**
 * Classification-based unlearning metrics, computed once here and used by every report.
 * UA (unlearning accuracy) is the share of images generated for the forgotten label that the classifier
 * does NOT assign to the forgotten class; its denominator is the number of those images only (the official
 * SFD script divides by all images, SPEC-SFD bug B1).
 */
public final class Metrics {
    private Metrics() {}

    /** Share of predictions different from {@code forgetClass}. */
    public static double unlearningAccuracy(int[] predictionsForForgetLabel, int forgetClass) {
        requireNonEmpty(predictionsForForgetLabel, "UA");
        int other = 0;
        for (int p : predictionsForForgetLabel) if (p != forgetClass) other++;
        return other / (double) predictionsForForgetLabel.length;
    }

    /** Share of predictions equal to {@code cls} (e.g. the override class, or the forgotten class after an attack). */
    public static double share(int[] predictions, int cls) {
        requireNonEmpty(predictions, "share");
        int n = 0;
        for (int p : predictions) if (p == cls) n++;
        return n / (double) predictions.length;
    }

    /** Share of predictions equal to the intended labels. */
    public static double accuracy(int[] predictions, int[] labels) {
        requireNonEmpty(predictions, "accuracy");
        if (predictions.length != labels.length) throw new SfdException("accuracy: " + predictions.length + " predictions for " + labels.length + " labels");
        int ok = 0;
        for (int i = 0; i < labels.length; i++) if (predictions[i] == labels[i]) ok++;
        return ok / (double) labels.length;
    }

    /** Accuracy per class id in [0, classes): NaN for classes without examples. */
    public static double[] perClassAccuracy(int[] predictions, int[] labels, int classes) {
        int[] n = new int[classes], ok = new int[classes];
        for (int i = 0; i < labels.length; i++) {
            n[labels[i]]++;
            if (predictions[i] == labels[i]) ok[labels[i]]++;
        }
        double[] acc = new double[classes];
        for (int c = 0; c < classes; c++) acc[c] = n[c] == 0 ? Double.NaN : ok[c] / (double) n[c];
        return acc;
    }

    /**
     * Forgotten-class rate: the share of images generated for the forgotten label that the classifier DOES assign
     * to the forgotten class ({@code 1 - UA}); the relearning attack tracks how it climbs back.
     */
    public static double forgottenClassRate(int[] predictionsForForgetLabel, int forgetClass) {
        requireNonEmpty(predictionsForForgetLabel, "forgotten-class rate");
        return share(predictionsForForgetLabel, forgetClass);
    }

    /**
     * Mean of {@code perClass[c]} over the listed classes (e.g. accuracy or FD over the remaining classes).
     * NaN entries (classes without samples) are skipped; NaN when no listed class has a value.
     */
    public static double meanOver(double[] perClass, int[] classes) {
        double sum = 0;
        int n = 0;
        for (int c : classes) {
            if (c < 0 || c >= perClass.length) throw new SfdException("meanOver: class " + c + " out of range [0, " + perClass.length + ")");
            if (Double.isNaN(perClass[c])) continue;
            sum += perClass[c];
            n++;
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Histogram of predicted classes. */
    public static int[] histogram(int[] predictions, int classes) {
        int[] h = new int[classes];
        for (int p : predictions) h[p]++;
        return h;
    }

    private static void requireNonEmpty(int[] a, String what) {
        if (a.length == 0) throw new SfdException(what + ": no predictions");
    }
}
