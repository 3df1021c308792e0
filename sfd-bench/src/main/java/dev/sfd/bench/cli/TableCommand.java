package dev.sfd.bench.cli;

import dev.sfd.SfdException;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.io.ImageGrid;
import dev.sfd.io.Json;
import dev.sfd.models.Classifier;
import dev.sfd.models.Evaluator;
import dev.sfd.models.Models;
import dev.sfd.models.attack.RelearnAttack;
import dev.sfd.models.baselines.Baselines;
import dev.sfd.models.baselines.EsdErasure;
import dev.sfd.models.baselines.SalUn;
import dev.sfd.models.data.Dataset;
import dev.sfd.models.data.FashionMnist;
import dev.sfd.models.train.TeacherConfig;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.OneStepGenerator;
import dev.sfd.unlearn.SfdConfig;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The paper-style comparison: teacher, retrain, ESD-style, SalUn-style and SFD for one forget/override pair, with the
 * same judge, metrics and relearning attack. Every run is cached under the cache folder, keyed by method, classes,
 * teacher weights and settings, so a second call only re-renders (see docs/evaluation.md).
 */
@Command(name = "table", mixinStandardHelpOptions = true,
        description = "Run (or reuse cached runs of) teacher, retrain, ESD-style, SalUn-style and SFD for one forget/override pair and "
                + "write OUT/table.md, OUT/table.json, OUT/table.png (one sample grid per method) and OUT/attack.png (relearning curves). "
                + "--quick uses small budgets (about 15-20 minutes on 2 cores) and labels every output QUICK.")
final class TableCommand implements Callable<Integer> {
    static final List<String> METHODS = List.of("teacher", "retrain", "esd", "salun", "sfd");
    static final String STAGE2_ONLY = "stage 2 only (from the shipped stage 1, a one-off plain distillation of the teacher)";

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--teacher", defaultValue = "teacher", description = "'teacher' (shipped) or a SongUNet file") String teacherSpec;
    @Option(names = "--classifier", defaultValue = "classifier", description = "'classifier' (shipped) or a file") String classifierSpec;
    @Option(names = "--forget", defaultValue = "0") int forget;
    @Option(names = "--override", defaultValue = "1") int override;
    @Option(names = "--quick", description = "small budgets; all outputs say QUICK") boolean quick;
    @Option(names = "--out", description = "default runs/table (runs/table-quick with --quick)") Path out;
    @Option(names = "--cache", description = "cache of runs (default OUT/cache)") Path cache;
    @Option(names = "--methods", defaultValue = "teacher,retrain,esd,salun,sfd", split = ",", description = "subset of ${DEFAULT-VALUE}") List<String> methods;
    @Option(names = "--retrain-model", description = "use this retrained SongUNet (e.g. from 'sfd baseline retrain') instead of training one; "
            + "on the shipped teacher the table uses the shipped retrain of the forgotten class when this build has one") Path retrainModel;
    @Option(names = "--sfd-generator", description = "use this SFD one-step generator (e.g. runs/demo/generator.safetensors) instead of running SFD") Path sfdGenerator;
    @Option(names = "--data", description = "Fashion-MNIST directory") Path data;
    @Option(names = "--retrain-steps") Integer retrainSteps;
    @Option(names = "--retrain-batch") Integer retrainBatch;
    @Option(names = "--esd-steps") Integer esdSteps;
    @Option(names = "--esd-batch") Integer esdBatch;
    @Option(names = "--salun-steps") Integer salunSteps;
    @Option(names = "--salun-batch") Integer salunBatch;
    @Option(names = "--sfd-iterations") Long sfdIterations;
    @Option(names = "--sfd-batch") Integer sfdBatch;
    @Option(names = "--attack-steps") Integer attackSteps;
    @Option(names = "--attack-every") Integer attackEvery;
    @Option(names = "--attack-batch") Integer attackBatch;
    @Option(names = "--attack-samples") Integer attackSamples;
    @Option(names = "--no-attack", description = "skip the relearning attack") boolean noAttack;
    @Option(names = "--eval-forget", description = "forgotten-label samples for UA (default 200; quick 16)") Integer evalForget;
    @Option(names = "--eval-per-class", description = "samples per remaining class (default 100; quick 6)") Integer evalPerClass;
    @Option(names = "--heun-steps", description = "Heun steps for diffusion models (default 18; quick 8)") Integer heunSteps;

