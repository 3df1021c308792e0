package dev.sfd.bench.cli;

import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.io.Json;
import dev.sfd.models.Evaluator;
import dev.sfd.models.Models;
import dev.sfd.models.data.FashionMnist;
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

/** General SFD: any SongUNet teacher, any forget plan, all hyper-parameters. */
@Command(name = "forget", mixinStandardHelpOptions = true,
        description = "Score Forgetting Distillation of a teacher with a forget plan such as '0->1,7->5' (empty plan: plain "
                + "distillation into a one-step generator). Writes OUT/generator.safetensors, OUT/after.png, OUT/curves.png, OUT/report.json.")
final class ForgetCommand implements Callable<Integer> {
    @Option(names = "--teacher", defaultValue = "teacher", description = "'teacher' (shipped) or a SongUNet safetensors file") String teacherSpec;
    @Option(names = "--plan", defaultValue = "0->1", description = "forget->override pairs, comma separated; '' = distillation only") String planSpec;
    @Option(names = "--out", defaultValue = "runs/forget") Path out;
    @Option(names = "--resume") boolean resume;
    @Option(names = "--eval-samples", defaultValue = "500") int evalSamples;
    @Option(names = "--eval-per-class", defaultValue = "100") int evalPerClass;
    @Option(names = "--classifier", defaultValue = "classifier") String classifier;
    @Mixin SfdOptions opts;

    @Override
    public Integer call() throws IOException {
        ForgetPlan plan = ForgetPlan.parse(planSpec);
        EdmPrecond teacher = Models.denoiser(teacherSpec);
        ForgetRunner.requireClassIds(teacher, plan);
        opts.check(teacher, plan);
        Output.requireWritable(out);
        Evaluator ev = new Evaluator(Models.classifier(classifier), FashionMnist.isAvailable() ? FashionMnist.test() : null);
        long t0 = System.nanoTime();
        ForgetRunner[] last = new ForgetRunner[1];
        OneStepGenerator g = opts.run(teacher, plan, ev, out, resume, last);
        ForgetRunner runner = last[0];
        SfdConfig cfg = runner.config();
        double seconds = (System.nanoTime() - t0) / 1e9;
        g.save(out.resolve("generator.safetensors"), Map.of("sfd.plan", plan.toString()));
        SampleCommand.grid(out.resolve("after.png"), Evaluator.sampleGenerator(g, 12, 4242)[0], 12, teacher.labelDim(), "one-step generator, plan " + plan);
        runner.writeCurves(out.resolve("curves.png"));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("plan", plan.toString());
        report.put("iterations", runner.iterationsRun());
        report.put("iterations_planned", cfg.iterations());
        report.put("seconds", seconds);
        report.putAll(ForgetRunner.judge(g, plan, ev, evalSamples, evalPerClass, 9_000));
        report.put("config", cfg.toMap());
        Json.write(out.resolve("report.json"), report);
        System.out.println("forget: " + plan + " done in " + Math.round(seconds) + " s; report " + out.resolve("report.json"));
        return 0;
    }
}
