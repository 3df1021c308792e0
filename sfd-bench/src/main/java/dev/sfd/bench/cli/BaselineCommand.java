package dev.sfd.bench.cli;

import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.diffusion.Sampler;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.io.Json;
import dev.sfd.models.Evaluator;
import dev.sfd.models.Models;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.models.baselines.Baselines;
import dev.sfd.models.baselines.Dimum;
import dev.sfd.models.baselines.EsdErasure;
import dev.sfd.models.baselines.Retrain;
import dev.sfd.models.baselines.SalUn;
import dev.sfd.models.data.Dataset;
import dev.sfd.models.data.FashionMnist;
import dev.sfd.models.train.TeacherConfig;
import dev.sfd.unlearn.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sfd baseline retrain|esd|salun|dimum}: the comparison methods of the evaluation table (docs/evaluation.md). */
@Command(name = "baseline", mixinStandardHelpOptions = true,
        description = "Run an unlearning baseline on the teacher: retrain (from scratch without the forgotten class; needs the retain set), "
                + "esd (ESD-style negative-guidance erasure; data-free), salun (saliency mask + random-label relabelling; needs "
                + "forgotten-class and retain images), dimum (the forgotten label memorises override-class images; real images, or "
                + "--data-free with the teacher's own samples). Writes OUT/model.safetensors (an EDM denoiser, sample it with Heun), "
                + "OUT/report.json, OUT/samples.png and OUT/loss.csv.")
