package dev.sfd.bench.cli;

import dev.sfd.SfdException;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.eval.Figures;
import dev.sfd.io.ImageGrid;
import dev.sfd.io.Json;
import dev.sfd.io.RunCache;
import dev.sfd.models.Classifier;
import dev.sfd.models.Evaluator;
import dev.sfd.models.attack.RelearnAttack;
import dev.sfd.models.attack.TargetedRelearning;
import dev.sfd.models.baselines.Baselines;
import dev.sfd.models.baselines.Dimum;
import dev.sfd.models.baselines.EsdErasure;
import dev.sfd.models.baselines.SalUn;
import dev.sfd.models.data.Dataset;
import dev.sfd.models.data.FashionMnist;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.ForgetRun;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The paper-style comparison: teacher, retrain, ESD-style, SalUn-style, SFD, relearning-robust SFD and DiMUM (with real
 * override images and data-free) for one forget/override pair, with the same judge, metrics, relearning attack and
 * targeted-relearning test. Every run, evaluation and attack is cached under the cache folder, keyed by method,
 * classes, teacher weights and settings, so a second call only re-renders (see docs/evaluation.md).
 */
@Command(name = "table", mixinStandardHelpOptions = true,
        description = "Run (or reuse cached runs of) teacher, retrain, ESD-style, SalUn-style, SFD, robust SFD, DiMUM and data-free DiMUM for one "
                + "forget/override pair and write OUT/table.md, OUT/table.json, OUT/table.png (one sample grid per method) and OUT/attack.png "
                + "(relearning curves of every row, Heun and one-step). Every row is also attacked with N real images of the forgotten class "
                + "(--targeted-images) and the table reports the steps until its forgotten-class rate reaches 0.5. "
                + "--quick uses small budgets (about half an hour on 2 busy cores) and labels every output QUICK.")
