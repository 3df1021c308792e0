package dev.sfd.bench.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sfd.eval.Figures;
import dev.sfd.io.Json;
import dev.sfd.models.Evaluator;
import dev.sfd.models.Models;
import dev.sfd.models.data.FashionMnist;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.ForgetRun;
import dev.sfd.unlearn.SfdRecipe;
import dev.sfd.unlearn.StopRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library recipe through the public API (what a JVM product writes) against {@code ./sfd demo} with the same seed:
 * both at 2 iterations, the same generator bytes and the same figures. Shipped networks and real test images.
 */
@Tag("slow")
class LibraryMatchesDemoTest {
    @TempDir
    Path dir;

    @Test
    void libraryRecipeIsTheDemo() throws Exception {
        Assumptions.assumeTrue(FashionMnist.isAvailable(), FashionMnist.installHint());
        Assumptions.assumeTrue(Models.shippedStage1(), "this build ships no stage 1");
        Path cli = dir.resolve("demo");
        CliEndToEndTest.assertFinished(SfdCli.execute("demo", "--iterations", "2", "--max-iterations", "2", "--eval-samples", "20", "--eval-per-class", "5",
                "--before-per-class", "1", "--out", cli.toString()));

        // the library, as the README's example: recipe, run, evaluator
        ForgetPlan plan = ForgetPlan.classes().forget(0).overrideWith(1);
        SfdRecipe recipe = SfdRecipe.robust(Models.stage1("shipped").networks()).seed(7).iterations(2).stopRule(StopRule.fixedLength());
        Evaluator evaluator = Models.withShippedSecondJudge(new Evaluator(Models.classifier(), FashionMnist.test()));
        Path lib = dir.resolve("library");
        ForgetRun.Result result = new ForgetRun(Models.teacher(), plan, recipe, lib).judge(evaluator.quickJudge(recipe.quickPerClass())).run();
        result.generator().save(lib.resolve("generator.safetensors"), Map.of("sfd.plan", plan.toString()));
        Figures figures = evaluator.figures(result.generator(), plan, 20, 5, 9_000);

        assertEquals(2, result.iterations());
        assertArrayEquals(Files.readAllBytes(cli.resolve("generator.safetensors")), Files.readAllBytes(lib.resolve("generator.safetensors")),
                "generator bytes");
        Map<String, Object> report = Json.readMap(cli.resolve("report.json"));
        assertEquals(Json.write(report.get("generator")), Json.write(Json.parseMap(Json.write(figures.toJson()))), "figures JSON");
        assertEquals(Json.write(Json.parseMap(Json.write(recipe.config().toMap()))), Json.write(report.get("config")), "configuration");
    }
}
