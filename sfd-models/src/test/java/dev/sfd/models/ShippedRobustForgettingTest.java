package dev.sfd.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.ForgetRun;
import dev.sfd.unlearn.OneStepGenerator;
import dev.sfd.unlearn.SfdRecipe;
import dev.sfd.unlearn.StopRule;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default recipe's claim on the real networks: {@link SfdRecipe#robust} (what {@code ./sfd demo} runs), from the
 * shipped stage 1 with the shipped teacher, through {@link ForgetRun}, cut to {@value #ITERATIONS} iterations. With the
 * forgotten label tied to its override, forgetting is complete from the first iterations: at least
 * {@value #MIN_UA} of 200 one-step samples of label 0 are judged not T-shirt/top and at least {@value #MIN_OVERRIDE}
 * Trouser by the shipped classifier, while the remaining classes keep their accuracy within
 * {@value ShippedForgettingTest#ACCURACY_MARGIN} of the teacher's stored evaluation.
 *
 * <p>Negative control: {@code -Dsfd.test.tie=false} runs the same iterations without the tie (plain SFD-Two-Stage,
 * which needs many more iterations to remap the label) and the test fails. Budget: {@value #ITERATIONS} iterations of
 * 8 + 8 images plus 380 one-step samples, about a minute on an idle 2-core machine. Run with {@code -Dsfd.slow=true}.
 */
@Tag("slow")
class ShippedRobustForgettingTest {
    static final int ITERATIONS = 6;
    static final double MIN_UA = 0.99;
    static final double MIN_OVERRIDE = 0.90;

    @TempDir Path dir;

    @Test
    void robustRecipeForgetsAtOnceAndKeeps() {
        Assumptions.assumeTrue(Models.shipped(Models.TEACHER) && Models.shipped(Models.CLASSIFIER) && Models.shippedStage1(),
                "needs the shipped teacher, classifier and stage 1");
        boolean tie = Boolean.parseBoolean(System.getProperty("sfd.test.tie", "true"));
        EdmPrecond teacher = Models.denoiser("teacher");
        Classifier judge = Models.classifier();
        ForgetPlan plan = ForgetPlan.classes().forget(ShippedForgettingTest.FORGET).overrideWith(ShippedForgettingTest.OVERRIDE);
        SfdRecipe recipe = SfdRecipe.robust(Models.stage1("shipped").networks()).seed(7).iterations(ITERATIONS)
                .evalEvery(0).stopRule(StopRule.fixedLength());
        recipe = recipe.config(recipe.config().tieForgotten(tie));
        long t0 = System.nanoTime();
        OneStepGenerator g = new ForgetRun(teacher, plan, recipe, dir).run().generator();
        double seconds = (System.nanoTime() - t0) / 1e9;

        int[] forgotten = judge.predict(g.sample(ShippedForgettingTest.filled(200, ShippedForgettingTest.FORGET), 4242), 100);
        double ua = 1 - ShippedForgettingTest.share(forgotten, ShippedForgettingTest.FORGET);
        double asOverride = ShippedForgettingTest.share(forgotten, ShippedForgettingTest.OVERRIDE);
        double sumAcc = 0;
        for (int c = 0; c < teacher.labelDim(); c++) {
            if (c == ShippedForgettingTest.FORGET) continue;
            sumAcc += ShippedForgettingTest.share(judge.predict(g.sample(ShippedForgettingTest.filled(20, c), 5000 + c), 100), c);
        }
        double accuracy = sumAcc / (teacher.labelDim() - 1);
        double teacherAccuracy = ShippedForgettingTest.teacherRemainingAccuracy();
        String msg = String.format("tie %s, %d iterations in %.0f s: UA %.3f, as override %.3f on 200 samples; remaining accuracy %.3f "
                + "(teacher %.3f, margin %.2f)", tie, ITERATIONS, seconds, ua, asOverride, accuracy, teacherAccuracy,
                ShippedForgettingTest.ACCURACY_MARGIN);
        System.out.println("ShippedRobustForgettingTest: " + msg);
        assertTrue(ua >= MIN_UA, msg);
        assertTrue(asOverride >= MIN_OVERRIDE, msg);
        assertTrue(accuracy >= teacherAccuracy - ShippedForgettingTest.ACCURACY_MARGIN, msg);
    }
}