final class BaselineCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "METHOD", description = "retrain, esd, salun or dimum") String method;
    @Option(names = "--teacher", defaultValue = "teacher", description = "'teacher' (shipped) or a SongUNet file; retrain only takes its architecture") String teacherSpec;
    @Option(names = "--forget", defaultValue = "0", description = "class to forget (default: ${DEFAULT-VALUE})") int forget;
    @Option(names = "--out", description = "default runs/baseline-METHOD") Path out;
    @Option(names = "--quick", description = "the table --quick budget") boolean quick;
    @Option(names = "--steps", description = "optimiser steps (retrain default 20000 = the teacher's budget; esd 400; salun, dimum 500)") Integer steps;
    @Option(names = "--batch", description = "batch (retrain 64; esd 8; salun, dimum 16 forget + 16 retain)") Integer batch;
    @Option(names = "--lr", description = "learning rate (retrain 1e-3; esd 5e-5; salun, dimum 1e-4)") Double lr;
    @Option(names = "--seed", description = "Philox seed (default: the method's library default)") Long seed;
    @Option(names = "--eta", description = "esd: negative-guidance strength (default 1.0)") Double eta;
    @Option(names = "--sample-steps", description = "esd: Euler levels K for the self-sampled noisy inputs (default 10)") Integer sampleSteps;
    @Option(names = "--sample-guidance", description = "esd: CFG weight of the self-sampling (default 1 = off)") Double sampleGuidance;
    @Option(names = "--mask-fraction", description = "salun: share of weights trained (default 0.5)") Double maskFraction;
    @Option(names = "--mask-mode", description = "salun: GLOBAL or PER_TENSOR threshold (default GLOBAL)") SalUn.MaskMode maskMode;
    @Option(names = "--mask-batches", description = "salun: batches of forgotten images for the saliency gradient (default 16)") Integer maskBatches;
    @Option(names = "--retain-weight", description = "salun, dimum: weight of the retain loss (default 1.0)") Double retainWeight;
    @Option(names = "--override", description = "dimum: the class whose images the forgotten label memorises (default (C + 1) mod classes)") Integer override;
    @Option(names = "--memorised", description = "dimum: size of the memorised image set (default 64)") Integer memorised;
    @Option(names = "--data-free", description = "dimum: memorise the teacher's Heun samples of the override class and keep the other classes "
            + "with the teacher's samples of them (no real image)") boolean dataFree;
    @Option(names = "--fixed-pseudo-label", description = "salun: relabel with (c_f + 1) mod C (SalUn's DDPM code) instead of a random other class") boolean fixedPseudo;
    @Option(names = "--resume", description = "retrain, dimum: continue from OUT/checkpoint.safetensors") boolean resume;
    @Option(names = "--overwrite", description = Output.OVERWRITE_HELP) boolean overwrite;
    @Option(names = "--until", defaultValue = "-1", description = "retrain: stop after this step of the --steps schedule "
            + "(match a teacher stopped early: same warm-up, same step count); -1 = all") long until;
    @Option(names = "--checkpoint-every", description = "retrain, dimum: steps between checkpoints (retrain 100; dimum 50)") Long checkpointEvery;
    @Option(names = "--data", description = "Fashion-MNIST directory (retrain, salun, dimum)") Path data;
    @Option(names = "--grid-per-class", defaultValue = "8", description = "Heun samples per class in samples.png (0 = none)") int gridPerClass;
    @Option(names = "--eval", description = "also judge the result (needs the classifier): UA, remaining accuracy, FD") boolean eval;
    @Option(names = "--classifier", defaultValue = "classifier", description = "judge for --eval: 'classifier' (shipped) or a file") String classifier;

    /** Everything a baseline run produces, for the table command too. */
    record Outcome(ScoreNetwork model, double seconds, Map<String, Object> settings, String dataNeeded) {}

    static TeacherConfig retrainConfig(boolean quick, Integer steps, Integer batch, Double lr, Long seed, long checkpointEvery) {
        long it = steps != null ? steps : quick ? 60 : 20_000;
        int b = batch != null ? batch : quick ? 16 : 64;
        return new TeacherConfig(it, b, lr != null ? lr : 1e-3, it * b / 20, 100_000, 0.05, seed != null ? seed : 1, checkpointEvery);
    }

    EsdErasure.Settings esdSettings() {
        EsdErasure.Settings d = quick ? EsdErasure.Settings.quick() : EsdErasure.Settings.defaults();
        return new EsdErasure.Settings(steps != null ? steps : d.steps(), batch != null ? batch : d.batch(), lr != null ? lr : d.lr(),
                eta != null ? eta : d.eta(), sampleSteps != null ? sampleSteps : d.sampleSteps(),
                sampleGuidance != null ? sampleGuidance : d.sampleGuidance(), seed != null ? seed : d.seed());
    }

    SalUn.Settings salunSettings() {
        SalUn.Settings d = quick ? SalUn.Settings.quick() : SalUn.Settings.defaults();
        return new SalUn.Settings(steps != null ? steps : d.steps(), batch != null ? batch : d.batchForget(), batch != null ? batch : d.batchRemain(),
                lr != null ? lr : d.lr(), retainWeight != null ? retainWeight : d.retainWeight(), maskFraction != null ? maskFraction : d.maskFraction(),
                maskMode != null ? maskMode : d.maskMode(), maskBatches != null ? maskBatches : d.maskBatches(), d.maskBatch(), d.gradClip(),
                !fixedPseudo, seed != null ? seed : d.seed());
    }

    Dimum.Settings dimumSettings() {
        Dimum.Settings d = quick ? Dimum.Settings.quick() : Dimum.Settings.defaults();
        return new Dimum.Settings(steps != null ? steps : d.steps(), batch != null ? batch : d.batchForget(), batch != null ? batch : d.batchRemain(),
                lr != null ? lr : d.lr(), retainWeight != null ? retainWeight : d.retainWeight(), memorised != null ? memorised : d.memorised(),
                d.heunSteps(), d.retainPerClass(), checkpointEvery != null ? checkpointEvery.intValue() : d.checkpointEvery(), seed != null ? seed : d.seed());
    }

    /** The architecture for retrain: the given teacher's, or fmnist-s while the shipped teacher is not in the build. */
    static SongUnetConfig retrainArchitecture(String teacherSpec) {
        if ("teacher".equals(teacherSpec) && !Models.shipped(Models.TEACHER)) {
            System.err.println("baseline retrain: the shipped teacher is not in this build yet; using its architecture fmnist-s");
            return SongUnetConfig.fmnistS();
        }
        return Baselines.songUnetConfig(Suite.teacher(teacherSpec));
    }

    static Outcome retrain(SongUnetConfig arch, TeacherConfig cfg, Dataset train, int forget, Path dir, boolean resume) throws IOException {
        return retrain(arch, cfg, train, forget, dir, resume, cfg.iterations());
    }

    static Outcome retrain(SongUnetConfig arch, TeacherConfig cfg, Dataset train, int forget, Path dir, boolean resume, long untilStep)
            throws IOException {
        Files.createDirectories(dir);
        Path ckpt = dir.resolve("checkpoint.safetensors");
        if (resume && !Files.isRegularFile(ckpt)) resume = false;
        try (Progress p = new Progress("retrain without class " + forget, untilStep, 0, "loss");
             LossLog log = new LossLog(dir.resolve("loss.csv"), p, resume)) {
            Retrain.Result r = Retrain.run(arch, cfg, train, forget, ckpt, resume, log, untilStep);
            return new Outcome(r.model(), r.seconds(), r.settings(), Retrain.DATA_NEEDED);
        }
    }

    static Outcome esd(EdmPrecond teacher, int forget, EsdErasure.Settings s, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (Progress p = new Progress("esd class " + forget, s.steps(), 0, "loss", "sigma"); LossLog log = new LossLog(dir.resolve("loss.csv"), p)) {
            EsdErasure.Result r = new EsdErasure(teacher, forget, s).run(log);
            return new Outcome(r.model(), r.seconds(), r.settings(), EsdErasure.DATA_NEEDED);
        }
    }

    static Outcome salun(EdmPrecond teacher, int forget, Dataset train, SalUn.Settings s, Path dir) throws IOException {
        Files.createDirectories(dir);
        SalUn salun = new SalUn(teacher, forget, train, s);
        try (Progress p = new Progress("salun class " + forget, s.steps(), 0, "forget_loss", "retain_loss"); LossLog log = new LossLog(dir.resolve("loss.csv"), p)) {
            SalUn.Result r = salun.run(log);
            Map<String, Object> settings = new LinkedHashMap<>(r.settings());
            settings.put("mask_seconds", r.maskSeconds());
            return new Outcome(r.model(), r.seconds(), settings, SalUn.DATA_NEEDED);
        }
    }

    /**
     * DiMUM into {@code dir}: checkpointed to {@code dir/checkpoint.safetensors} (continued when {@code resume}, else
     * started afresh), the data-free variant's teacher samples cached in {@code dir}. {@code train} is null for data-free.
     */
    static Outcome dimum(EdmPrecond teacher, int forget, int override, Dataset train, Dimum.Settings s, Path dir, boolean resume) throws IOException {
        Files.createDirectories(dir);
        Path ckpt = dir.resolve("checkpoint.safetensors");
        if (!resume) Files.deleteIfExists(ckpt);
        long t0 = System.nanoTime();
        Dimum dimum = train == null ? Dimum.dataFree(teacher, forget, override, s, dir) : Dimum.withData(teacher, forget, override, train, s);
        double dataSeconds = (System.nanoTime() - t0) / 1e9;
        boolean append = resume && Files.isRegularFile(ckpt);
        try (Progress p = new Progress("dimum class " + forget + " -> " + override, s.steps(), 0, "forget_loss", "retain_loss");
             LossLog log = new LossLog(dir.resolve("loss.csv"), p, append)) {
            Dimum.Result r = dimum.run(log, ckpt);
            Files.deleteIfExists(ckpt);
            Map<String, Object> settings = new LinkedHashMap<>(r.settings());
            settings.put("data_seconds", dataSeconds);
            // the data-free variant's teacher sampling is part of its unlearning cost (0 when read from the run folder's cache)
            return new Outcome(r.model(), r.seconds() + dataSeconds, settings, train == null ? Dimum.DATA_NEEDED_FREE : Dimum.DATA_NEEDED);
        }
    }

    static void save(Outcome o, Path file, String method, int forget) {
        SongUnet.save((EdmPrecond) o.model(), file, Map.of("sfd.kind", "edm-denoiser", "sfd.method", method, "sfd.forget", Integer.toString(forget)));
    }

    @Override
    public Integer call() throws IOException {
        Baselines.requireName(method);
        if (steps != null) dev.sfd.ConfigException.requirePositive("--steps", steps);
        if (batch != null) dev.sfd.ConfigException.requirePositive("--batch", batch);
        if (lr != null) dev.sfd.ConfigException.requirePositive("--lr", lr);
        Path dir = out != null ? out : Path.of("runs", "baseline-" + method);
        Outcome o = runMethod(dir);
        save(o, dir.resolve("model.safetensors"), method, forget);
        writeReport(o, dir);
        Plots.lossCurve(dir.resolve("loss.csv"), dir.resolve("loss.png"), method + " loss");
        System.out.printf("baseline %s: forgot class %d in %.0f s; model %s%n", method, forget, o.seconds(), dir.resolve("model.safetensors"));
        return 0;
    }

    /** Checks the method's inputs, claims {@code dir} and runs the method into it. */
    private Outcome runMethod(Path dir) throws IOException {
        Outcome o;
        switch (method) {
            case "retrain" -> {
                SongUnetConfig arch = retrainArchitecture(teacherSpec);
                if (forget < 0 || forget >= arch.labelDim()) throw new dev.sfd.SfdException("the network has no label " + forget + " (label_dim " + arch.labelDim() + ")");
                TeacherConfig rc = retrainConfig(quick, steps, batch, lr, seed, checkpointEvery != null ? checkpointEvery : 100); // checks the options
                Dataset train = Suite.fmnist(FashionMnist.Split.TRAIN, data);
                Output.claim(dir, resume, overwrite, "baseline " + method, "forget " + forget, seed != null ? seed : 0, java.util.Map.of("quick", quick));
                o = retrain(arch, rc, train, forget, dir, resume, until < 0 ? rc.iterations() : until);
            }
            case "esd" -> {
                EdmPrecond teacher = Suite.teacher(teacherSpec);
                Baselines.requireForgetLabel(teacher, forget, "the teacher");
                EsdErasure.Settings s = esdSettings();
                Output.claim(dir, resume, overwrite, "baseline " + method, "forget " + forget, seed != null ? seed : 0, java.util.Map.of("quick", quick));
                o = esd(teacher, forget, s, dir);
            }
            case "dimum" -> {
                EdmPrecond teacher = Suite.teacher(teacherSpec);
                Baselines.requireForgetLabel(teacher, forget, "the teacher");
                Dimum.Settings s = dimumSettings();
                Dataset train = dataFree ? null : Suite.fmnist(FashionMnist.Split.TRAIN, data);
                Output.claim(dir, resume, overwrite, "baseline " + method, "forget " + forget, seed != null ? seed : 0,
                        java.util.Map.of("quick", quick, "data_free", dataFree));
                o = dimum(teacher, forget, override != null ? override : (forget + 1) % teacher.labelDim(), train, s, dir, resume);
            }
            default -> {
                EdmPrecond teacher = Suite.teacher(teacherSpec);
                Baselines.requireForgetLabel(teacher, forget, "the teacher");
                SalUn.Settings s = salunSettings();
                Dataset train = Suite.fmnist(FashionMnist.Split.TRAIN, data);
                Output.claim(dir, resume, overwrite, "baseline " + method, "forget " + forget, seed != null ? seed : 0, java.util.Map.of("quick", quick));
                o = salun(teacher, forget, train, s, dir);
            }
        }
        return o;
    }

    /** OUT/report.json (with the judged figures under --eval) and OUT/samples.png. */
    private void writeReport(Outcome o, Path dir) throws IOException {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("method", method);
        report.put("budget", quick ? "quick" : "full");
        report.put("forget", forget);
        report.put("data_needed", o.dataNeeded());
        report.put("seconds", o.seconds());
        report.put("settings", o.settings());
        report.put("sampling", "diffusion model: Heun 18 steps = " + Sampler.heun(18).nfe() + " network calls per image");
        Suite.Model m = new Suite.Model(o.model(), null);
        if (gridPerClass > 0) {
            SampleCommand.grid(dir.resolve("samples.png"), Suite.gridSamples(m, gridPerClass, 18, 4242), gridPerClass, o.model().labelDim(),
                    method + " (forgot class " + forget + "), Heun 18 steps");
        }
        if (eval) {
            Evaluator ev = new Evaluator(Suite.classifier(classifier), Suite.fmnist(FashionMnist.Split.TEST, data));
            int ov = override != null ? override : (forget + 1) % o.model().labelDim();
            report.put("eval", Suite.judge(m, forget, ov, ev, quick ? 16 : 200, quick ? 6 : 100, 18, 9_000, 1).figures().toJson());
        }
        Json.write(dir.resolve("report.json"), report);
    }

    /**
     * Writes step,loss lines to OUT/loss.csv and forwards them to the progress bar. With {@code append} (a resumed
     * run) earlier lines are kept; lines are flushed at every checkpoint, so a killed run keeps its log up to its last checkpoint (a resumed run may
     * repeat a few steps past it: resume is bit-identical, so the repeated lines hold the same values).
     */
    static final class LossLog implements TrainingListener, AutoCloseable {
        private final java.io.Writer w;
        private final TrainingListener next;

        LossLog(Path csv, TrainingListener next) throws IOException { this(csv, next, false); }

        LossLog(Path csv, TrainingListener next, boolean append) throws IOException {
            boolean keep = append && Files.isRegularFile(csv) && Files.size(csv) > 0;
            this.w = keep ? Files.newBufferedWriter(csv, java.nio.file.StandardOpenOption.APPEND) : Files.newBufferedWriter(csv);
            this.next = next;
            if (!keep) w.write("step,loss\n");
        }

        @Override
        public void onStep(long step, long total, Map<String, Double> f) {
            next.onStep(step, total, f);
            try {
                w.write(step + "," + f.get("loss") + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void onCheckpoint(long step, Path file) {
            try {
                w.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            next.onCheckpoint(step, file);
        }

        @Override
        public void close() throws IOException { w.close(); }
    }
}
