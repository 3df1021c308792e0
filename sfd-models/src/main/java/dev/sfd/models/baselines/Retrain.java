package dev.sfd.models.baselines;

import dev.sfd.SfdException;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.models.data.Dataset;
import dev.sfd.models.train.TeacherConfig;
import dev.sfd.models.train.TeacherTrainer;
import dev.sfd.unlearn.TrainingListener;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Retrain, the gold standard of class unlearning: a teacher of the same architecture trained from scratch with
 * the same EDM recipe ({@link TeacherTrainer}) on the training set WITHOUT the forgotten class. The label space
 * stays 10-way; the forgotten label's embedding column is never trained, so that label yields whatever the
 * network makes of an untrained condition. Needs the retain set (all training images of the other classes).
 *
 * <pre>{@code
 * var r = Retrain.trainer(SongUnetConfig.fmnistS(), TeacherConfig.cpuRecipe(20_000), FashionMnist.train(), 0);
 * r.train(Long.MAX_VALUE, checkpoint, listener);   // resumable with r.resume(checkpoint)
 * EdmPrecond retrained = r.emaNetwork();
 * }</pre>
 */
public final class Retrain {
    public static final String DATA_NEEDED = "retain set (all training images of the other classes)";

    private Retrain() {}

    /** A {@link TeacherTrainer} on {@code train.withoutClasses(forget)}; call {@code train}/{@code resume} on it. */
    public static TeacherTrainer trainer(SongUnetConfig net, TeacherConfig cfg, Dataset train, int forget) {
        if (forget < 0 || forget >= net.labelDim()) {
            throw new SfdException("retrain: the network has no label " + forget + " (label_dim " + net.labelDim() + ")");
        }
        Dataset retain = train.withoutClasses(forget);
        if (retain.size() == 0) throw new SfdException("retrain: " + train.name() + " has no image outside class " + forget);
        return new TeacherTrainer(net, cfg, retain);
    }

    /** Result of a retrain run: the EMA network and the wall time of this session's steps. */
    public record Result(EdmPrecond model, long steps, double seconds, Map<String, Object> settings) {}

    /** Trains to the end of {@code cfg} (resuming from {@code checkpoint} when asked) and returns the EMA network. */
    public static Result run(SongUnetConfig net, TeacherConfig cfg, Dataset train, int forget, Path checkpoint, boolean resume,
                             TrainingListener listener) {
        return run(net, cfg, train, forget, checkpoint, resume, listener, cfg.iterations());
    }

    /**
     * Trains up to step {@code untilStep} of {@code cfg}'s schedule (for a retrain matched to a teacher that was
     * stopped before the end of its own schedule: same warm-up, same step count) and returns the EMA network.
     */
    public static Result run(SongUnetConfig net, TeacherConfig cfg, Dataset train, int forget, Path checkpoint, boolean resume,
                             TrainingListener listener, long untilStep) {
        if (untilStep <= 0 || untilStep > cfg.iterations()) {
            throw new dev.sfd.SfdException("retrain: stop step " + untilStep + " outside 1.." + cfg.iterations());
        }
        TeacherTrainer t = trainer(net, cfg, train, forget);
        if (resume && checkpoint != null) t.resume(checkpoint);
        long t0 = System.nanoTime();
        t.train(untilStep, checkpoint, listener);
        Map<String, Object> settings = settings(cfg, forget, train);
        settings.put("iterations", t.step());
        return new Result(t.emaNetwork(), t.step(), (System.nanoTime() - t0) / 1e9, settings);
    }

    public static Map<String, Object> settings(TeacherConfig cfg, int forget, Dataset train) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", "retrain");
        m.put("forget", forget);
        m.put("data", train.name() + " without class " + forget);
        m.put("schedule_iterations", cfg.iterations());
        m.put("batch", cfg.batch());
        m.put("lr", cfg.lr());
        m.put("warmup_images", cfg.warmupImages());
        m.put("ema_half_life_images", cfg.emaHalfLifeImages());
        m.put("ema_rampup", cfg.emaRampup());
        m.put("seed", cfg.seed());
        m.put("loss", "EDM (log-normal sigma -1.2/1.2, EDM weighting), Adam (0.9, 0.999)");
        return m;
    }
}
