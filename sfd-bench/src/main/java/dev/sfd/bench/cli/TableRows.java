package dev.sfd.bench.cli;

import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.io.RunCache;
import dev.sfd.models.Models;
import dev.sfd.models.baselines.Baselines;
import dev.sfd.models.baselines.Dimum;
import dev.sfd.models.baselines.EsdErasure;
import dev.sfd.models.baselines.Retrain;
import dev.sfd.models.baselines.SalUn;
import dev.sfd.models.data.Dataset;
import dev.sfd.models.train.TeacherConfig;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.ForgetRun;
import dev.sfd.unlearn.OneStepGenerator;
import dev.sfd.unlearn.SfdRecipe;
import dev.sfd.unlearn.StopRule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The rows of {@code sfd table}: each row type says where its method's model comes from (given, shipped, or trained
 * through the {@link RunCache}). The table evaluates and attacks every row the same way.
 */
final class TableRows {
    private TableRows() {}

    /** What every row needs: the teacher, the pair, the mode and the cache. */
    record Context(EdmPrecond teacher, String teacherSpec, String teacherHash, int forget, int override, boolean quick, RunCache cache,
                   Dataset test, Supplier<Dataset> train) {
        ForgetPlan plan() { return ForgetPlan.classes().forget(forget).overrideWith(override); }
    }

    /** A row's model, the folder its evaluations are cached in, and how it was made. */
    record Made(Suite.Model model, Path folder, double seconds, String timeNote, String dataNeeded, Map<String, Object> settings) {}

    /** One method of the table. */
    interface Row {
        String method();

        Made make(Context ctx) throws IOException;
    }

    /** The teacher itself: the model being unlearned. */
    record TeacherRow() implements Row {
        public String method() { return "teacher"; }

        public Made make(Context ctx) {
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("teacher", ctx.teacherSpec());
            return new Made(new Suite.Model(ctx.teacher(), null), ctx.cache().folder("teacher", ctx.teacherHash(), settings), Double.NaN, "-",
                    "full training set (the model being unlearned)", settings);
        }
    }

    /**
     * Retraining without the forgotten class: a given model file, else the shipped retrain when the table runs on the
     * shipped teacher with default budgets, else a retrain trained (and cached) with {@code config}.
     */
    record RetrainRow(Path given, boolean useShipped, TeacherConfig config) implements Row {
        public String method() { return "retrain"; }

        public Made make(Context ctx) throws IOException {
            Map<String, Object> settings = new LinkedHashMap<>();
            if (given == null && useShipped && "teacher".equals(ctx.teacherSpec()) && Models.shippedRetrain(ctx.forget())) {
                // the shipped retrain took hours with the teacher's recipe; both modes use it
                Models.Shipped r = Models.retrain(ctx.forget());
                settings.put("given_model", "shipped " + Models.retrainName(ctx.forget()));
                String hours = r.metadata().get("sfd.train_hours");
                return new Made(new Suite.Model(r.network(), null), ctx.cache().folder("retrain-shipped", RunCache.weightsHash(r.network()), settings),
                        hours != null ? Double.parseDouble(hours) * 3600 : Double.NaN,
                        "shipped retrain" + (hours != null ? ": " + hours + " h of training on 2 CPU cores" : "") + " (model card)", Retrain.DATA_NEEDED, settings);
            }
            if (given != null) {
                settings.put("given_model", given.toString());
                return new Made(new Suite.Model(Models.denoiser(given.toString()), null), ctx.cache().folder("retrain-given", RunCache.fileHash(given), settings),
                        Double.NaN, "given model (time of its own run)", Retrain.DATA_NEEDED, settings);
            }
            settings.putAll(Retrain.settings(config, ctx.forget(), ctx.test())); // "data" is replaced below; kept for stable cache keys
            settings.put("data", "Fashion-MNIST train without class " + ctx.forget());
            if (ctx.quick()) settings.put("note", "QUICK: " + config.iterations() + " steps from scratch, far from converged; pass --retrain-model for a real retrain");
            Path folder = ctx.cache().folder("retrain-f" + ctx.forget(), ctx.teacherHash(), settings);
            RunCache.Entry<EdmPrecond> e = ctx.cache().get(folder, "model.safetensors", f -> Models.denoiser(f.resolve("model.safetensors").toString()), f -> {
                BaselineCommand.Outcome o = BaselineCommand.retrain(Baselines.songUnetConfig(ctx.teacher()), config, ctx.train().get(), ctx.forget(), f, true);
                BaselineCommand.save(o, f.resolve("model.safetensors"), "retrain", ctx.forget());
                return new RunCache.Computed<>((EdmPrecond) o.model(), o.seconds(), o.settings());
            });
            return new Made(new Suite.Model(e.value(), null), folder, e.seconds(), e.cached() ? "cached" : "", Retrain.DATA_NEEDED, settings);
        }
    }