    /** One row of the table. */
    record Row(String method, String dataNeeded, Map<String, Object> figures, double seconds, String timeNote,
               List<RelearnAttack.Point> attack, BufferedImage grid, Map<String, Object> settings) {}

    @Override
    public Integer call() throws IOException {
        for (String m : methods) {
            if (!METHODS.contains(m)) throw new SfdException("unknown method '" + m + "' in --methods (known: " + String.join(", ", METHODS) + ")");
        }
        EdmPrecond teacher = Suite.teacher(teacherSpec);
        Classifier judge = Suite.classifier(classifierSpec);
        ForgetPlan plan = ForgetPlan.classes().forget(forget).overrideWith(override);
        Baselines.requireForgetLabel(teacher, forget, "the teacher");
        ForgetRunner.requireClassIds(teacher, plan);
        Dataset test = Suite.fmnist(FashionMnist.Split.TEST, data);
        Path dir = out != null ? out : Path.of(quick ? "runs/table-quick" : "runs/table");
        Path cacheDir = cache != null ? cache : dir.resolve("cache");
        Output.requireWritable(dir);
        Output.requireWritable(cacheDir);
        if (retrainModel != null && !Files.isRegularFile(retrainModel)) throw new SfdException("--retrain-model " + retrainModel + " does not exist");
        if (sfdGenerator != null && !Files.isRegularFile(sfdGenerator)) throw new SfdException("--sfd-generator " + sfdGenerator + " does not exist");

        Evaluator ev = new Evaluator(judge, test);
        int heun = heunSteps != null ? heunSteps : quick ? 8 : 18;
        int perForget = evalForget != null ? evalForget : quick ? 16 : 200;
        int perClass = evalPerClass != null ? evalPerClass : quick ? 6 : 100;
        RelearnAttack.Settings ad = quick ? RelearnAttack.Settings.quick() : RelearnAttack.Settings.defaults();
        RelearnAttack.Settings attackSettings = new RelearnAttack.Settings(attackSteps != null ? attackSteps : ad.steps(),
                attackEvery != null ? attackEvery : ad.every(), attackBatch != null ? attackBatch : ad.batch(), ad.lr(),
                attackSamples != null ? attackSamples : ad.evalSamples(), heun, ad.seed());
        String teacherHash = weightsHash(teacher);
        String mode = quick ? "QUICK" : "full";
        long t0 = System.nanoTime();

        List<Row> rows = new ArrayList<>();
        Dataset train = null;
        for (String method : METHODS) {
            if (!methods.contains(method)) continue;
            System.err.println("table: " + method + " ...");
            Suite.Model model;
            double seconds = Double.NaN;
            String timeNote = "";
            String dataNeeded;
            Map<String, Object> settings = new LinkedHashMap<>();
            Path mdir;
            switch (method) {
                case "teacher" -> {
                    model = new Suite.Model(teacher, null);
                    dataNeeded = "full training set (the model being unlearned)";
                    timeNote = "-";
                    settings.put("teacher", teacherSpec);
                    mdir = cacheDir.resolve(key("teacher", teacherHash, settings));
                }
                case "retrain" -> {
                    dataNeeded = dev.sfd.models.baselines.Retrain.DATA_NEEDED;
                    if (retrainModel == null && retrainSteps == null && retrainBatch == null && "teacher".equals(teacherSpec)
                            && Models.shippedRetrain(forget)) {
                        // on the shipped teacher both modes use the shipped retrain (hours of training, same recipe; free here)
                        Models.Shipped r = Models.retrain(forget);
                        settings.put("given_model", "shipped " + Models.retrainName(forget));
                        mdir = cacheDir.resolve(key("retrain-shipped", weightsHash(r.network()), settings));
                        model = new Suite.Model(r.network(), null);
                        String hours = r.metadata().get("sfd.train_hours");
                        timeNote = "shipped retrain" + (hours != null ? ": " + hours + " h of training on 2 CPU cores" : "") + " (model card)";
                        if (hours != null) seconds = Double.parseDouble(hours) * 3600;
                    } else if (retrainModel != null) {
                        settings.put("given_model", retrainModel.toString());
                        mdir = cacheDir.resolve(key("retrain-given", sha(Files.readAllBytes(retrainModel)), settings));
                        model = new Suite.Model(Models.denoiser(retrainModel.toString()), null);
                        timeNote = "given model (time of its own run)";
                    } else {
                        TeacherConfig tc = BaselineCommand.retrainConfig(quick, retrainSteps, retrainBatch, null, null, 200);
                        settings.putAll(dev.sfd.models.baselines.Retrain.settings(tc, forget, test));
                        settings.put("data", "Fashion-MNIST train without class " + forget);
                        if (quick) settings.put("note", "QUICK: " + tc.iterations() + " steps from scratch, far from converged; pass --retrain-model for a real retrain");
                        mdir = cacheDir.resolve(key("retrain-f" + forget, teacherHash, settings));
                        Path file = mdir.resolve("model.safetensors");
                        if (Files.isRegularFile(file) && Files.isRegularFile(mdir.resolve("run.json"))) {
                            model = new Suite.Model(Models.denoiser(file.toString()), null);
                            seconds = Json.toDouble(Json.readMap(mdir.resolve("run.json")).get("seconds"));
                            timeNote = "cached";
                        } else {
                            if (train == null) train = Suite.fmnist(FashionMnist.Split.TRAIN, data);
                            BaselineCommand.Outcome o = BaselineCommand.retrain(Baselines.songUnetConfig(teacher), tc, train, forget, mdir, true);
                            BaselineCommand.save(o, file, "retrain", forget);
                            Json.write(mdir.resolve("run.json"), Map.of("seconds", o.seconds(), "settings", o.settings()));
                            model = new Suite.Model(o.model(), null);
                            seconds = o.seconds();
                        }
                    }
                }
                case "esd", "salun" -> {
                    boolean isEsd = method.equals("esd");
                    dataNeeded = isEsd ? EsdErasure.DATA_NEEDED : SalUn.DATA_NEEDED;
                    EsdErasure.Settings es = null;
                    SalUn.Settings ss = null;
                    if (isEsd) {
                        EsdErasure.Settings d = quick ? EsdErasure.Settings.quick() : EsdErasure.Settings.defaults();
                        es = new EsdErasure.Settings(esdSteps != null ? esdSteps : d.steps(), esdBatch != null ? esdBatch : d.batch(), d.lr(), d.eta(),
                                d.sampleSteps(), d.sampleGuidance(), d.seed());
                        settings.putAll(es.toMap());
                    } else {
                        SalUn.Settings d = quick ? SalUn.Settings.quick() : SalUn.Settings.defaults();
                        int b = salunBatch != null ? salunBatch : d.batchForget();
                        ss = new SalUn.Settings(salunSteps != null ? salunSteps : d.steps(), b, b, d.lr(), d.retainWeight(), d.maskFraction(),
                                d.maskMode(), d.maskBatches(), salunBatch != null ? salunBatch : d.maskBatch(), d.gradClip(), d.randomPseudoLabel(), d.seed());
                        settings.putAll(ss.toMap());
                    }
                    mdir = cacheDir.resolve(key(method + "-f" + forget, teacherHash, settings));
                    Path file = mdir.resolve("model.safetensors");
                    if (Files.isRegularFile(file) && Files.isRegularFile(mdir.resolve("run.json"))) {
                        model = new Suite.Model(Models.denoiser(file.toString()), null);
                        seconds = Json.toDouble(Json.readMap(mdir.resolve("run.json")).get("seconds"));
                        timeNote = "cached";
                    } else {
                        BaselineCommand.Outcome o;
                        if (isEsd) o = BaselineCommand.esd(teacher, forget, es, mdir);
                        else {
                            if (train == null) train = Suite.fmnist(FashionMnist.Split.TRAIN, data);
                            o = BaselineCommand.salun(teacher, forget, train, ss, mdir);
                        }
                        BaselineCommand.save(o, file, method, forget);
                        Json.write(mdir.resolve("run.json"), Map.of("seconds", o.seconds(), "settings", o.settings()));
                        settings = new LinkedHashMap<>(o.settings());
                        model = new Suite.Model(o.model(), null);
                        seconds = o.seconds();
                    }
                }
                default -> {
                    dataNeeded = "none (data-free)";
                    SfdConfig cfg = SfdConfig.defaults().iterations(150); // the demo's budget
                    if (quick) cfg = cfg.iterations(100).batch(4, 4).forgetWeight(1.0);
                    if (sfdIterations != null) cfg = cfg.iterations(sfdIterations);
                    if (sfdBatch != null) cfg = cfg.batch(sfdBatch, sfdBatch);
                    if (sfdGenerator != null) {
                        settings.put("given_generator", sfdGenerator.toString());
                        mdir = cacheDir.resolve(key("sfd-given", sha(Files.readAllBytes(sfdGenerator)), settings));
                        OneStepGenerator g = Models.generator(sfdGenerator);
                        model = new Suite.Model(g.network(), g.sigmaInit());
                        timeNote = "given generator (time of its own run)";
                    } else {
                        // the full table runs what ./sfd demo runs: stage 2 of SFD-Two-Stage from the shipped stage 1
                        // with the CLI's stage-2 recipe (the time column then excludes stage 1's distillation, stated
                        // in the time note); --quick and custom teachers run one stage from the teacher
                        SfdOptions demo = null;
                        if (!quick && "teacher".equals(teacherSpec) && Models.shippedStage1()) {
                            demo = picocli.CommandLine.populateCommand(new SfdOptions());
                            demo.fromStage1 = "shipped";
                            demo.evalEvery = 0;
                            if (sfdIterations != null) demo.iterations = sfdIterations;
                            if (sfdBatch != null) { demo.batchRemain = sfdBatch; demo.batchForget = sfdBatch; }
                            Models.Stage1 s1 = demo.loadStage1(teacher);
                            cfg = demo.stage2Config(s1.generator().sigmaInit());
                            settings.put("stage1", "shipped " + weightsHash(s1.generator().network()));
                        }
                        settings.putAll(cfg.toMap());
                        settings.put("plan", plan.toString());
                        mdir = cacheDir.resolve(key("sfd-" + forget + "to" + override, teacherHash, settings));
                        Path file = mdir.resolve("generator.safetensors");
                        if (Files.isRegularFile(file) && Files.isRegularFile(mdir.resolve("run.json"))) {
                            OneStepGenerator g = Models.generator(file);
                            model = new Suite.Model(g.network(), g.sigmaInit());
                            seconds = Json.toDouble(Json.readMap(mdir.resolve("run.json")).get("seconds"));
                            timeNote = demo != null ? STAGE2_ONLY + "; cached" : "cached";
                        } else {
                            Files.createDirectories(mdir);
                            long s0 = System.nanoTime();
                            OneStepGenerator g;
                            ForgetRunner runner;
                            if (demo != null) {
                                ForgetRunner[] last = new ForgetRunner[1];
                                g = demo.run(teacher, plan, ev, mdir, false, last);
                                runner = last[0];
                                timeNote = STAGE2_ONLY;
                            } else {
                                runner = new ForgetRunner(teacher, plan, cfg, ev, mdir, 0, 20);
                                g = runner.run(false);
                            }
                            seconds = (System.nanoTime() - s0) / 1e9;
                            g.save(file, Map.of("sfd.plan", plan.toString()));
                            runner.writeCurves(mdir.resolve("curves.png"));
                            Json.write(mdir.resolve("run.json"), Map.of("seconds", seconds, "settings", cfg.toMap()));
                            model = new Suite.Model(g.network(), g.sigmaInit());
                        }
                    }
                }
            }
            // evaluation (cached per evaluation settings)
            Map<String, Object> evalKey = new LinkedHashMap<>();
            evalKey.put("forget", forget);
            evalKey.put("override", override);
            evalKey.put("per_forget", perForget);
            evalKey.put("per_class", perClass);
            evalKey.put("heun", heun);
            evalKey.put("classifier", sha(Files.exists(Path.of(classifierSpec)) ? Files.readAllBytes(Path.of(classifierSpec)) : classifierSpec.getBytes(StandardCharsets.UTF_8)));
            String ek = sha(evalKey.toString().getBytes(StandardCharsets.UTF_8));
            Path evalJson = mdir.resolve("eval-" + ek + ".json"), gridPng = mdir.resolve("grid-" + ek + ".png");
            Map<String, Object> figures;
            BufferedImage grid;
            String title = method + (model.isGenerator() ? " (one-step)" : " (Heun " + heun + ")");
            if (Files.isRegularFile(evalJson) && Files.isRegularFile(gridPng)) {
                figures = Json.readMap(evalJson);
                grid = javax.imageio.ImageIO.read(gridPng.toFile());
            } else {
                Files.createDirectories(mdir);
                // finished Heun batches are kept until the evaluation is written: an interrupted table continues it
                Path chunks = mdir.resolve("samples-" + ek);
                Suite.Judged j = Suite.judge(model, forget, override, ev, perForget, perClass, heun, 9_000, 6, chunks);
                figures = j.figures();
                grid = Suite.gridImage(j.grid(), j.gridPerClass(), model.network().labelDim(), title);
                Json.write(evalJson, figures);
                ImageGrid.writePng(grid, gridPng);
                Output.deleteTree(chunks);
            }
            // relearning attack (not for the teacher)
            List<RelearnAttack.Point> curve = null;
            if (!noAttack && !method.equals("teacher")) {
                String ak = sha((attackSettings.toMap().toString() + evalKey).getBytes(StandardCharsets.UTF_8));
                Path attackJson = mdir.resolve("attack-" + ak + ".json");
                if (Files.isRegularFile(attackJson)) {
                    curve = Suite.curveFromJson(Json.readMap(attackJson).get("curve"));
                } else {
                    RelearnAttack attack = new RelearnAttack(model.network(), model.sigmaInit(), test.withoutClasses(forget), forget, judge, attackSettings);
                    RelearnAttack.Result r;
                    // checkpointed at every evaluation point: an interrupted table continues the attack where it stopped
                    Path attackCkpt = mdir.resolve("attack-" + ak + ".checkpoint.safetensors");
                    try (Progress p = new Progress("relearn " + method, attackSettings.steps(), 0, "loss", "forgotten_rate")) {
                        r = attack.run(p, attackCkpt);
                    }
                    curve = r.curve();
                    Json.write(attackJson, Map.of("settings", attackSettings.toMap(), "aux", "Fashion-MNIST test without class " + forget, "curve", Suite.curveJson(curve)));
                    Files.deleteIfExists(attackCkpt);
                }
            }
            rows.add(new Row(method, dataNeeded, figures, seconds, timeNote, curve, grid, settings));
        }
        write(dir, rows, mode, heun, perForget, perClass, attackSettings, (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    private void write(Path dir, List<Row> rows, String mode, int heun, int perForget, int perClass, RelearnAttack.Settings as, double seconds) throws IOException {
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
        md.append("\n| method | data needed | UA | remaining-class acc. | FD (remaining) | network calls / image | unlearning wall time | forgotten-class rate after attack |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        List<Map<String, Object>> json = new ArrayList<>();
        List<BufferedImage> grids = new ArrayList<>();
        Map<String, List<RelearnAttack.Point>> curves = new LinkedHashMap<>();
        for (Row r : rows) {
            Map<String, Object> f = r.figures();
            String attack = "-";
            if (r.attack() != null) {
                RelearnAttack.Point a = r.attack().get(0), b = r.attack().get(r.attack().size() - 1);
                attack = String.format("%.2f -> %.2f", a.forgottenRate(), b.forgottenRate());
                if (!Double.isNaN(b.forgottenRateOneStep())) attack += String.format(" (Heun); one-step %.2f -> %.2f", a.forgottenRateOneStep(), b.forgottenRateOneStep());
                curves.put(r.method(), r.attack());
            }
            String time = Double.isNaN(r.seconds()) ? r.timeNote() : String.format(r.seconds() < 10 ? "%.1f s%s" : "%.0f s%s", r.seconds(), r.timeNote().isEmpty() ? "" : " (" + r.timeNote() + ")");
            md.append(String.format("| %s | %s | %.3f | %.3f | %.2f | %s | %s | %s |%n", r.method(), r.dataNeeded(), Json.toDouble(f.get("ua")),
                    Json.toDouble(f.get("remain_accuracy")), Json.toDouble(f.get("fd_remain")), f.get("network_calls_per_image"), time, attack));
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("method", r.method());
            j.put("data_needed", r.dataNeeded());
            j.put("ua", f.get("ua"));
            j.put("as_override", f.get("as_override"));
            j.put("remain_accuracy", f.get("remain_accuracy"));
            j.put("fd_remain", f.get("fd_remain"));
            j.put("network_calls_per_image", f.get("network_calls_per_image"));
            j.put("sampler", f.get("sampler"));
            j.put("unlearning_seconds", Double.isNaN(r.seconds()) ? null : r.seconds());
            j.put("time_note", r.timeNote());
            if (r.attack() != null) {
                j.put("forgotten_rate_before_attack", r.attack().get(0).forgottenRate());
                j.put("forgotten_rate_after_attack", r.attack().get(r.attack().size() - 1).forgottenRate());
                j.put("attack_curve", Suite.curveJson(r.attack()));
            }
            j.put("settings", r.settings());
            j.put("eval", f);
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
        top.put("seconds", seconds);
        top.put("command", "./sfd " + command());
        top.put("rows", json);
        dev.sfd.io.AtomicFiles.writeString(dir.resolve("table.md"), md.toString());
        Json.write(dir.resolve("table.json"), top);
        Suite.sideBySide(dir.resolve("table.png"), grids, (quick ? "QUICK MODE (small budgets) - " : "") + "forget " + pair + ": one grid per method, rows = classes");
        if (!curves.isEmpty()) Suite.attackChart(dir.resolve("attack.png"), (quick ? "QUICK: " : "") + "relearning attack, forgotten class " + forget, curves);
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

    private static String key(String prefix, String weights, Map<String, Object> settings) {
        return prefix + "-" + sha((weights + settings).getBytes(StandardCharsets.UTF_8));
    }

    /** Hash of all weights of a network (the cache key of runs made from it). */
    static String weightsHash(dev.sfd.diffusion.ScoreNetwork net) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, Tensor> e : net.stateDict().entrySet()) {
                md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                float[] v = e.getValue().toFloatArray();
                ByteBuffer b = ByteBuffer.allocate(v.length * 4);
                b.asFloatBuffer().put(v);
                md.update(b.array());
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
