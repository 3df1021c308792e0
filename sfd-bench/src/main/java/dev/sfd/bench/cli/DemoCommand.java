package dev.sfd.bench.cli;

import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.diffusion.Sampler;
import dev.sfd.io.Json;
import dev.sfd.models.Evaluator;
import dev.sfd.models.Models;
import dev.sfd.models.data.FashionMnist;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.OneStepGenerator;
import dev.sfd.unlearn.SfdConfig;
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
    @Option(names = "--out", defaultValue = "runs/demo") Path out;
    @Option(names = "--forget", defaultValue = "0", description = "class to forget (default 0, T-shirt/top)") int forget;
    @Option(names = "--override", defaultValue = "1", description = "class that overrides it (default 1, Trouser)") int override;
    @Option(names = "--resume", description = "continue from OUT/checkpoint.safetensors") boolean resume;
    @Option(names = "--eval-samples", defaultValue = "1000", description = "generated images of the forgotten label for UA") int evalSamples;
    @Option(names = "--eval-per-class", defaultValue = "100", description = "generated images per remaining class") int evalPerClass;
    @Option(names = "--teacher-per-class", defaultValue = "30", description = "Heun-18 teacher samples per class for fresh teacher figures "
            + "(35 network calls each; the FD comparison is made at this count)") int teacherPerClass;
    @Option(names = "--before-per-class", defaultValue = "6", description = "Heun-18 teacher samples per class in before.png when the teacher figures are the stored ones") int beforePerClass;
    @Option(names = "--fresh-teacher-figures", description = "sample the teacher for its figures even where the shipped teacher's stored evaluation applies") boolean freshTeacherFigures;
    @Option(names = "--teacher", defaultValue = "teacher", description = "'teacher' (shipped) or a SongUNet file (e.g. a checkpoint's EMA weights)") String teacherSpec;
    @Option(names = "--from-teacher", description = "one-stage SFD from the teacher itself (what the demo does while the build ships "
            + "no stage 1; with a shipped stage 1 the default is SFD-Two-Stage from it)") boolean fromTeacher;
    @Mixin SfdOptions opts;

    /** The demo continues past --iterations until the plan is done, up to this many iterations (--max-iterations). */
    static final long DEFAULT_MAX_ITERATIONS = 400;

    @Override
    public Integer call() throws IOException {
        ForgetPlan plan = ForgetPlan.classes().forget(forget).overrideWith(override);
        EdmPrecond teacher = Models.denoiser(teacherSpec);
        ForgetRunner.requireClassIds(teacher, plan);
        boolean twoStage = !fromTeacher && opts.twoStage <= 0 && "teacher".equals(teacherSpec) && Models.shippedStage1();
        if (twoStage && opts.fromStage1 == null) opts.fromStage1 = "shipped";
        // without quick evaluations there is nothing to decide on: then no extension unless asked for (and refused)
        if (opts.maxIterations == null) opts.maxIterations = opts.evalEvery > 0 ? Math.max(DEFAULT_MAX_ITERATIONS, opts.iterations) : 0L;
        opts.check(teacher, plan);
        Output.requireWritable(out);
        long t0 = System.nanoTime();
        Evaluator ev = new Evaluator(Models.classifier(), FashionMnist.test());

        Map<String, Object> stored = "teacher".equals(teacherSpec) && !freshTeacherFigures ? Models.teacherEvaluation() : null;
        Map<String, Object> teacherFigures;
        int teacherCount;
        Tensor teacherImages;
        if (stored != null) {
            // the shipped teacher's figures were computed once with the same classifier and metrics (model card protocol)
            teacherFigures = TeacherFigures.fromEvaluation(stored, plan, "heun-18", "stored evaluation of the shipped teacher: " + stored.get("protocol"));
            teacherCount = (int) Math.round(dev.sfd.io.Json.toDouble(stored.get("images")) / teacher.labelDim());
            System.err.println("demo: teacher figures from the stored evaluation (" + teacherCount + " per class); before.png from " + beforePerClass + " fresh samples per class ...");
            teacherImages = SampleCommand.heunWithProgress(teacher, teacher.imageShape(), teacher.labelDim(), beforePerClass, Sampler.heun(18), 4242, "teacher samples");
            SampleCommand.grid(out.resolve("before.png"), teacherImages, beforePerClass, teacher.labelDim(), "teacher (Heun, 18 steps, 35 network calls)");
        } else {
            System.err.println("demo: teacher samples (Heun, 18 steps, " + teacherPerClass + " per class) for before.png and the teacher figures ...");
            teacherImages = SampleCommand.heunWithProgress(teacher, teacher.imageShape(), teacher.labelDim(), teacherPerClass, Sampler.heun(18), 4242, "teacher samples");
            teacherFigures = TeacherFigures.of(ev, teacherImages, teacherPerClass, plan);
            teacherCount = teacherPerClass;
            SampleCommand.grid(out.resolve("before.png"), teacherImages, teacherPerClass, teacher.labelDim(), "teacher (Heun, 18 steps, 35 network calls)");
        }

        long tSfd = System.nanoTime();
        ForgetRunner[] last = new ForgetRunner[1];
        OneStepGenerator g = opts.run(teacher, plan, ev, out, resume, last);
        ForgetRunner runner = last[0];
        SfdConfig cfg = runner.config();
        double sfdSeconds = (System.nanoTime() - tSfd) / 1e9;
        g.save(out.resolve("generator.safetensors"), Map.of("sfd.plan", plan.toString()));

        Tensor after = Evaluator.sampleGenerator(g, 12, 4242)[0];
        SampleCommand.grid(out.resolve("after.png"), after, 12, teacher.labelDim(), "after forgetting " + plan + " (one-step generator, 1 network call)");
        runner.writeCurves(out.resolve("curves.png"));

        Map<String, Object> gen = ForgetRunner.judge(g, plan, ev, evalSamples, evalPerClass, 9_000);
        // Frechet distance is biased upward at small sample counts: compare with the teacher at ITS count too
        double genFdMatched = teacherCount == evalPerClass ? (Double) gen.get("fd_remain")
                : (Double) ForgetRunner.judge(g, plan, ev, 1, teacherCount, 9_100).get("fd_remain");
        Map<String, Object> matched = new LinkedHashMap<>();
        matched.put("per_class", teacherCount);
        matched.put("generator", genFdMatched);
        matched.put("teacher", teacherFigures.get("fd_remain"));
        matched.put("ratio", genFdMatched / (Double) teacherFigures.get("fd_remain"));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("forget", forget);
        report.put("override", override);
        report.put("method", opts.fromStage1 != null ? "SFD-Two-Stage from stage 1 '" + opts.fromStage1 + "'"
                : opts.twoStage > 0 ? "SFD-Two-Stage (" + opts.twoStage + " stage-1 iterations)" : "SFD (one stage from the teacher)");
        report.put("iterations", runner.iterationsRun());
        report.put("iterations_planned", cfg.iterations());
        report.put("max_iterations", opts.maxIterations);
        report.put("seconds", (System.nanoTime() - t0) / 1e9);
        report.put("sfd_seconds", sfdSeconds);
        report.put("ua", gen.get("ua"));
        report.put("as_override", gen.get("as_override"));
        report.put("remain_accuracy", gen.get("remain_accuracy"));
        report.put("fd_remain", gen.get("fd_remain"));
        report.put("eval_per_class", evalPerClass);
        report.put("fd_remain_at_teacher_count", matched);
        report.put("teacher", teacherFigures);
        report.put("generator", gen);
        report.put("config", cfg.toMap());
        report.put("network_calls_per_image", Map.of("generator", 1, "teacher", Sampler.heun(18).nfe()));
        Json.write(out.resolve("report.json"), report);
        System.out.printf("demo: forgot class %d (%s) -> %d (%s) in %.0f s: UA %.3f, as override %.3f, remaining accuracy %.3f (teacher %.3f), "
                        + "FD remaining %.2f on %d per class; at the teacher's %d per class %.2f vs teacher %.2f. Files in %s%n",
                forget, FashionMnist.CLASS_NAMES.get(forget), override, FashionMnist.CLASS_NAMES.get(override), sfdSeconds,
                gen.get("ua"), gen.get("as_override"), gen.get("remain_accuracy"), teacherFigures.get("remain_accuracy"),
                gen.get("fd_remain"), evalPerClass, teacherCount, genFdMatched, teacherFigures.get("fd_remain"), out);
        return 0;
    }
}
