package dev.sfd.models.baselines;

import dev.sfd.NumericsException;
import dev.sfd.SfdException;
import dev.sfd.diffusion.EdmLoss;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.io.Checkpoint;
import dev.sfd.models.attack.AuxData;
import dev.sfd.models.data.Dataset;
import dev.sfd.ops.Ops;
import dev.sfd.optim.Adam;
import dev.sfd.optim.GradClip;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DiMUM, unlearning by memorisation ("Towards Irreversible Machine Unlearning for Diffusion Models", the paper
 * that also proposes the DiMRA relearning attack), for class forgetting in EDM form. Instead of pushing the
 * forgotten label away from its class, the model MEMORISES a fixed, small set of alternative images under that
 * label: fine-tuning drives the forgotten condition to a converged, memorised solution, which later fine-tuning
 * on data without the class has no reason to leave.
 *
 * <p>Each step: the plain EDM loss (log-normal sigma, EDM weighting) on a batch drawn from the {@code memorised}
 * images, all labelled {@code c_f}, plus {@code retainWeight} times the EDM loss on a batch of retain images with
 * their own labels; Adam (0.9, 0.999), gradient sanitiser, all weights trained, network in eval mode.
 *
 * <p>Two variants: {@link #withData} memorises the first {@code memorised} REAL images of the override class and
 * keeps the other classes with the real retain set; {@link #dataFree} memorises the teacher's own Heun samples
 * of the override class and keeps the other classes with the teacher's Heun samples of them (no real image).
 *
 * <p>Checkpointed every {@code checkpointEvery} steps; a run started with the checkpoint of the same settings
 * and teacher continues bit-identically.
 */
public final class Dimum {
    public static final String DATA_NEEDED = "override-class images (memorised) + retain set";
    public static final String DATA_NEEDED_FREE = "none (data-free: the teacher's own samples)";
    private static final String KIND = "dimum";

    /**
     * @param steps           fine-tuning steps
     * @param batchForget     memorised images per step (under the forgotten label)
     * @param batchRemain     retain images per step
     * @param lr              Adam learning rate
     * @param retainWeight    weight of the retain loss
     * @param memorised       size of the fixed set of alternative images
     * @param heunSteps       Heun steps of the teacher's samples (data-free variant)
     * @param retainPerClass  teacher samples per remaining class (data-free variant)
     * @param checkpointEvery steps between checkpoints
     * @param seed            Philox seed (batches, sigma, noise; the data-free samples use seed + 1 and seed + 2)
     */
    public record Settings(int steps, int batchForget, int batchRemain, double lr, double retainWeight, int memorised, int heunSteps,
                           int retainPerClass, int checkpointEvery, long seed) {
        public Settings {
            if (steps < 1 || batchForget < 1 || batchRemain < 0 || !(lr > 0) || !(retainWeight >= 0) || memorised < 1 || heunSteps < 1
                    || retainPerClass < 1 || checkpointEvery < 1) {
                throw new SfdException("DiMUM settings: steps, batches, lr, memorised, heunSteps, retainPerClass, checkpointEvery must be positive, "
                        + "retainWeight >= 0");
            }
        }

        /** Full budget: SalUn's (500 steps, 16 + 16 images, lr 1e-4), 64 memorised images. */
        public static Settings defaults() { return new Settings(500, 16, 16, 1e-4, 1.0, 64, 18, 50, 50, 17); }

        /** The {@code table --quick} budget. */
        public static Settings quick() { return new Settings(30, 8, 8, 1e-4, 1.0, 16, 8, 8, 10, 17); }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", "dimum");
            m.put("steps", steps);
            m.put("batch_forget", batchForget);
            m.put("batch_remain", batchRemain);
            m.put("lr", lr);
            m.put("retain_weight", retainWeight);
            m.put("memorised", memorised);
            m.put("heun_steps", heunSteps);
            m.put("retain_per_class", retainPerClass);
            m.put("checkpoint_every", checkpointEvery);
            m.put("loss", "EDM loss on memorised images labelled c_f + retain_weight * EDM loss on retain images; Adam (0.9, 0.999)");
            m.put("seed", seed);
            return m;
        }
    }

    public record Result(ScoreNetwork model, double seconds, Map<String, Object> settings) {}

    private final ScoreNetwork teacher;
    private final int forget;
    private final int override;
    private final Dataset memorised;
    private final Dataset retain;
    private final Settings s;
    private final String dataNeeded;

    /**
     * @param memorised the fixed set of alternative images (their labels are ignored: they are trained under {@code forget})
     * @param retain    labelled images of the remaining classes (none of class {@code forget})
     */
    public Dimum(ScoreNetwork teacher, int forget, int override, Dataset memorised, Dataset retain, Settings settings, String dataNeeded) {
        requirePair(teacher, forget, override);
        if (memorised.size() == 0) throw new SfdException("DiMUM: the memorised set " + memorised.name() + " is empty");
        Baselines.requireImageShape(memorised, teacher, "DiMUM", "the teacher");
        Baselines.requireImageShape(retain, teacher, "DiMUM", "the teacher");
        if (settings.batchRemain() > 0 && retain.size() == 0) throw new SfdException("DiMUM: the retain set " + retain.name() + " is empty");
        for (int i = 0; i < retain.size(); i++) {
            if (retain.label(i) == forget) throw new SfdException("DiMUM: the retain set " + retain.name() + " contains images of the forgotten class " + forget);
            if (retain.label(i) >= teacher.labelDim()) throw new SfdException("DiMUM: the retain set has label " + retain.label(i) + " outside the teacher's labels");
        }
        this.teacher = teacher;
        this.forget = forget;
        this.override = override;
        this.memorised = memorised;
        this.retain = retain;
        this.s = settings;
        this.dataNeeded = dataNeeded;
    }

    private static void requirePair(ScoreNetwork teacher, int forget, int override) {
        Baselines.requireForgetLabel(teacher, forget, "the teacher");
        if (override < 0 || override >= teacher.labelDim() || override == forget) {
            throw new SfdException("DiMUM: override class " + override + " must be a label of the teacher (0.." + (teacher.labelDim() - 1)
                    + ") other than the forgotten class " + forget);
        }
    }

    /** DiMUM with real data: memorises the first {@code memorised} images of class {@code override} of {@code train}; retain = the rest without {@code forget}. */
    public static Dimum withData(ScoreNetwork teacher, int forget, int override, Dataset train, Settings settings) {
        requirePair(teacher, forget, override);
        if (train.numClasses() != teacher.labelDim()) {
            throw new SfdException("DiMUM: " + train.name() + " has " + train.numClasses() + " classes but the teacher has label_dim " + teacher.labelDim());
        }
        return new Dimum(teacher, forget, override, AuxData.firstOfClass(train, override, settings.memorised()), train.withoutClasses(forget), settings,
                DATA_NEEDED);
    }

    /**
     * Data-free DiMUM: memorises the teacher's Heun samples of {@code override}; the retain set is the teacher's
     * samples of every label but {@code forget}. Both sets are cached in {@code cacheDir} when not null.
     */
    public static Dimum dataFree(ScoreNetwork teacher, int forget, int override, Settings settings, Path cacheDir) {
        requirePair(teacher, forget, override);
        int[] labels = new int[settings.memorised()];
        Arrays.fill(labels, override);
        Dataset mem = AuxData.sampled(teacher, null, labels, settings.heunSteps(), settings.seed() + 1,
                cacheDir == null ? null : cacheDir.resolve("dimum-memorised.safetensors"), "teacher samples of class " + override);
        Dataset ret = AuxData.generated(teacher, null, forget, settings.retainPerClass(), settings.heunSteps(), settings.seed() + 2,
                cacheDir == null ? null : cacheDir.resolve("dimum-retain.safetensors"), "the teacher");
        return new Dimum(teacher, forget, override, mem, ret, settings, DATA_NEEDED_FREE);
    }

    public Result run(TrainingListener listener) { return run(listener, null); }

    /**
     * Runs DiMUM; with a {@code checkpoint} file it saves the state there every {@code checkpointEvery} steps (and
     * calls {@link TrainingListener#onCheckpoint}), and a run started with an existing checkpoint of the same settings,
     * teacher and data continues from it, bit-identical to an uninterrupted run. The caller deletes the file when done.
     */
    public Result run(TrainingListener listener, Path checkpoint) {
        long t0 = System.nanoTime();
        teacher.requiresGrad(false).train(false);
        ScoreNetwork net = teacher.copy();
        net.requiresGrad(true).train(false);
        Adam adam = new Adam(net.parameters(), s.lr(), 0.9, 0.999, 1e-8, 0);
        RandomStream rng = new RandomStream(s.seed());
        EdmLoss edm = new EdmLoss();
        String settingsKey = s.toMap() + " forget=" + forget + " override=" + override + " memorised=" + memorised.name() + " retain=" + retain.name();
        String fingerprint = checkpoint != null ? Baselines.fingerprint(teacher) : null;
        int start = 0;
        double before = 0;
        if (checkpoint != null && Files.isRegularFile(checkpoint)) {
            Checkpoint c = Baselines.restoreState(checkpoint, "DiMUM", KIND, settingsKey, fingerprint, net, adam, rng);
            start = (int) c.metaLong("step");
            before = c.metaDouble("seconds");
        }
        int[] fl = new int[s.batchForget()];
        Arrays.fill(fl, forget);
        Tensor forgetLabels = Ops.oneHot(fl, net.labelDim(), DType.FLOAT32);
        for (int step = start; step < s.steps(); step++) {
            Tensor forgetLoss = Ops.meanAll(edm.perSample(net, memorised.batch(Baselines.drawIndices(memorised, fl.length, rng)).images(), forgetLabels, rng));
            Tensor loss = forgetLoss;
            double rv = Double.NaN;
            if (s.batchRemain() > 0 && s.retainWeight() > 0) {
                Dataset.Batch rb = retain.batch(Baselines.drawIndices(retain, s.batchRemain(), rng));
                Tensor retainLoss = Ops.meanAll(edm.perSample(net, rb.images(), Ops.oneHot(rb.labels(), net.labelDim(), DType.FLOAT32), rng));
                rv = retainLoss.item();
                loss = Ops.add(loss, Ops.mulScalar(retainLoss, s.retainWeight()));
            }
            double lv = loss.item();
            if (!Double.isFinite(lv)) throw new NumericsException("DiMUM: loss is " + lv + " at step " + step);
            adam.zeroGrad();
            loss.backward();
            GradClip.sanitize(net.parameters());
            adam.step();
            double seconds = before + (System.nanoTime() - t0) / 1e9;
            if (listener != null) listener.onStep(step + 1, s.steps(), Baselines.lossFigures(lv, forgetLoss.item(), rv, seconds));
            if (checkpoint != null && ((step + 1) % s.checkpointEvery() == 0 || step + 1 == s.steps())) {
                Baselines.saveState(checkpoint, KIND, settingsKey, fingerprint, net, adam, rng, Map.of(), Map.of("step", step + 1, "seconds", seconds));
                if (listener != null) listener.onCheckpoint(step + 1, checkpoint);
            }
        }
        net.requiresGrad(false);
        Map<String, Object> settings = s.toMap();
        settings.put("forget", forget);
        settings.put("override", override);
        settings.put("data", memorised.name() + " (memorised as class " + forget + ") + " + retain.name());
        return new Result(net, before + (System.nanoTime() - t0) / 1e9, settings);
    }
}
