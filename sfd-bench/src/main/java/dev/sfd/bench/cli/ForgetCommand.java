package dev.sfd.bench.cli;

import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.eval.Bar;
import dev.sfd.eval.Figures;
import dev.sfd.io.Json;
import dev.sfd.models.Classifier;
import dev.sfd.models.Evaluator;
import dev.sfd.models.Models;
import dev.sfd.models.sweep.PairSweep;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.ForgetRun;
import dev.sfd.unlearn.OneStepGenerator;
import dev.sfd.unlearn.OverrideMode;
import dev.sfd.unlearn.SfdRecipe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** General SFD: any SongUNet teacher, any forget plan; unset options come from the recipe. */
@Command(name = "forget", mixinStandardHelpOptions = true,
        description = "Score Forgetting Distillation of a teacher with a forget plan such as '0->1,7->5' (empty plan: plain "
                + "distillation into a one-step generator). Writes OUT/generator.safetensors, OUT/after.png, OUT/curves.png, OUT/report.json.")
final class ForgetCommand implements Callable<Integer> {
    @Option(names = "--teacher", defaultValue = "teacher", description = "'teacher' (shipped) or a SongUNet safetensors file") String teacherSpec;
    @Option(names = "--plan", defaultValue = "0->1", description = "forget->override pairs, comma separated; '' = distillation only") String planSpec;
    @Option(names = "--out", defaultValue = "runs/forget", description = "output folder (default: ${DEFAULT-VALUE}); refused if it holds another run") Path out;
    @Option(names = "--resume", description = "continue from OUT's checkpoints") boolean resume;
    @Option(names = "--overwrite", description = Output.OVERWRITE_HELP) boolean overwrite;
    @Option(names = "--eval-samples", defaultValue = "500", description = "generated images per forgotten label in the final evaluation") int evalSamples;
    @Option(names = "--eval-per-class", defaultValue = "100", description = "generated images per remaining class in the final evaluation") int evalPerClass;
    @Option(names = "--classifier", defaultValue = "classifier", description = "'classifier' (shipped) or a file: judges the result and "
            + "picks the pseudo-labels of --override-mode classifier") String classifier;
    @Option(names = "--override-mode", defaultValue = "fixed", description = "what a forgotten label is distilled towards: 'fixed' (the "
            + "plan's override class), 'random' (a remaining class drawn per sample) or 'classifier' (the remaining class the classifier "
            + "sees in each sample); random and classifier ignore the plan's override classes and report the forgotten label's "
            + "distribution over the remaining classes") String overrideModeSpec;
    @Mixin SfdOptions opts;

    @Override
    public Integer call() throws IOException {
        ForgetPlan plan = ForgetPlan.parse(planSpec);
        OverrideMode mode;
        try {
            mode = OverrideMode.parse(overrideModeSpec);
        } catch (dev.sfd.ConfigException e) {
            throw new dev.sfd.ConfigException("--override-mode: " + e.getMessage());
        }
        EdmPrecond teacher = Models.denoiser(teacherSpec);
        ForgetRun.requireForgettable(teacher, plan);
        opts.checkRanges(evalSamples, evalPerClass);
        SfdRecipe recipe = opts.recipe(teacher);
        recipe = recipe.config(recipe.config().overrideMode(mode));
        recipe.config().requireFits(plan, teacher.labelDim());
        Evaluator ev = Suite.evaluator(classifier);
        Classifier judge = ev.classifier();
        dev.sfd.unlearn.MemoryEstimate.of(teacher, recipe.config()).requireFits(Runtime.getRuntime().maxMemory(), "--batch-remain / --batch-forget");
        Output.claim(out, resume, overwrite, "forget", plan.toString(), recipe.config().seed(), recipe.config().toMap());
        long t0 = System.nanoTime();
        ConsoleRun view = new ConsoleRun(plan.toString());
        ForgetRun.Result run = view.run(new ForgetRun(teacher, plan, recipe, out).judge(ev.quickJudge(recipe.quickPerClass()))
                .classifier(judge).resume(resume));
        double seconds = (System.nanoTime() - t0) / 1e9;
        OneStepGenerator g = run.generator();
        g.save(out.resolve("generator.safetensors"), Map.of("sfd.plan", plan.toString()));
        String what = "plan " + plan + (mode.fixed() ? "" : ", override mode " + mode.id());
        SampleCommand.grid(out.resolve("after.png"), Evaluator.sampleGenerator(g, 12, 4242)[0], 12, teacher.labelDim(), "one-step generator, " + what);
        view.writeCurves(out.resolve("curves.png"));
        Figures f = ev.figures(g, plan, mode, evalSamples, evalPerClass, 9_000);
        dev.sfd.eval.JudgeCeiling ceiling = plan.isEmpty() ? null : ev.judgeCeiling(plan, mode);
        Bar.Verdict verdict = plan.isEmpty() ? null : verdict(plan, g, f, ev, ceiling);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("plan", plan.toString());
        report.put("method", recipe.name());
        report.put("iterations", run.iterations());
        report.put("iterations_planned", run.config().iterations());
        report.put("generator_step", run.generatorStep());
        report.put("stop", ConsoleRun.stopJson(run.stop()));
        if (verdict != null) report.putAll(verdict.toJson());
        if (ceiling != null) {
            report.put("judge_ceiling", ceiling.toJson());
            report.put("ua_at_judge_ceiling", Bar.PRODUCT.atJudgeCeiling(Bar.Inputs.of(f, f.fdRemain(), null, ceiling)));
        }
        report.put("seconds", seconds);
        report.putAll(f.toJson());
        report.put("config", run.config().toMap());
        report.put("generator_sha256", dev.sfd.io.RunFolder.sha256(out.resolve("generator.safetensors")));
        Json.write(out.resolve("report.json"), report);
        System.out.println("forget: " + what + " done in " + Math.round(seconds) + " s; report " + out.resolve("report.json"));
        return verdict == null ? 0 : ConsoleRun.verdictExit("forget", verdict, run.stop());
    }

    /**
     * The bar's verdict: UA and override share always; remaining accuracy and FD against the shipped teacher's stored
     * evaluation when both teacher and classifier are the shipped ones (FD at its count), else not judged.
     */
    private Bar.Verdict verdict(ForgetPlan plan, OneStepGenerator g, Figures f, Evaluator ev, dev.sfd.eval.JudgeCeiling ceiling) {
        PairSweep.TeacherReference ref = PairSweep.TeacherReference.storedFor("teacher".equals(teacherSpec), "classifier".equals(classifier));
        if (ref == null) return Bar.PRODUCT.check(Bar.Inputs.of(f, f.fdRemain(), null, ceiling));
        return Bar.PRODUCT.check(Bar.Inputs.of(f, ev.fdRemainAt(g, plan, f, ref.perClass(), 9_000), Figures.ofTable(ref.table(), plan, null), ceiling));
    }
}