final class TableCommand implements Callable<Integer> {
    static final List<String> METHODS = List.of("teacher", "retrain", "esd", "salun", "sfd", "sfd-robust", "dimum", "dimum-data-free");

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--teacher", defaultValue = "teacher", description = "'teacher' (shipped) or a SongUNet file") String teacherSpec;
    @Option(names = "--classifier", defaultValue = "classifier", description = "'classifier' (shipped) or a file") String classifierSpec;
    @Option(names = "--forget", defaultValue = "0", description = "class to forget (default ${DEFAULT-VALUE})") int forget;
    @Option(names = "--override", defaultValue = "1", description = "class its label is redirected to (default ${DEFAULT-VALUE})") int override;
    @Option(names = "--quick", description = "small budgets; all outputs say QUICK") boolean quick;
    @Option(names = "--out", description = "default runs/table (runs/table-quick with --quick)") Path out;
    @Option(names = "--cache", description = "cache of runs (default OUT/cache)") Path cache;
    @Option(names = "--methods", defaultValue = "teacher,retrain,esd,salun,sfd,sfd-robust,dimum,dimum-data-free", split = ",",
            description = "subset of ${DEFAULT-VALUE}") List<String> methods;
    @Option(names = "--retrain-model", description = "use this retrained SongUNet (e.g. from 'sfd baseline retrain') instead of training one; "
            + "on the shipped teacher the table uses the shipped retrain of the forgotten class when this build has one") Path retrainModel;
    @Option(names = "--sfd-generator", description = "use this SFD one-step generator (e.g. from 'sfd demo --no-robust') instead of running SFD") Path sfdGenerator;
    @Option(names = "--sfd-robust-generator", description = "use this robust SFD one-step generator (e.g. runs/demo/generator.safetensors) "
            + "instead of running the robust recipe") Path sfdRobustGenerator;
    @Option(names = "--data", description = "Fashion-MNIST directory") Path data;
    @Option(names = "--retrain-steps", description = "retrain from scratch with this many steps instead of the shipped retrain (default 20000; quick 60)") Integer retrainSteps;
    @Option(names = "--retrain-batch", description = "retrain batch (default 64; quick 16)") Integer retrainBatch;
    @Option(names = "--esd-steps", description = "ESD-style fine-tuning steps (default 400; quick 40)") Integer esdSteps;
    @Option(names = "--esd-batch", description = "ESD-style batch (default 8; quick 6)") Integer esdBatch;
    @Option(names = "--salun-steps", description = "SalUn-style fine-tuning steps (default 500; quick 30)") Integer salunSteps;
    @Option(names = "--salun-batch", description = "SalUn-style forget and retain images per step (default 16; quick 8)") Integer salunBatch;
    @Option(names = "--sfd-iterations", description = "SFD stage-2 iterations (default: the recipe's, SfdRecipe.twoStage)") Long sfdIterations;
    @Option(names = "--sfd-batch", description = "SFD remain and forget images per iteration (default: the recipe's; quick 4)") Integer sfdBatch;
    @Option(names = "--robust-iterations", description = "robust SFD iterations (recipe: SfdRecipe.ROBUST_ITERATIONS)") Long robustIterations;
    @Option(names = "--robust-batch", description = "robust SFD remain and forget images per iteration (default: the recipe's; quick 4)") Integer robustBatch;
    @Option(names = "--dimum-steps", description = "DiMUM steps, both variants (library default 500; quick 30)") Integer dimumSteps;
    @Option(names = "--dimum-batch", description = "DiMUM memorised + retain images per step (default 16; quick 8)") Integer dimumBatch;
    @Option(names = "--dimum-memorised", description = "DiMUM memorised override images (default 64; quick 16)") Integer dimumMemorised;
    @Option(names = "--attack-steps", description = "relearning attack: fine-tuning steps (default 500; quick 20)") Integer attackSteps;
    @Option(names = "--attack-every", description = "relearning attack: evaluate every N steps (default 50; quick 10)") Integer attackEvery;
    @Option(names = "--attack-batch", description = "relearning attack: images per step (default 16; quick 8)") Integer attackBatch;
    @Option(names = "--attack-samples", description = "relearning attack: forgotten-label samples per evaluation (default 100; quick 16)") Integer attackSamples;
    @Option(names = "--no-attack", description = "skip the relearning attack") boolean noAttack;
    @Option(names = "--targeted-images", split = ",", paramLabel = "N", description = "targeted relearning: one attack per count with the first N real "
            + "images of the forgotten class (default 10,100)") List<Integer> targetedImages;
    @Option(names = "--targeted-steps", description = "targeted relearning step budget (default 1000, evaluated at 0, 10, 20, 50, 100, 200, 500, 1000; "
            + "quick 10)") Integer targetedSteps;
    @Option(names = "--targeted-batch", description = "targeted relearning batch (default 16; quick 8)") Integer targetedBatch;
    @Option(names = "--targeted-samples", description = "forgotten-label samples per targeted evaluation (default 100; quick 16)") Integer targetedSamples;
    @Option(names = "--no-targeted", description = "skip the targeted relearning test") boolean noTargeted;
    @Option(names = "--eval-forget", description = "forgotten-label samples for UA (default 200; quick 16)") Integer evalForget;
    @Option(names = "--eval-per-class", description = "samples per remaining class (default 100; quick 6)") Integer evalPerClass;
    @Option(names = "--heun-steps", description = "Heun steps for diffusion models (default 18; quick 8)") Integer heunSteps;

    /** One row of the table. */
    record Row(String method, String dataNeeded, Figures figures, double seconds, String timeNote,
               List<RelearnAttack.Point> attack, List<TargetedRelearning.Outcome> targeted, BufferedImage grid, Map<String, Object> settings) {}

    /** Evaluation budgets shared by every row; {@code targeted} is null with --no-targeted. */
    record Budgets(int heun, int perForget, int perClass, RelearnAttack.Settings attack, TargetedRelearning.Settings targeted) {}