    /** ESD-style erasure (data-free fine-tuning of the teacher). */
    record EsdRow(EsdErasure.Settings settings) implements Row {
        public String method() { return "esd"; }

        public Made make(Context ctx) throws IOException {
            return trained(ctx, "esd", EsdErasure.DATA_NEEDED, settings.toMap(), f -> BaselineCommand.esd(ctx.teacher(), ctx.forget(), settings, f));
        }
    }

    /** SalUn-style unlearning (saliency-masked fine-tuning on forget images and the retain set). */
    record SalUnRow(SalUn.Settings settings) implements Row {
        public String method() { return "salun"; }

        public Made make(Context ctx) throws IOException {
            return trained(ctx, "salun", SalUn.DATA_NEEDED, settings.toMap(),
                    f -> BaselineCommand.salun(ctx.teacher(), ctx.forget(), ctx.train().get(), settings, f));
        }
    }

    /**
     * DiMUM: the forgotten label memorises real override-class images (the first {@code memorised} of the training
     * split) while the retain set keeps the other classes; with {@code dataFree} it memorises the teacher's own samples
     * of the override class and keeps the other classes with the teacher's samples of them. Checkpointed in its cache
     * folder, so an interrupted table continues the run.
     */
    record DimumRow(Dimum.Settings settings, boolean dataFree) implements Row {
        public String method() { return dataFree ? "dimum-data-free" : "dimum"; }

        public Made make(Context ctx) throws IOException {
            Map<String, Object> key = new LinkedHashMap<>(settings.toMap());
            key.put("override", ctx.override());
            key.put("data_free", dataFree);
            return trained(ctx, method(), dataFree ? Dimum.DATA_NEEDED_FREE : Dimum.DATA_NEEDED, key,
                    f -> BaselineCommand.dimum(ctx.teacher(), ctx.forget(), ctx.override(), dataFree ? null : ctx.train().get(), settings, f, true));
        }
    }

    /** A baseline that fine-tunes the teacher in a folder. */
    interface Training { BaselineCommand.Outcome run(Path folder) throws IOException; }

    private static Made trained(Context ctx, String method, String dataNeeded, Map<String, Object> keySettings, Training training) throws IOException {
        Map<String, Object> settings = new LinkedHashMap<>(keySettings);
        Path folder = ctx.cache().folder(method + "-f" + ctx.forget(), ctx.teacherHash(), settings);
        RunCache.Entry<EdmPrecond> e = ctx.cache().get(folder, "model.safetensors", f -> Models.denoiser(f.resolve("model.safetensors").toString()), f -> {
            BaselineCommand.Outcome o = training.run(f);
            BaselineCommand.save(o, f.resolve("model.safetensors"), method, ctx.forget());
            return new RunCache.Computed<>((EdmPrecond) o.model(), o.seconds(), o.settings());
        });
        return new Made(new Suite.Model(e.value(), null), folder, e.seconds(), e.cached() ? "cached" : "", dataNeeded,
                e.cached() ? settings : new LinkedHashMap<>(e.settings()));
    }

    /** Stage 2 only: the full table runs the demo's recipe from the shipped stage 1. */
    static final String STAGE2_ONLY = "stage 2 only (from the shipped stage 1, a one-off plain distillation of the teacher)";

