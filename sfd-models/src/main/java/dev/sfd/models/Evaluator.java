package dev.sfd.models;

import dev.sfd.diffusion.Denoiser;
import dev.sfd.diffusion.Sampler;
import dev.sfd.eval.FrechetDistance;
import dev.sfd.eval.Metrics;
import dev.sfd.models.data.Dataset;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.OneStepGenerator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Judges generated images with the classifier: per-class accuracy, per-class Frechet distance of classifier
 * features against real test images, UA and the override share for a forgotten class.
 */
public final class Evaluator {
    private final Classifier classifier;
    private final Dataset real;
    private final Map<Integer, FrechetDistance.Stats> realStats = new LinkedHashMap<>();

    /** {@code real} (usually the Fashion-MNIST test split) supplies the reference features; may be null (no FD). */
    public Evaluator(Classifier classifier, Dataset real) {
        this.classifier = classifier;
        this.real = real;
    }

    public Classifier classifier() { return classifier; }

    /** Figures of a set of generated images with intended labels. */
    public record Result(int[] labels, int[] predictions, double[] perClassAccuracy, double[] perClassFd) {}

    public Result judge(Tensor images, int[] labels) {
        int classes = classifier.numClasses();
        int[] pred = classifier.predict(images, 128);
        double[] acc = Metrics.perClassAccuracy(pred, labels, classes);
        double[] fd = new double[classes];
        java.util.Arrays.fill(fd, Double.NaN);
        if (real != null) {
            double[][] feats = classifier.featureMatrix(images, 128);
            for (int c = 0; c < classes; c++) {
                int n = 0;
                for (int l : labels) if (l == c) n++;
                if (n < 2) continue;
                double[][] fc = new double[n][];
                int k = 0;
                for (int i = 0; i < labels.length; i++) if (labels[i] == c) fc[k++] = feats[i];
                fd[c] = FrechetDistance.distance(FrechetDistance.stats(fc), realStats(c));
            }
        }
        return new Result(labels, pred, acc, fd);
    }

    /** Classifier feature statistics of the real images of one class (cached). */
    public FrechetDistance.Stats realStats(int c) {
        return realStats.computeIfAbsent(c, k -> {
            int[] idx = real.indicesOf(k);
            Tensor imgs = real.batch(idx).images();
            return FrechetDistance.stats(classifier.featureMatrix(imgs, 256));
        });
    }

    /** {@code perClass} one-step samples of every class, latents from {@code seed}. */
    public static Tensor[] sampleGenerator(OneStepGenerator g, int perClass, long seed) {
        int classes = g.numClasses();
        int[] labels = new int[classes * perClass];
        for (int i = 0; i < labels.length; i++) labels[i] = i / perClass;
        Tensor images = Ops.concat(0, batches(labels, 256, (lab, s) -> g.sample(lab, seed + s)));
        return new Tensor[] {images, Tensor.of(toDouble(labels), labels.length)};
    }

    /** {@code perClass} samples of every class from a diffusion sampler on a denoiser. */
    public static Tensor sampleDiffusion(Denoiser d, int[] imageShape, int classes, int perClass, Sampler sampler, long seed) {
        return sampleDiffusion(d, imageShape, classes, perClass, sampler, seed, null);
    }

    /** As above; {@code imagesDone} (may be null) hears the number of finished images after every batch of 64. */
    public static Tensor sampleDiffusion(Denoiser d, int[] imageShape, int classes, int perClass, Sampler sampler, long seed,
                                         java.util.function.IntConsumer imagesDone) {
        int[] labels = classLabels(classes, perClass);
        return Ops.concat(0, batches(labels, 64, (lab, s) -> {
            RandomStream rng = new RandomStream(seed + s);
            Tensor z = rng.normal(DType.FLOAT32, lab.length, imageShape[0], imageShape[1], imageShape[2]);
            Tensor x = sampler.sample(d, z, Ops.oneHot(lab, classes, DType.FLOAT32), rng);
            if (imagesDone != null) imagesDone.accept(s + lab.length);
            return x;
        }));
    }

    interface BatchFn { Tensor apply(int[] labels, int start); }

    static Tensor[] batches(int[] labels, int batch, BatchFn f) {
        int n = (labels.length + batch - 1) / batch;
        Tensor[] out = new Tensor[n];
        for (int b = 0; b < n; b++) {
            int s = b * batch;
            out[b] = f.apply(java.util.Arrays.copyOfRange(labels, s, Math.min(labels.length, s + batch)), s);
        }
        return out;
    }

    static double[] toDouble(int[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    /** Labels for {@code perClass} images of each class in order. */
    public static int[] classLabels(int classes, int perClass) {
        int[] labels = new int[classes * perClass];
        for (int i = 0; i < labels.length; i++) labels[i] = i / perClass;
        return labels;
    }
}