    @Override
    public Integer call() throws IOException {
        for (String m : methods) {
            if (!METHODS.contains(m)) throw new SfdException("unknown method '" + m + "' in --methods (known: " + String.join(", ", METHODS) + ")");
        }
        Budgets budgets = budgets(); // bad budgets (e.g. --targeted-images 0) fail before anything is loaded or written
        if (sfdRobustGenerator != null && !Files.isRegularFile(sfdRobustGenerator)) throw new SfdException("--sfd-robust-generator " + sfdRobustGenerator + " does not exist");
        EdmPrecond teacher = Suite.teacher(teacherSpec);
        Classifier judge = Suite.classifier(classifierSpec);
        Baselines.requireForgetLabel(teacher, forget, "the teacher");
        ForgetPlan plan = ForgetPlan.classes().forget(forget).overrideWith(override);
        ForgetRun.requireForgettable(teacher, plan);
        Dataset test = Suite.fmnist(FashionMnist.Split.TEST, data);
        Path dir = out != null ? out : Path.of(quick ? "runs/table-quick" : "runs/table");
        Path cacheDir = cache != null ? cache : dir.resolve("cache");
        Output.claim(dir, true, false, "table", plan.toString(), 0, java.util.Map.of("quick", quick, "methods", methods)); // resumable: the cache continues
        Output.requireWritable(cacheDir);
        if (retrainModel != null && !Files.isRegularFile(retrainModel)) throw new SfdException("--retrain-model " + retrainModel + " does not exist");
        if (sfdGenerator != null && !Files.isRegularFile(sfdGenerator)) throw new SfdException("--sfd-generator " + sfdGenerator + " does not exist");

        Evaluator ev = new Evaluator(judge, test);
        Dataset[] train = new Dataset[1];
        TableRows.Context ctx = new TableRows.Context(teacher, teacherSpec, RunCache.weightsHash(teacher), forget, override, quick, new RunCache(cacheDir), test,
                () -> train[0] != null ? train[0] : (train[0] = Suite.fmnist(FashionMnist.Split.TRAIN, data)));
        long t0 = System.nanoTime();
        List<Row> rows = new ArrayList<>();
        for (TableRows.Row row : rows()) {
            if (!methods.contains(row.method())) continue;
            System.err.println("table: " + row.method() + " ...");
            TableRows.Made made = row.make(ctx);
            Evaluated e = evaluate(made, row.method(), ev, budgets);
            List<RelearnAttack.Point> curve = noAttack ? null : attack(made, row.method(), test, judge, budgets);
            List<TargetedRelearning.Outcome> targeted = budgets.targeted() == null ? null : targeted(made, row.method(), ctx.train(), judge, budgets);
            rows.add(new Row(row.method(), made.dataNeeded(), e.figures(), made.seconds(), made.timeNote(), curve, targeted, e.grid(), made.settings()));
        }
        write(dir, rows, quick ? "QUICK" : "full", budgets, (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    /** The table's rows in order, configured from the options. */
    List<TableRows.Row> rows() {
        EsdErasure.Settings ed = quick ? EsdErasure.Settings.quick() : EsdErasure.Settings.defaults();
        EsdErasure.Settings es = new EsdErasure.Settings(esdSteps != null ? esdSteps : ed.steps(), esdBatch != null ? esdBatch : ed.batch(), ed.lr(), ed.eta(),
                ed.sampleSteps(), ed.sampleGuidance(), ed.seed());
        SalUn.Settings sd = quick ? SalUn.Settings.quick() : SalUn.Settings.defaults();
        int b = salunBatch != null ? salunBatch : sd.batchForget();
        SalUn.Settings ss = new SalUn.Settings(salunSteps != null ? salunSteps : sd.steps(), b, b, sd.lr(), sd.retainWeight(), sd.maskFraction(),
                sd.maskMode(), sd.maskBatches(), salunBatch != null ? salunBatch : sd.maskBatch(), sd.gradClip(), sd.randomPseudoLabel(), sd.seed());
        boolean shippedRetrain = retrainModel == null && retrainSteps == null && retrainBatch == null;
        Dimum.Settings dd = quick ? Dimum.Settings.quick() : Dimum.Settings.defaults();
        Dimum.Settings ds = new Dimum.Settings(dimumSteps != null ? dimumSteps : dd.steps(), dimumBatch != null ? dimumBatch : dd.batchForget(),
                dimumBatch != null ? dimumBatch : dd.batchRemain(), dd.lr(), dd.retainWeight(), dimumMemorised != null ? dimumMemorised : dd.memorised(),
                heunSteps != null ? heunSteps : dd.heunSteps(), dd.retainPerClass(), dd.checkpointEvery(), dd.seed());
        return List.of(new TableRows.TeacherRow(),
                new TableRows.RetrainRow(retrainModel, shippedRetrain, BaselineCommand.retrainConfig(quick, retrainSteps, retrainBatch, null, null, 200)),
                new TableRows.EsdRow(es), new TableRows.SalUnRow(ss), new TableRows.SfdRow(sfdGenerator, sfdIterations, sfdBatch),
                new TableRows.SfdRow(sfdRobustGenerator, robustIterations, robustBatch, true),
                new TableRows.DimumRow(ds, false), new TableRows.DimumRow(ds, true));
    }

    private Budgets budgets() {
        int heun = heunSteps != null ? heunSteps : quick ? 8 : 18;
        RelearnAttack.Settings ad = quick ? RelearnAttack.Settings.quick() : RelearnAttack.Settings.defaults();
        RelearnAttack.Settings as = new RelearnAttack.Settings(attackSteps != null ? attackSteps : ad.steps(),
                attackEvery != null ? attackEvery : ad.every(), attackBatch != null ? attackBatch : ad.batch(), ad.lr(),
                attackSamples != null ? attackSamples : ad.evalSamples(), heun, ad.seed());
        TargetedRelearning.Settings ts = null;
        if (!noTargeted) {
            TargetedRelearning.Settings td = quick ? TargetedRelearning.Settings.quick() : TargetedRelearning.Settings.defaults();
            ts = td.withImages(targetedImages != null ? targetedImages : td.images()).withSteps(targetedSteps != null ? targetedSteps : td.steps())
                    .withEvaluation(targetedBatch != null ? targetedBatch : td.batch(), targetedSamples != null ? targetedSamples : td.evalSamples(), heun);
        }
        return new Budgets(heun, evalForget != null ? evalForget : quick ? 16 : 200, evalPerClass != null ? evalPerClass : quick ? 6 : 100, as, ts);
    }

    private static String title(String method, Suite.Model m, int heun) { return method + (m.isGenerator() ? " (one-step)" : " (Heun " + heun + ")"); }

    /** Key of the evaluation settings: the evaluation and attack files of a row folder carry it. */
    private String evalKey(Budgets b) throws IOException {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("forget", forget);
        k.put("override", override);
        k.put("per_forget", b.perForget());
        k.put("per_class", b.perClass());
        k.put("heun", b.heun());
        k.put("classifier", RunCache.sha(Files.exists(Path.of(classifierSpec)) ? Files.readAllBytes(Path.of(classifierSpec)) : classifierSpec.getBytes(StandardCharsets.UTF_8)));
        return k.toString();
    }

    /** A row's figures and its sample grid. */
    record Evaluated(Figures figures, BufferedImage grid) {}

    /** The row's figures and grid, cached in its folder per evaluation settings. */
    private Evaluated evaluate(TableRows.Made made, String method, Evaluator ev, Budgets b) throws IOException {
        String ek = RunCache.sha(evalKey(b).getBytes(StandardCharsets.UTF_8));
        Path evalJson = made.folder().resolve("eval-" + ek + ".json"), gridPng = made.folder().resolve("grid-" + ek + ".png");
        Files.createDirectories(made.folder());
        if (Files.isRegularFile(evalJson) && Files.isRegularFile(gridPng)) {
            return new Evaluated(Figures.fromJson(Json.readMap(evalJson), evalJson.toString()), javax.imageio.ImageIO.read(gridPng.toFile()));
        }
        // finished Heun batches are kept until the evaluation is written: an interrupted table continues it
        Path chunks = made.folder().resolve("samples-" + ek);
        Suite.Judged j = Suite.judge(made.model(), forget, override, ev, b.perForget(), b.perClass(), b.heun(), 9_000, 6, chunks);
        BufferedImage grid = Suite.gridImage(j.grid(), j.gridPerClass(), made.model().network().labelDim(), title(method, made.model(), b.heun()));
        Json.write(evalJson, j.figures().toJson());
        ImageGrid.writePng(grid, gridPng);
        Output.deleteTree(chunks);
        return new Evaluated(j.figures(), grid);
    }

    /** The relearning attack's curve, cached (and checkpointed while it runs) in the row's folder. */
    private List<RelearnAttack.Point> attack(TableRows.Made made, String method, Dataset test, Classifier judge, Budgets b) throws IOException {
        RelearnAttack.Settings as = b.attack();
        String ak = RunCache.sha((as.toMap().toString() + evalKey(b)).getBytes(StandardCharsets.UTF_8));
        Path attackJson = made.folder().resolve("attack-" + ak + ".json");
        if (Files.isRegularFile(attackJson)) return Suite.curveFromJson(Json.readMap(attackJson).get("curve"));
        RelearnAttack attack = new RelearnAttack(made.model().network(), made.model().sigmaInit(), test.withoutClasses(forget), forget, judge, as);
        Path attackCkpt = made.folder().resolve("attack-" + ak + ".checkpoint.safetensors");
        RelearnAttack.Result r;
        try (Progress p = new Progress("relearn " + method, as.steps(), 0, "loss", "forgotten_rate")) {
            r = attack.run(p, attackCkpt);
        }
        Json.write(attackJson, Map.of("settings", as.toMap(), "aux", "Fashion-MNIST test without class " + forget, "curve", Suite.curveJson(r.curve())));
        Files.deleteIfExists(attackCkpt);
        return r.curve();
    }

    /** The targeted relearning outcomes (one per image count), each cached (and checkpointed while it runs) in the row's folder. */
    private List<TargetedRelearning.Outcome> targeted(TableRows.Made made, String method, java.util.function.Supplier<Dataset> train, Classifier judge, Budgets b)
            throws IOException {
        TargetedRelearning.Settings ts = b.targeted();
        List<TargetedRelearning.Outcome> out = new ArrayList<>();
        for (int n : ts.images()) {
            String key = RunCache.sha((ts.toMap().toString() + " images=" + n + evalKey(b)).getBytes(StandardCharsets.UTF_8));
            Path json = made.folder().resolve("targeted-" + n + "-" + key + ".json");
            boolean generator = made.model().isGenerator();
            if (Files.isRegularFile(json)) {
                out.add(targetedFromJson(Json.readMap(json), n, ts, generator));
                continue;
            }
            Path ckpt = made.folder().resolve("targeted-" + n + "-" + key + ".checkpoint.safetensors");
            TargetedRelearning.Outcome o;
            try (Progress p = new Progress("targeted relearning " + method + ", " + n + " images", ts.steps(), 0, "loss", "forgotten_rate")) {
                o = TargetedRelearning.run(made.model().network(), made.model().sigmaInit(), train.get(), forget, judge, n, ts, p, ckpt);
            }
            Json.write(json, targetedJson(o));
            Files.deleteIfExists(ckpt);
            out.add(o);
        }
        return out;
    }

    static Map<String, Object> targetedJson(TargetedRelearning.Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("images", o.images());
        m.put("rate", o.rate());
        m.put("budget_steps", o.budget());
        m.put("steps_to_rate", o.heun().isPresent() ? o.heun().getAsLong() : null);
        if (o.generator()) m.put("steps_to_rate_one_step", o.oneStep().isPresent() ? o.oneStep().getAsLong() : null);
        m.put("label", o.label());
        m.put("seconds", o.seconds());
        m.put("curve", Suite.curveJson(o.curve()));
        return m;
    }

    static TargetedRelearning.Outcome targetedFromJson(Map<String, Object> m, int n, TargetedRelearning.Settings ts, boolean generator) {
        List<RelearnAttack.Point> curve = Suite.curveFromJson(m.get("curve"));
        RelearnAttack.Result r = new RelearnAttack.Result(curve, null, Json.toDouble(m.get("seconds")));
        return TargetedRelearning.Outcome.of(n, ts, generator, r);
    }

    private void write(Path dir, List<Row> rows, String mode, Budgets budgets, double seconds) throws IOException {
        int heun = budgets.heun(), perForget = budgets.perForget(), perClass = budgets.perClass();
        RelearnAttack.Settings as = budgets.attack();
        TargetedRelearning.Settings ts = budgets.targeted();
        String pair = forget + " (" + name(forget) + ") -> " + override + " (" + name(override) + ")";
        StringBuilder md = new StringBuilder();
        md.append("# Unlearning comparison").append(quick ? " — QUICK MODE (small budgets, NOT paper-style numbers)" : "").append("\n\n");
        md.append("Forget ").append(pair).append("; teacher `").append(teacherSpec).append("`, judge `").append(classifierSpec).append("`.\n");
        md.append("UA = share of forgotten-label samples NOT classified as the forgotten class (").append(perForget).append(" samples); remaining accuracy and ")
                .append("FD (mean per-class Frechet distance of classifier features vs. Fashion-MNIST test images; not Inception FID) on ")
                .append(perClass).append(" samples per remaining class. Diffusion models: Heun ").append(heun).append(" steps.\n");
        if (!noAttack) {
            md.append("Attack: ").append(as.steps()).append(" steps of EDM fine-tuning (batch ").append(as.batch()).append(", lr ").append(as.lr())
                    .append(") on Fashion-MNIST test without the forgotten class; rate = share of ").append(as.evalSamples())
                    .append(" forgotten-label samples classified as the forgotten class, before -> after.\n");
        }
        if (ts != null) {
            md.append("Targeted relearning: fine-tuning (batch ").append(ts.batch()).append(", lr ").append(ts.lr()).append(") on the first N real training images ")
                    .append("of the forgotten class under its label; steps until the forgotten-class rate (").append(ts.evalSamples())
                    .append(" samples) reaches ").append(ts.rate()).append(", evaluated at steps 0, ")
                    .append(java.util.Arrays.toString(ts.evaluationSteps()).replaceAll("[\\[\\]]", "")).append("; >").append(ts.steps())
                    .append(" = not reached within the budget.\n");
        }
        StringBuilder head = new StringBuilder("| method | data needed | UA | remaining-class acc. | FD (remaining) | network calls / image | unlearning wall time | forgotten-class rate after attack |");
        StringBuilder rule = new StringBuilder("|---|---|---|---|---|---|---|---|");
        if (ts != null) {
            for (int n : ts.images()) {
                head.append(" steps to ").append(ts.rate()).append(", ").append(n).append(" images |");
                rule.append("---|");
            }
        }
        md.append("\n").append(head).append("\n").append(rule).append("\n");
        List<Map<String, Object>> json = new ArrayList<>();
        List<BufferedImage> grids = new ArrayList<>();
        Map<String, List<RelearnAttack.Point>> curves = new LinkedHashMap<>();
        for (Row r : rows) {
            Figures f = r.figures();
            Object calls = f.sampling() != null ? f.sampling().networkCalls() : null;
            String attack = "-";
            if (r.attack() != null) {
                RelearnAttack.Point a = r.attack().get(0), b = r.attack().get(r.attack().size() - 1);
                attack = String.format("%.2f -> %.2f", a.forgottenRate(), b.forgottenRate());
                if (!Double.isNaN(b.forgottenRateOneStep())) attack += String.format(" (Heun); one-step %.2f -> %.2f", a.forgottenRateOneStep(), b.forgottenRateOneStep());
                curves.put(r.method(), r.attack());
            }
            String time = Double.isNaN(r.seconds()) ? r.timeNote() : String.format(r.seconds() < 10 ? "%.1f s%s" : "%.0f s%s", r.seconds(), r.timeNote().isEmpty() ? "" : " (" + r.timeNote() + ")");
            md.append(String.format("| %s | %s | %.3f | %.3f | %.2f | %s | %s | %s |", r.method(), r.dataNeeded(), f.ua(),
                    f.remainAccuracy(), f.fdRemain(), calls, time, attack));
            if (ts != null) {
                for (int k = 0; k < ts.images().size(); k++) md.append(" ").append(r.targeted() != null ? r.targeted().get(k).label() : "-").append(" |");
            }
            md.append("\n");
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("method", r.method());
            j.put("data_needed", r.dataNeeded());
            j.put("ua", f.ua());
            j.put("as_override", f.overrideShare());
            j.put("remain_accuracy", f.remainAccuracy());
            j.put("fd_remain", f.fdRemain());
            j.put("network_calls_per_image", calls);
            j.put("sampler", f.sampling() != null ? f.sampling().sampler() : null);
            j.put("unlearning_seconds", Double.isNaN(r.seconds()) ? null : r.seconds());
            j.put("time_note", r.timeNote());
            if (r.attack() != null) {
                j.put("forgotten_rate_before_attack", r.attack().get(0).forgottenRate());
                j.put("forgotten_rate_after_attack", r.attack().get(r.attack().size() - 1).forgottenRate());
                j.put("attack_curve", Suite.curveJson(r.attack()));
            }
            if (r.targeted() != null) {
                List<Map<String, Object>> tj = new ArrayList<>();
                for (TargetedRelearning.Outcome o : r.targeted()) tj.add(targetedJson(o));
                j.put("targeted_relearning", tj);
            }
            j.put("settings", r.settings());
            j.put("eval", f.toJson());
            json.add(j);
            grids.add(r.grid());
        }
        md.append("\n").append("Sample grids: `table.png`; relearning curves: `attack.png`. Command: `./sfd ").append(command())
                .append("`. Total time ").append(Math.round(seconds)).append(" s (cached runs are reused; their own times are in the table).\n");
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("mode", mode);
        if (quick) top.put("warning", "QUICK MODE: small budgets; numbers are a smoke test, not the paper-style comparison");
        top.put("forget", forget);
        top.put("override", override);
        top.put("teacher", teacherSpec);
        top.put("classifier", classifierSpec);
        top.put("heun_steps", heun);
        top.put("forget_samples", perForget);
        top.put("remain_samples_per_class", perClass);
        top.put("attack", noAttack ? null : as.toMap());
        top.put("targeted_relearning", ts == null ? null : ts.toMap());
        top.put("seconds", seconds);
        top.put("command", "./sfd " + command());
        top.put("rows", json);
        dev.sfd.io.AtomicFiles.writeString(dir.resolve("table.md"), md.toString());
        Json.write(dir.resolve("table.json"), top);
        Suite.sideBySide(dir.resolve("table.png"), grids, (quick ? "QUICK MODE (small budgets) - " : "") + "forget " + pair + ": one grid per method, rows = classes");
        if (!curves.isEmpty()) {
            Suite.attackChart(dir.resolve("attack.png"), (quick ? "QUICK: " : "") + "relearning attack, forgotten class " + forget
                    + " (solid: Heun; dashed: one-step)", curves);
        }
        System.out.print(md);
        System.out.println("table: " + dir.resolve("table.md"));
    }

    /** The command line that made this table. */
    private String command() {
        List<String> args = spec != null && spec.commandLine().getParseResult() != null ? spec.commandLine().getParseResult().originalArgs() : List.of();
        if (!args.isEmpty() && args.get(0).equals("table")) return String.join(" ", args);
        return "table" + (args.isEmpty() ? "" : " " + String.join(" ", args));
    }

    private static String name(int c) { return c < FashionMnist.CLASS_NAMES.size() ? FashionMnist.CLASS_NAMES.get(c) : Integer.toString(c); }
}
