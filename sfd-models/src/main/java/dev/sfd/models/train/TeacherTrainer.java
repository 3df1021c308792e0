package dev.sfd.models.train;

import dev.sfd.NumericsException;
import dev.sfd.SfdException;
import dev.sfd.backend.Backends;
import dev.sfd.diffusion.EdmLoss;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.io.Checkpoint;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.models.data.Dataset;
import dev.sfd.ops.Ops;
import dev.sfd.optim.Adam;
import dev.sfd.optim.Ema;
import dev.sfd.optim.GradClip;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trains a class-conditional EDM teacher (SongUNet + EDM preconditioning and loss) with Adam, a linear
 * learning-rate warm-up, gradient sanitising and an EMA with EDM's half-life rule. Checkpoints (network, EMA,
 * Adam moments, RNG state, step) are written atomically; {@link #resume} continues bit-identically.
 */
public final class TeacherTrainer {
    private final SongUnetConfig netConfig;
    private final TeacherConfig cfg;
    private final Dataset data;
    private final EdmPrecond net;
    private final EdmPrecond emaNet;
    private final Ema ema;
    private final Adam adam;
    private final RandomStream rng;
    private final EdmLoss loss = new EdmLoss();
    private long step;

    public TeacherTrainer(SongUnetConfig netConfig, TeacherConfig cfg, Dataset data) {
        if (data.numClasses() != netConfig.labelDim()) {
            throw new SfdException("teacher: dataset has " + data.numClasses() + " classes but the network expects label_dim " + netConfig.labelDim());
        }
        this.netConfig = netConfig;
        this.cfg = cfg;
        this.data = data;
        this.rng = new RandomStream(cfg.seed());
        this.net = new EdmPrecond(new SongUnet(netConfig, new RandomStream(cfg.seed() ^ 0x5DEECE66DL), DType.FLOAT32));
        this.emaNet = new EdmPrecond(new SongUnet(netConfig, new RandomStream(0), DType.FLOAT32));
        this.ema = new Ema(net, emaNet);
        this.adam = new Adam(net.parameters(), cfg.lr(), 0.9, 0.999, 1e-8, 0.0);
        net.setRandom(rng);
    }

    public long step() { return step; }

    public EdmPrecond network() { return net; }

    /** The EMA network: the weights to ship. */
    public EdmPrecond emaNetwork() { return emaNet; }

    /** Runs until {@code cfg.iterations()} or {@code untilStep}, writing checkpoints to {@code checkpoint} (may be null). */
    public void train(long untilStep, Path checkpoint, TrainingListener listener) {
        long end = Math.min(untilStep, cfg.iterations());
        net.train(true);
        long t0 = System.nanoTime();
        while (step < end) {
            long imagesSeen = step * cfg.batch();
            double lr = cfg.lr() * (cfg.warmupImages() > 0 ? Math.min(1.0, (double) imagesSeen / cfg.warmupImages()) : 1.0);
            adam.setLearningRate(lr);
            int[] idx = sampleIndices(cfg.batch());
            Dataset.Batch b = data.batch(idx);
            Tensor labels = Ops.oneHot(b.labels(), netConfig.labelDim(), DType.FLOAT32);
            Tensor l = Ops.meanAll(loss.perSample(net, b.images(), labels, rng));
            double lv = l.item();
            if (!Double.isFinite(lv)) throw new NumericsException("teacher training: loss is " + lv + " at step " + step + "; last good checkpoint kept");
            adam.zeroGrad();
            l.backward();
            GradClip.sanitize(net.parameters());
            adam.step();
            ema.update(Ema.halfLifeBeta(cfg.emaHalfLifeImages(), cfg.emaRampup(), imagesSeen, cfg.batch()));
            step++;
            if (listener != null) {
                Map<String, Double> f = new LinkedHashMap<>();
                f.put("loss", lv);
                f.put("lr", lr);
                f.put("seconds", (System.nanoTime() - t0) / 1e9);
                listener.onStep(step, cfg.iterations(), f);
            }
            if (checkpoint != null && (step % cfg.checkpointEvery() == 0 || step == end)) {
                save(checkpoint);
                if (listener != null) listener.onCheckpoint(step, checkpoint);
            }
        }
    }

    private int[] sampleIndices(int n) {
        Tensor u = Ops.rand(Backends.current(), DType.FLOAT64, rng.seed(), rng.next(n), n);
        double[] d = u.toDoubleArray();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = Math.min(data.size() - 1, (int) (d[i] * data.size()));
        return idx;
    }

    /** Writes network, EMA, Adam state, RNG counter and step atomically. */
    public void save(Path file) {
        Checkpoint.builder()
                .group("net", net.stateDict())
                .group("ema", emaNet.stateDict())
                .group("adam", adam.state())
                .meta("kind", "teacher-training")
                .meta("step", step)
                .meta("adam_step", adam.stepCount())
                .meta("rng_seed", rng.seed())
                .meta("rng_counter", rng.counter())
                .meta("net_config", netConfig.toMetadata().get(SongUnetConfig.METADATA_KEY))
                .meta("train_config", cfg.toString())
                .save(file);
    }

    /** Restores a checkpoint written by {@link #save}; the trainer must have been built with the same configs. */
    public void resume(Path file) {
        if (!Files.isRegularFile(file)) throw new SfdException("resume: checkpoint " + file + " does not exist");
        Checkpoint c = Checkpoint.load(file);
        if (!"teacher-training".equals(c.metadata().get("kind"))) throw new SfdException("resume: " + file + " is not a teacher-training checkpoint");
        SongUnetConfig saved = SongUnetConfig.fromMetadata(Map.of(SongUnetConfig.METADATA_KEY, c.meta("net_config")), file.toString());
        if (!saved.equals(netConfig)) throw new SfdException("resume: " + file + " was written for " + saved + ", not " + netConfig);
        net.loadStateDict(c.group("net"), true);
        emaNet.loadStateDict(c.group("ema"), true);
        adam.restore(c.group("adam"), c.metaLong("adam_step"));
        if (c.metaLong("rng_seed") != rng.seed()) throw new SfdException("resume: checkpoint seed " + c.metaLong("rng_seed") + " differs from configured seed " + rng.seed());
        rng.restore(c.metaLong("rng_counter"));
        step = c.metaLong("step");
    }
}
