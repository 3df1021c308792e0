package example;

import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.eval.Figures;
import dev.sfd.io.Json;
import dev.sfd.models.Evaluator;
import dev.sfd.models.Models;
import dev.sfd.models.data.FashionMnist;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.ForgetRun;
import dev.sfd.unlearn.OneStepGenerator;
import dev.sfd.unlearn.SfdRecipe;
import dev.sfd.unlearn.StopRule;
import java.nio.file.Path;

/** The README's library example: forget T-shirt/top (0) into Trouser (1) with the demo's recipe, then evaluate. */
public final class Forget {
    public static void main(String[] args) {
        Path folder = Path.of(args.length > 0 ? args[0] : "runs/mine");
        long iterations = args.length > 1 ? Long.parseLong(args[1]) : SfdRecipe.ROBUST_ITERATIONS;

        ScoreNetwork teacher = Models.teacher();
        ForgetPlan plan = ForgetPlan.classes().forget(0).overrideWith(1);
        SfdRecipe recipe = SfdRecipe.robust(Models.stage1("shipped").networks()).seed(7);
        if (iterations != recipe.config().iterations()) recipe = recipe.iterations(iterations).stopRule(StopRule.fixedLength());
        Evaluator evaluator = Models.shippedEvaluator(FashionMnist.test());
        ForgetRun run = new ForgetRun(teacher, plan, recipe, folder)
                .judge(evaluator.quickJudge(recipe.quickPerClass()));
        ForgetRun.Result result = run.run();
        OneStepGenerator gen = result.generator();
        Figures figures = evaluator.figures(gen, plan, 200, 20, 9_000);
        Tensor images = gen.sample(new int[] {0, 1, 2}, 42);
        gen.save(folder.resolve("forgotten.safetensors"));
        System.out.printf("forgot %s in %d iterations (%s): UA %.3f, as override %.3f, remaining accuracy %.3f, FD %.2f; sampled %d images%n",
                plan, result.iterations(), result.stop().reason(), figures.ua(), figures.overrideShare(), figures.remainAccuracy(),
                figures.fdRemain(), images.dim(0));
        Json.write(folder.resolve("figures.json"), figures.toJson());
    }
}
