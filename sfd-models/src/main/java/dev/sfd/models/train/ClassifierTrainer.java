package dev.sfd.models.train;

import dev.sfd.SfdException;
import dev.sfd.io.Checkpoint;
import dev.sfd.models.Classifier;
import dev.sfd.models.data.Dataset;
import dev.sfd.optim.Adam;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trains the judge {@link Classifier} with Adam and cross-entropy on shuffled epochs, with random horizontal
 * flips as augmentation, a cosine learning-rate decay, and resumable atomic checkpoints.
 */
public final class ClassifierTrainer {
    private final Classifier model;
    private final Dataset train;
    private final int batch;
    private final int epochs;
    private final double lr;
    private final RandomStream rng;
    private final Adam adam;
    private boolean flip = true;
    private long step;

    public ClassifierTrainer(Classifier model, Dataset train, int batch, int epochs, double lr, long seed) {
        if (train.numClasses() != model.numClasses()) {
            throw new SfdException("classifier has " + model.numClasses() + " outputs but " + train.name() + " has " + train.numClasses() + " classes");
        }
        this.model = model;
        this.train = train;
        this.batch = batch;
        this.epochs = epochs;
        this.lr = lr;
        this.rng = new RandomStream(seed);
        this.adam = new Adam(model.parameters(), lr, 0.9, 0.999, 1e-8, 0.0);
    }

    /** Turns the random horizontal flips on (default) or off. */
    public ClassifierTrainer flips(boolean on) {
        this.flip = on;
        return this;
    }

    public long totalSteps() { return (long) epochs * stepsPerEpoch(); }

    public int stepsPerEpoch() { return (train.size() + batch - 1) / batch; }

    public long step() { return step; }

    /** Trains until {@code untilStep} (capped at all epochs), checkpointing at every epoch end. */
    public void train(long untilStep, Path checkpoint, TrainingListener listener) {
        long end = Math.min(untilStep, totalSteps());
        model.train(true);
        long t0 = System.nanoTime();
        int[] order = null;
        long orderEpoch = -1;
        while (step < end) {
            long epoch = step / stepsPerEpoch();
            if (epoch != orderEpoch) {
                order = permutation(epoch);
                orderEpoch = epoch;
            }
            int s = (int) (step % stepsPerEpoch()) * batch;
            int b = Math.min(batch, train.size() - s);
            int[] idx = java.util.Arrays.copyOfRange(order, s, s + b);
            Dataset.Batch data = train.batch(idx);
            Tensor x = flip ? flip(data.images()) : data.images();
            adam.setLearningRate(lr * 0.5 * (1 + Math.cos(Math.PI * step / (double) totalSteps())));
            adam.zeroGrad();
            Tensor loss = Classifier.crossEntropy(model.logits(x), data.labels());
            double lv = loss.item();
            if (!Double.isFinite(lv)) throw new dev.sfd.NumericsException("classifier training: loss " + lv + " at step " + step);
            loss.backward();
            adam.step();
            step++;
            if (listener != null) {
                Map<String, Double> f = new LinkedHashMap<>();
                f.put("loss", lv);
                f.put("seconds", (System.nanoTime() - t0) / 1e9);
                listener.onStep(step, totalSteps(), f);
            }
            if (checkpoint != null && (step % stepsPerEpoch() == 0 || step == end)) {
                save(checkpoint);
                if (listener != null) listener.onCheckpoint(step, checkpoint);
            }
        }
        model.train(false);
    }

    /** A fixed permutation per epoch drawn from a stream keyed by (seed, epoch), so resume replays it. */
    private int[] permutation(long epoch) {
        RandomStream r = new RandomStream(rng.seed() * 1_000_003L + epoch);
        double[] u = r.uniform(DType.FLOAT64, train.size()).toDoubleArray();
        int[] p = new int[train.size()];
        for (int i = 0; i < p.length; i++) p[i] = i;
        for (int i = p.length - 1; i > 0; i--) {
            int j = (int) (u[i] * (i + 1));
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Flips each image horizontally with probability 1/2 (Fashion-MNIST classes are mirror-symmetric). */
    private Tensor flip(Tensor images) {
        int n = images.dim(0), c = images.dim(1), h = images.dim(2), w = images.dim(3);
        double[] u = rng.uniform(DType.FLOAT64, n).toDoubleArray();
        float[] d = images.toFloatArray();
        for (int i = 0; i < n; i++) {
            if (u[i] < 0.5) continue;
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    int row = ((i * c + ch) * h + y) * w;
                    for (int x = 0; x < w / 2; x++) {
                        float t = d[row + x];
                        d[row + x] = d[row + w - 1 - x];
                        d[row + w - 1 - x] = t;
                    }
                }
            }
        }
        return Tensor.of(d, n, c, h, w);
    }

    /** Share of examples classified correctly. */
    public static double accuracy(Classifier model, Dataset data, int batch) {
        int correct = 0;
        for (int s = 0; s < data.size(); s += batch) {
            int b = Math.min(batch, data.size() - s);
            int[] idx = new int[b];
            for (int i = 0; i < b; i++) idx[i] = s + i;
            Dataset.Batch bt = data.batch(idx);
            int[] pred = model.predict(bt.images(), b);
            for (int i = 0; i < b; i++) if (pred[i] == bt.labels()[i]) correct++;
        }
        return correct / (double) data.size();
    }

    public void save(Path file) {
        Checkpoint.builder().group("model", model.stateDict()).group("adam", adam.state())
                .meta("kind", "classifier-training").meta("step", step).meta("adam_step", adam.stepCount())
                .meta("rng_counter", rng.counter()).save(file);
    }

    public void resume(Path file) {
        if (!Files.isRegularFile(file)) throw new SfdException("resume: checkpoint " + file + " does not exist");
        Checkpoint c = Checkpoint.load(file);
        if (!"classifier-training".equals(c.metadata().get("kind"))) throw new SfdException("resume: " + file + " is not a classifier checkpoint");
        model.loadStateDict(c.group("model"), true);
        adam.restore(c.group("adam"), c.metaLong("adam_step"));
        rng.restore(c.metaLong("rng_counter"));
        step = c.metaLong("step");
    }
}
