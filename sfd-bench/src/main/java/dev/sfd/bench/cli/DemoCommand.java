package dev.sfd.bench.cli;

import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.diffusion.Sampler;
import dev.sfd.eval.Bar;
import dev.sfd.eval.ClassTable;
import dev.sfd.eval.Figures;
import dev.sfd.io.Json;
import dev.sfd.models.Evaluator;
import dev.sfd.models.Models;
import dev.sfd.models.data.FashionMnist;
import dev.sfd.models.sweep.PairSweep;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.ForgetRun;
import dev.sfd.unlearn.OneStepGenerator;
import dev.sfd.unlearn.SfdRecipe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The main job: forget one class of the shipped Fashion-MNIST teacher without any data. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Forget a class of the shipped Fashion-MNIST teacher, data-free, into a one-step generator. Writes "
                + "OUT/generator.safetensors, OUT/before.png (teacher), OUT/after.png (generator), OUT/curves.png and OUT/report.json.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "runs/demo", description = "output folder (default: ${DEFAULT-VALUE}); refused if it holds another run") Path out;
    @Option(names = "--forget", defaultValue = "0", description = "class to forget (default 0, T-shirt/top)") int forget;
    @Option(names = "--override", defaultValue = "1", description = "class that overrides it (default 1, Trouser)") int override;
    @Option(names = "--resume", description = "continue from OUT/checkpoint.safetensors") boolean resume;
    @Option(names = "--overwrite", description = Output.OVERWRITE_HELP) boolean overwrite;
    @Option(names = "--eval-samples", defaultValue = "1000", description = "generated images of the forgotten label for UA") int evalSamples;
    @Option(names = "--eval-per-class", defaultValue = "100", description = "generated images per remaining class") int evalPerClass;
    @Option(names = "--teacher-per-class", defaultValue = "30", description = "Heun-18 teacher samples per class for fresh teacher figures "
            + "(35 network calls each; the FD comparison is made at this count)") int teacherPerClass;
    @Option(names = "--before-per-class", defaultValue = "6", description = "Heun-18 teacher samples per class in before.png when the teacher figures are the stored ones") int beforePerClass;
    @Option(names = "--fresh-teacher-figures", description = "sample the teacher for its figures even where the shipped teacher's stored evaluation applies") boolean freshTeacherFigures;
    @Option(names = "--teacher", defaultValue = "teacher", description = "'teacher' (shipped) or a SongUNet file (e.g. a checkpoint's EMA weights)") String teacherSpec;
    @Option(names = "--from-teacher", description = "one-stage SFD from the teacher itself (the default when the build ships no stage 1; "
            + "with a shipped stage 1 the default is SFD-Two-Stage from it)") boolean fromTeacher;
    @Mixin SfdOptions opts;

    /** Teacher figures for the plan and the per-class image count they were computed at. */
    record TeacherFigures(Figures figures, int perClass) {}

    @Override
    public Integer call() throws IOException {
        ForgetPlan plan = ForgetPlan.classes().forget(forget).overrideWith(override);
        EdmPrecond teacher = Models.denoiser(teacherSpec);
        ForgetRun.requireForgettable(teacher, plan);
        if (!fromTeacher && opts.twoStage == null && opts.fromStage1 == null && "teacher".equals(teacherSpec) && Models.shippedStage1()) {
            opts.fromStage1 = "shipped";
        }
        if (opts.robust == null) opts.robust = true; // the demo's default: forgetting that survives retain-only fine-tuning
        opts.checkRanges(evalSamples, evalPerClass);
        SfdRecipe recipe = opts.recipe(teacher);
        recipe.config().requireFits(plan, teacher.labelDim());
        dev.sfd.unlearn.MemoryEstimate.of(teacher, recipe.config()).requireFits(Runtime.getRuntime().maxMemory(), "--batch-remain / --batch-forget");
        Output.claim(out, resume, overwrite, "demo", plan.toString(), recipe.config().seed(), recipe.config().toMap());
        long t0 = System.nanoTime();
        Evaluator ev = Models.shippedEvaluator(FashionMnist.test());
        TeacherFigures tf = teacherFigures(teacher, plan, ev);

        long tSfd = System.nanoTime();
        ConsoleRun view = new ConsoleRun(plan.toString());
        ForgetRun.Result run = view.run(new ForgetRun(teacher, plan, recipe, out).judge(ev.quickJudge(recipe.quickPerClass())).resume(resume));
        double sfdSeconds = (System.nanoTime() - tSfd) / 1e9;
        OneStepGenerator g = run.generator();
        g.save(out.resolve("generator.safetensors"), Map.of("sfd.plan", plan.toString()));
        SampleCommand.grid(out.resolve("after.png"), Evaluator.sampleGenerator(g, 12, 4242)[0], 12, teacher.labelDim(),
                "after forgetting " + plan + " (one-step generator, 1 network call)");
        view.writeCurves(out.resolve("curves.png"));

        Figures gen = ev.figures(g, plan, evalSamples, evalPerClass, 9_000);
        // Frechet distance is biased upward at small sample counts: compare with the teacher at ITS count too
        double genFdMatched = ev.fdRemainAt(g, plan, gen, tf.perClass(), 9_000);
        Bar.Verdict verdict = Bar.PRODUCT.check(Bar.Inputs.of(gen, genFdMatched, tf.figures(), ev.judgeCeiling(plan)));
        Json.write(out.resolve("report.json"), report(recipe, run, verdict, gen, genFdMatched, tf, (System.nanoTime() - t0) / 1e9, sfdSeconds));
        printSummary(gen, genFdMatched, tf, sfdSeconds);
        return ConsoleRun.verdictExit("demo", verdict, run.stop());
    }

    /** OUT/report.json: the run, the verdict, the generator's and the teacher's figures and the FD at the teacher's count. */
    private Map<String, Object> report(SfdRecipe recipe, ForgetRun.Result run, Bar.Verdict verdict, Figures gen, double genFdMatched,
                                       TeacherFigures tf, double seconds, double sfdSeconds) throws IOException {
        Map<String, Object> matched = new LinkedHashMap<>();
        matched.put("per_class", tf.perClass());
        matched.put("generator", genFdMatched);
        matched.put("teacher", tf.figures().fdRemain());
        matched.put("ratio", genFdMatched / tf.figures().fdRemain());
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("forget", forget);
        report.put("override", override);
        report.put("method", recipe.name() + (opts.fromStage1 != null ? " ('" + opts.fromStage1 + "')" : ""));
        report.put("iterations", run.iterations());
        report.put("iterations_planned", run.config().iterations());
        report.put("max_iterations", recipe.stopRule().maxIterations(run.config().iterations()));
        report.put("generator_step", run.generatorStep());
        report.put("stop", ConsoleRun.stopJson(run.stop()));
        report.putAll(verdict.toJson());
        report.put("seconds", seconds);
        report.put("sfd_seconds", sfdSeconds);
        report.putAll(headline(gen));
        report.put("eval_per_class", evalPerClass);
        report.put("fd_remain_at_teacher_count", matched);
        report.put("teacher", tf.figures().toJson());
        report.put("generator", gen.toJson());
        report.put("config", run.config().toMap());
        report.put("generator_sha256", dev.sfd.io.RunFolder.sha256(out.resolve("generator.safetensors")));
        report.put("network_calls_per_image", Map.of("generator", 1, "teacher", Sampler.heun(18).nfe()));
        return report;
    }

    /** The one-line summary on stdout. */
    private void printSummary(Figures gen, double genFdMatched, TeacherFigures tf, double sfdSeconds) {
        String second = gen.second() == null ? ""
                : String.format(" (second judge: UA %.3f, as override %.3f)", gen.second().ua(), gen.second().overrideShare());
        System.out.printf("demo: forgot class %d (%s) -> %d (%s) in %.0f s: UA %.3f, as override %.3f%s, remaining accuracy %.3f (teacher %.3f), "
                        + "FD remaining %.2f on %d per class; at the teacher's %d per class %.2f vs teacher %.2f. Files in %s%n",
                forget, FashionMnist.CLASS_NAMES.get(forget), override, FashionMnist.CLASS_NAMES.get(override), sfdSeconds,
                gen.ua(), gen.overrideShare(), second, gen.remainAccuracy(), tf.figures().remainAccuracy(),
                gen.fdRemain(), evalPerClass, tf.perClass(), genFdMatched, tf.figures().fdRemain(), out);
    }

    /** UA, override share, remaining accuracy and FD under the report's top-level keys. */
    static Map<String, Object> headline(Figures f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ua", f.ua());
        m.put("as_override", f.overrideShare());
        m.put("remain_accuracy", f.remainAccuracy());
        m.put("fd_remain", f.fdRemain());
        return m;
    }

    /**
     * The teacher's figures for the plan: from the shipped teacher's stored evaluation (same classifier and metrics) with a
     * few fresh samples for before.png, else from fresh Heun samples; writes before.png either way.
     */
    private TeacherFigures teacherFigures(EdmPrecond teacher, ForgetPlan plan, Evaluator ev) {
        // the demo always judges with the shipped classifier
        PairSweep.TeacherReference stored = freshTeacherFigures ? null : PairSweep.TeacherReference.storedFor("teacher".equals(teacherSpec), true);
        int classes = teacher.labelDim();
        int perClass = stored != null ? stored.perClass() : teacherPerClass;
        int drawn = stored != null ? beforePerClass : teacherPerClass;
        System.err.println(stored != null ? "demo: teacher figures from the stored evaluation (" + perClass + " per class); before.png from "
                + beforePerClass + " fresh samples per class ..." : "demo: teacher samples (Heun, 18 steps, " + teacherPerClass
                + " per class) for before.png and the teacher figures ...");
        Tensor images = SampleCommand.heunWithProgress(teacher, teacher.imageShape(), classes, drawn, Sampler.heun(18), 4242, "teacher samples");
        SampleCommand.grid(out.resolve("before.png"), images, drawn, classes, "teacher (Heun, 18 steps, 35 network calls)");
        ClassTable all = stored != null ? stored.table() : ev.table(images, Evaluator.classLabels(classes, drawn));
        String source = stored != null ? stored.source() : "fresh: " + drawn + " Heun-18 samples per class";
        Figures f = Figures.ofTable(all, plan, new Figures.Sampling("heun-18", Sampler.heun(18).nfe(), perClass, perClass, source));
        return new TeacherFigures(f, perClass);
    }
}