    /**
     * SFD: a given generator, else the recipe run with a fixed length (no quick evaluations) and cached. The full table
     * on the shipped teacher runs SFD-Two-Stage from the shipped stage 1 (the time column then excludes stage 1, said in
     * the time note); --quick and other teachers run one stage from the teacher.
     *
     * <p>With {@code robust} it is the relearning-robust row ({@code sfd-robust}, what {@code ./sfd demo} runs):
     * {@link SfdRecipe#robust} from the shipped stage 1 ({@link SfdRecipe#ROBUST_ITERATIONS} planned iterations; --quick
     * with the quick SFD row's batch), and on a teacher without a shipped stage 1 the one-stage recipe with the label
     * tie ({@code ./sfd forget --robust}).
     */
    record SfdRow(Path given, Long iterations, Integer batch, boolean robust) implements Row {
        SfdRow(Path given, Long iterations, Integer batch) { this(given, iterations, batch, false); }

        public String method() { return robust ? "sfd-robust" : "sfd"; }

        SfdRecipe recipe(Context ctx) {
            SfdRecipe r;
            boolean shippedStage1 = "teacher".equals(ctx.teacherSpec()) && Models.shippedStage1();
            if (robust && shippedStage1) {
                r = SfdRecipe.robust(Models.stage1("shipped").networks());
                if (ctx.quick()) r = r.config(r.config().batch(4, 4));
            } else if (!robust && !ctx.quick() && shippedStage1) {
                r = SfdRecipe.twoStage(Models.stage1("shipped").networks());
            } else {
                r = SfdRecipe.oneStage();
                if (ctx.quick()) r = r.config(r.config().iterations(100).batch(4, 4).forgetWeight(1.0));
                if (robust) r = r.config(r.config().tieForgotten(true));
            }
            if (iterations != null) r = r.iterations(iterations);
            if (batch != null) r = r.config(r.config().batch(batch, batch));
            return r.evalEvery(0).stopRule(StopRule.fixedLength());
        }

        public Made make(Context ctx) throws IOException {
            String dataNeeded = "none (data-free)";
            Map<String, Object> settings = new LinkedHashMap<>();
            if (given != null) {
                settings.put("given_generator", given.toString());
                OneStepGenerator g = Models.generator(given);
                return new Made(new Suite.Model(g.network(), g.sigmaInit()), ctx.cache().folder("sfd-given", RunCache.fileHash(given), settings),
                        Double.NaN, "given generator (time of its own run)", dataNeeded, settings);
            }
            SfdRecipe recipe = recipe(ctx);
            boolean stage2Only = recipe.stage1() != null;
            if (stage2Only) settings.put("stage1", "shipped " + RunCache.weightsHash(recipe.stage1().generator().network()));
            settings.putAll(recipe.config().toMap());
            settings.put("plan", ctx.plan().toString());
            Path folder = ctx.cache().folder(method() + "-" + ctx.forget() + "to" + ctx.override(), ctx.teacherHash(), settings);
            RunCache.Entry<OneStepGenerator> e = ctx.cache().get(folder, "generator.safetensors", f -> Models.generator(f.resolve("generator.safetensors")), f -> {
                long s0 = System.nanoTime();
                ConsoleRun view = new ConsoleRun(ctx.plan().toString());
                OneStepGenerator g = view.run(new ForgetRun(ctx.teacher(), ctx.plan(), recipe, f)).generator();
                double seconds = (System.nanoTime() - s0) / 1e9;
                g.save(f.resolve("generator.safetensors"), Map.of("sfd.plan", ctx.plan().toString()));
                view.writeCurves(f.resolve("curves.png"));
                return new RunCache.Computed<>(g, seconds, recipe.config().toMap());
            });
            String note = stage2Only ? STAGE2_ONLY + (e.cached() ? "; cached" : "") : e.cached() ? "cached" : "";
            return new Made(new Suite.Model(e.value().network(), e.value().sigmaInit()), folder, e.seconds(), note, dataNeeded, settings);
        }
    }
}
