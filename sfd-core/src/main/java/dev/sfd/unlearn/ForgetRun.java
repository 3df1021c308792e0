package dev.sfd.unlearn;

import dev.sfd.SfdException;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.eval.Figures;
import dev.sfd.io.Json;
import dev.sfd.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One forgetting run of an {@link SfdRecipe}, end to end, in its own folder: stage 1 (when the recipe distils one, in
 * {@code FOLDER/stage1}), then the run that forgets (in {@code FOLDER}), quick evaluations by a {@link Judge} every
 * {@link SfdRecipe#evalEvery()} iterations, the {@link StopRule}, checkpoints ({@code checkpoint.safetensors}, every
 * {@link SfdConfig#checkpointEvery()} iterations, after {@link #checkpointInterval(Duration) ten minutes} without one,
 * at the planned length and on cancellation) and the final fake score
 * network ({@code fake.safetensors}, which makes the folder usable as a stage 1). Listeners hear steps, evaluations and
 * decisions.
 *
 * <p>When the stop rule may continue a run, the run keeps the generator of its best quick evaluation (by
 * {@link StopRule#improves}) in {@code best.safetensors}; a run that ends without the plan done (a plateau or the
 * maximum length) returns those weights instead of its last ones when they are better, and says so in its decision
 * ({@link Result#generatorStep()}). A run that ends with the plan done, or a fixed-length run, returns its last weights.
 * Such a run also records its quick evaluations in {@code evaluations.json}; a resumed run reads them back and replays
 * the stop rule's decisions before its checkpoint, so that it stops where the uninterrupted run would have (when its
 * checkpoint lies on an evaluation step, as with the recipes' equal checkpoint and evaluation intervals).
 *
 * <pre>{@code
 * ForgetRun run = new ForgetRun(teacher, plan, SfdRecipe.twoStage(stage1).seed(7), Path.of("runs/mine"))
 *         .judge(evaluator.quickJudge(40));
 * ForgetRun.Result r = run.run();            // blocks; run.cancel() from another thread stops it at the next step
 * }</pre>
 *
 * {@link #resume(boolean) resume(true)} continues from the folder's checkpoints; a run resumed with a larger maximum
 * continues a finished one. Training is deterministic: quick evaluations do not touch the training's random stream,
 * so a resumed or evaluated run reaches the same weights as a straight one.
 */
public final class ForgetRun {
    /** File names inside the run folder. */
    public static final String CHECKPOINT = "checkpoint.safetensors", FAKE = "fake.safetensors", STAGE1_DIR = "stage1";
    /** The generator of the best quick evaluation so far (metadata: its step and figures), kept for a run that may continue. */
    public static final String BEST = "best.safetensors";
    /** The quick evaluations of a run that may continue, so that a resumed run restores its stop rule's state. */
    public static final String EVALUATIONS = "evaluations.json";

    /** Progress of a run; every method has an empty default. Called on the thread that runs {@link #run()}. */
    public interface Listener {
        /** A stage starts ({@code "stage1"} or {@code "forget"}) at {@code step} (above 0 when resumed), for at most {@code maxSteps}. */
        default void onStageStart(String stage, long step, long maxSteps) {}

        /** After every iteration, with the trainer's loss figures. */
        default void onStep(String stage, long step, long maxSteps, Map<String, Double> losses) {}

        /** After every quick evaluation. */
        default void onEvaluation(String stage, long step, Figures quick) {}

        /** After every decision of the stop rule. */
        default void onDecision(StopRule.Decision decision) {}

        /** A stage ended at {@code step}. */
        default void onStageEnd(String stage, long step) {}
    }

    /** A quick evaluation and the step it was taken at. */
    public record Evaluation(String stage, long step, Figures figures) {}

    /**
     * What a finished run returns: the generator (EMA weights when the configuration keeps an EMA), the final fake
     * score network, the configuration the forgetting run trained with (its iteration count is the planned one), the
     * iterations it ran, the stop rule's last decision, every quick evaluation of this process, and the iteration whose
     * generator weights are returned ({@code iterations}, or an earlier one with a better quick evaluation when the plan
     * was not done; see the class comment).
     */
    public record Result(OneStepGenerator generator, ScoreNetwork fake, SfdConfig config, long iterations, StopRule.Decision stop,
                         List<Evaluation> evaluations, long generatorStep) {
        /** The last quick evaluation of the forgetting run, or null. */
        public Figures lastQuick() {
            for (int i = evaluations.size() - 1; i >= 0; i--) if (evaluations.get(i).stage().equals(FORGET)) return evaluations.get(i).figures();
            return null;
        }
    }

    static final String STAGE1 = "stage1", FORGET = "forget";

    /** Wall-clock time after which a run writes a checkpoint even between {@link SfdConfig#checkpointEvery()} steps. */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofMinutes(10);

    private final ScoreNetwork teacher;
    private final ForgetPlan plan;
    private final SfdRecipe recipe;
    private final Path folder;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<Evaluation> evaluations = new ArrayList<>();
    private Judge judge;
    private OverrideClassifier classifier;
    private StopRule stopRule;
    private boolean resume;
    private volatile boolean cancelled;
    private boolean started;
    private long checkpointIntervalNanos = DEFAULT_CHECKPOINT_INTERVAL.toNanos();
    /** {@link System#nanoTime()} of the last checkpoint written (or of the stage's start). */
    private long lastSaveNanos;
    /** Best quick evaluation of the forgetting stage (when tracked), its step and a copy of its generator network. */
    private Figures bestFigures;
    private long bestStep = -1;
    private ScoreNetwork bestNetwork;
    private Path bestFile;
    private Path evaluationsFile;

    /** A run of {@code recipe} that forgets {@code plan} from {@code teacher}, writing into {@code folder}. */
    public ForgetRun(ScoreNetwork teacher, ForgetPlan plan, SfdRecipe recipe, Path folder) {
        if (teacher == null || plan == null || recipe == null || folder == null) throw new SfdException("ForgetRun: teacher, plan, recipe and folder are required");
        requireForgettable(teacher, plan);
        this.teacher = teacher;
        this.plan = plan;
        this.recipe = recipe;
        this.folder = folder;
        this.stopRule = recipe.stopRule();
    }

    /** Throws unless {@code teacher} is class-conditional and {@code plan} names classes it has (checked before anything runs). */
    public static void requireForgettable(ScoreNetwork teacher, ForgetPlan plan) {
        if (teacher.labelDim() <= 0) throw new SfdException("the teacher is not class-conditional (label_dim 0); SFD forgets classes");
        plan.validate(teacher.labelDim());
    }

    /** The judge for quick evaluations (needed when the recipe evaluates or its stop rule continues past the planned length). */
    public ForgetRun judge(Judge j) { this.judge = j; return this; }

    /**
     * The classifier that picks the forgotten samples' teacher labels when the recipe's configuration uses
     * {@link OverrideMode#CLASSIFIER} (required there; ignored otherwise).
     */
    public ForgetRun classifier(OverrideClassifier c) {
        if (c != null && c.numClasses() != teacher.labelDim()) {
            throw new dev.sfd.ConfigException("ForgetRun: the override classifier has " + c.numClasses() + " classes but the teacher has " + teacher.labelDim());
        }
        this.classifier = c;
        return this;
    }

    /** Replaces the recipe's stop rule for this run. */
    public ForgetRun stopWhen(StopRule rule) {
        if (rule == null) throw new SfdException("ForgetRun: stop rule is null");
        this.stopRule = rule.fresh();
        return this;
    }

    /**
     * Also writes the checkpoint after an iteration when this much wall-clock time has passed since the last one
     * (default {@link #DEFAULT_CHECKPOINT_INTERVAL}), so that a run on a slow or loaded machine, where
     * {@link SfdConfig#checkpointEvery()} iterations can take an hour, loses at most about this much work when it is
     * killed. {@link Duration#ZERO} writes one after every iteration. Not part of the recipe: a run resumes
     * bit-identically from a checkpoint at any step, so the interval changes no result.
     */
    public ForgetRun checkpointInterval(Duration interval) {
        if (interval == null || interval.isNegative()) {
            throw new dev.sfd.ConfigException("ForgetRun: checkpoint interval must be zero or positive, got " + interval);
        }
        long nanos;
        try {
            nanos = interval.toNanos();
        } catch (ArithmeticException tooLong) {
            nanos = Long.MAX_VALUE; // centuries: never by time
        }
        this.checkpointIntervalNanos = nanos;
        return this;
    }

    /** Continue from the folder's checkpoints ({@code true}) or start fresh (the default). */
    public ForgetRun resume(boolean on) { this.resume = on; return this; }

    public ForgetRun addListener(Listener l) { listeners.add(l); return this; }

    /** Asks the run to stop: from any thread; the run writes a checkpoint at its current step and {@link #run()} throws {@link CancellationException}. */
    public void cancel() { cancelled = true; }

    /** The folder of this run. */
    public Path folder() { return folder; }

    /** Runs (or resumes) to the end and returns the result; blocks the calling thread. */
    public Result run() {
        if (started) throw new SfdException("ForgetRun: a run object runs once; create a new one (with resume(true) to continue)");
        started = true;
        recipe.validate();
        SfdConfig cfg = recipe.config();
        boolean extensible = plan.forgetClasses().length > 0 && stopRule.canExtend(cfg.iterations());
        if ((extensible || recipe.evalEvery() > 0) && judge == null) {
            throw new SfdException("ForgetRun: recipe '" + recipe.name() + "' evaluates every " + recipe.evalEvery()
                    + " iterations; give a judge (ForgetRun.judge) or use evalEvery(0) with a fixed-length stop rule");
        }
        if (cfg.overrideMode() == OverrideMode.CLASSIFIER && !plan.isEmpty() && classifier == null) {
            throw new dev.sfd.ConfigException("ForgetRun: override mode classifier needs a classifier (ForgetRun.classifier)");
        }
        if (extensible && recipe.evalEvery() <= 0) {
            throw new SfdException("ForgetRun: the stop rule continues past " + cfg.iterations() + " iterations, which needs quick evaluations");
        }
        ScoreNetwork generatorInit = teacher, fakeInit = teacher;
        Path checkpoint = folder.resolve(CHECKPOINT);
        boolean forgetStarted = resume && Files.exists(checkpoint);
        if (recipe.stage1() != null) {
            requireSameArchitecture(recipe.stage1().generator().network(), "stage-1 generator");
            requireSameArchitecture(recipe.stage1().fake(), "stage-1 fake score network");
            generatorInit = recipe.stage1().generator().network();
            fakeInit = recipe.stage1().fake();
        } else if (recipe.stage1Iterations() > 0 && !forgetStarted) {
            // a forgetting run that has a checkpoint restores everything from it: stage 1 is only needed before that
            Path dir = folder.resolve(STAGE1_DIR);
            Result s1 = runStage(STAGE1, dir, ForgetPlan.none(), recipe.stage1Config(), teacher, teacher, StopRule.fixedLength(),
                    resume && Files.exists(dir.resolve(CHECKPOINT)));
            generatorInit = s1.generator().network();
            fakeInit = s1.fake();
        }
        boolean stage1Here = recipe.stage1Iterations() > 0 && recipe.stage1() == null;
        if (stage1Here) cfg = cfg.sigmaInit(recipe.stage1Config().sigmaInit());
        // a resumed two-stage run interrupted in stage 1 has no forgetting checkpoint yet: its stage 2 starts afresh
        return runStage(FORGET, folder, plan, cfg, generatorInit, fakeInit, extensible ? stopRule : StopRule.fixedLength(),
                resume && (forgetStarted || !stage1Here));
    }

    private void requireSameArchitecture(ScoreNetwork net, String what) {
        if (!teacher.metadata().equals(net.metadata())) {
            throw new SfdException(what + " does not have the teacher's architecture: " + net.metadata() + " vs " + teacher.metadata());
        }
    }

    private Result runStage(String stage, Path dir, ForgetPlan p, SfdConfig cfg, ScoreNetwork generatorInit, ScoreNetwork fakeInit,
                            StopRule rule, boolean resumeStage) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run folder " + dir, e);
        }
        Path ckpt = dir.resolve(CHECKPOINT);
        long planned = cfg.iterations();
        // a run that may continue is configured with its maximum length and stopped by the rule
        SfdConfig runCfg = cfg.iterations(rule.maxIterations(planned));
        int every = recipe.evalEvery();
        boolean keepBest = stage.equals(FORGET) && rule.canExtend(planned);
        try (var sfd = new ScoreForgettingDistillation(teacher, p, runCfg, generatorInit, fakeInit).classifier(classifier)) {
            if (resumeStage) sfd.resume(ckpt);
            lastSaveNanos = System.nanoTime();
            if (keepBest) {
                startBest(dir.resolve(BEST), sfd, resumeStage);
                restoreDecisions(dir.resolve(EVALUATIONS), sfd, rule, planned, every, resumeStage);
            }
            for (Listener l : listeners) l.onStageStart(stage, sfd.step(), runCfg.iterations());
            sfd.addListener(new TrainingListener() {
                @Override
                public void onStep(long step, long total, Map<String, Double> losses) {
                    Map<String, Double> copy = new LinkedHashMap<>(losses);
                    for (Listener l : listeners) l.onStep(stage, step, total, copy);
                    if (every > 0 && (step % every == 0 || step == 1)) evaluate(stage, sfd, p);
                }
            });
            trainUntil(sfd, planned, ckpt);
            StopRule.Decision d;
            OneStepGenerator generator = null;
            while (true) {
                Figures quick = null;
                if (rule.canExtend(planned)) quick = evaluationAt(stage, sfd, p);
                d = rule.decide(sfd.step(), planned, quick);
                boolean best = keepBest && (d.outcome() == StopRule.Outcome.PLATEAU || d.outcome() == StopRule.Outcome.MAX_ITERATIONS)
                        && bestNetwork != null && bestStep != sfd.step() && rule.improves(bestFigures, quick);
                if (best) {
                    d = new StopRule.Decision(d.step(), d.outcome(), d.reason() + String.format("; the generator is the one of iteration %d,"
                            + " the best quick evaluation (UA %.3f, as override %.3f)", bestStep, bestFigures.ua(), bestFigures.overrideShare()));
                }
                for (Listener l : listeners) l.onDecision(d);
                if (d.stop()) {
                    if (best) generator = new OneStepGenerator(bestNetwork, sfd.config().sigmaInit());
                    break;
                }
                trainUntil(sfd, Math.min(runCfg.iterations(), (sfd.step() / every + 1) * every), ckpt);
            }
            ScoreNetwork fake = sfd.fakeScore();
            writeFake(dir.resolve(FAKE), fake, p);
            for (Listener l : listeners) l.onStageEnd(stage, sfd.step());
            long generatorStep = generator != null ? bestStep : sfd.step();
            return new Result(generator != null ? generator : sfd.generator(), fake, cfg, sfd.step(), d, List.copyOf(evaluations), generatorStep);
        }
    }

    /** {@link ScoreForgettingDistillation#runUntil} with a cancellation check before every iteration. */
    private void trainUntil(ScoreForgettingDistillation sfd, long until, Path ckpt) {
        long end = Math.min(until, sfd.config().iterations());
        while (sfd.step() < end) {
            if (cancelled) {
                sfd.save(ckpt);
                StopRule.Decision d = new StopRule.Decision(sfd.step(), StopRule.Outcome.CANCELLED, "cancelled at iteration " + sfd.step()
                        + "; checkpoint " + ckpt + " (resume to continue)");
                for (Listener l : listeners) l.onDecision(d);
                throw new CancellationException(d.reason());
            }
            sfd.iterate();
            if (sfd.step() % sfd.config().checkpointEvery() == 0 || sfd.step() == end
                    || System.nanoTime() - lastSaveNanos >= checkpointIntervalNanos) {
                sfd.save(ckpt);
                lastSaveNanos = System.nanoTime();
            }
        }
    }

    /** The quick evaluation at the trainer's current step (taken now when the listener did not take it). */
    private Figures evaluationAt(String stage, ScoreForgettingDistillation sfd, ForgetPlan p) {
        if (!evaluations.isEmpty()) {
            Evaluation last = evaluations.get(evaluations.size() - 1);
            if (last.stage().equals(stage) && last.step() == sfd.step()) return last.figures();
        }
        return evaluate(stage, sfd, p);
    }

    private Figures evaluate(String stage, ScoreForgettingDistillation sfd, ForgetPlan p) {
        OverrideMode mode = sfd.config().overrideMode();
        Figures f = judge.judge(sfd.generator(), p, mode);
        if (!p.isEmpty() && f.overrideMode() != mode) {
            throw new SfdException("ForgetRun: the judge returned figures of override mode " + f.overrideMode().id() + " for a run in mode " + mode.id());
        }
        evaluations.add(new Evaluation(stage, sfd.step(), f));
        if (bestFile != null && stage.equals(FORGET) && stopRule.improves(f, bestFigures)) keepBest(sfd, f);
        if (evaluationsFile != null && stage.equals(FORGET)) writeEvaluations();
        for (Listener l : listeners) l.onEvaluation(stage, sfd.step(), f);
        return f;
    }

    /** Whether a resumed run has {@code file} to reload; a fresh run removes a stale one and has nothing to reload. */
    private static boolean existingFor(Path file, boolean resumed) {
        try {
            if (!resumed) {
                Files.deleteIfExists(file);
                return false;
            }
            return Files.isRegularFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file, e);
        }
    }

    /** Starts tracking the best evaluation in {@code file}: a resumed run reloads it, a fresh one removes a stale one. */
    private void startBest(Path file, ScoreForgettingDistillation sfd, boolean resumed) {
        bestFile = file;
        if (!existingFor(file, resumed)) return;
        SafeTensors.Contents c = SafeTensors.read(file);
        ScoreNetwork net = sfd.generator().network().copy();
        net.loadStateDict(c.tensors(), true);
        bestNetwork = net;
        Map<String, String> meta = c.metadata() == null ? Map.of() : c.metadata();
        try {
            bestStep = Long.parseLong(String.valueOf(meta.get("sfd.step")));
        } catch (NumberFormatException e) {
            throw new dev.sfd.FormatException(file + ": metadata 'sfd.step' is '" + meta.get("sfd.step") + "', expected an integer", e);
        }
        if (meta.get("sfd.quick") == null) throw new dev.sfd.FormatException(file + ": no 'sfd.quick' metadata (the best quick evaluation)");
        bestFigures = Figures.fromJson(Json.parseMap(meta.get("sfd.quick")), file.toString());
    }

    /**
     * Starts recording evaluations in {@code file}. A resumed run restores the evaluations up to its checkpoint's step
     * and replays the stop rule's decisions made before that step (evaluations at the planned length, at multiples of
     * the evaluation interval past it, or at the maximum), which restores the rule's plateau state.
     */
    private void restoreDecisions(Path file, ScoreForgettingDistillation sfd, StopRule rule, long planned, int every, boolean resumed) {
        evaluationsFile = file;
        if (!existingFor(file, resumed)) return;
        Object list = Json.readMap(file).get("evaluations");
        if (!(list instanceof List<?> entries)) throw new dev.sfd.FormatException(file + ": no evaluations list");
        long max = rule.maxIterations(planned);
        for (Object o : entries) {
            if (!(o instanceof Map<?, ?> e) || !(e.get("figures") instanceof Map<?, ?> fm)) throw new dev.sfd.FormatException(file + ": malformed entry");
            long step = (long) Json.toDouble(e.get("step"));
            if (step > sfd.step()) continue;
            @SuppressWarnings("unchecked")
            Figures f = Figures.fromJson((Map<String, Object>) fm, file.toString());
            evaluations.add(new Evaluation(FORGET, step, f));
            boolean decisionPoint = step >= planned && (step == planned || (every > 0 && step % every == 0) || step == max);
            if (decisionPoint && step < sfd.step()) rule.decide(step, planned, f);
        }
    }

    private void writeEvaluations() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Evaluation e : evaluations) {
            if (!e.stage().equals(FORGET)) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", e.step());
            m.put("figures", e.figures().toJson());
            list.add(m);
        }
        Json.write(evaluationsFile, Map.of("evaluations", list));
    }

    /** Remembers the generator at the current step as the best so far, in memory and in {@link #BEST}. */
    private void keepBest(ScoreForgettingDistillation sfd, Figures f) {
        bestNetwork = sfd.generator().network().copy();
        bestStep = sfd.step();
        bestFigures = f;
        Map<String, String> meta = new LinkedHashMap<>(bestNetwork.metadata());
        meta.put("sfd.kind", OneStepGenerator.KIND);
        meta.put("sfd.sigma_init", Double.toString(sfd.config().sigmaInit()));
        meta.put("sfd.step", Long.toString(bestStep));
        meta.put("sfd.quick", Json.write(f.toJson()));
        SafeTensors.write(bestFile, bestNetwork.stateDict(), meta);
    }

    private static void writeFake(Path file, ScoreNetwork fake, ForgetPlan p) {
        Map<String, String> meta = new LinkedHashMap<>(fake.metadata());
        meta.put("sfd.kind", "fake-score-network");
        meta.put("sfd.plan", p.toString());
        SafeTensors.write(file, fake.stateDict(), meta);
    }
}
