package dev.sfd.unlearn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import org.junit.jupiter.api.Test;

/** The named recipes hold the values the demo was measured with. */
class SfdRecipeTest {
    @Test
    void twoStageAndRobustRecipes() {
        var net = SfdCheckpointTest.teacher();
        SfdRecipe r = SfdRecipe.twoStage(new Stage1(new OneStepGenerator(net, 1.7), net));
        SfdConfig c = r.config();
        assertEquals(150, c.iterations());
        assertEquals(8, c.batchRemain());
        assertEquals(8, c.batchForget());
        assertEquals(5e-5, c.lrGenerator(), 0.0);
        assertEquals(5e-5, c.lrFake(), 0.0);
        assertEquals(0.3, c.lambdaForget(), 0.0);
        assertEquals(0.3, c.lambdaFakeForget(), 0.0);
        assertEquals(1.0, c.keep(), 0.0);
        assertEquals(1.7, c.sigmaInit(), 0.0, "stage 2 keeps stage 1's sigma_init");
        assertEquals(SfdConfig.EmaMode.HALF_LIFE, c.emaMode());
        assertEquals(0.5, c.emaRampup(), 0.0);
        assertEquals(7, c.seed());
        assertEquals(50, r.evalEvery());
        assertEquals(40, r.quickPerClass());
        assertEquals(400, r.stopRule().maxIterations(150));
        assertTrue(!c.tieForgotten());
        SfdRecipe robust = SfdRecipe.robust(new Stage1(new OneStepGenerator(net, 1.7), net));
        assertEquals(c.tieForgotten(true).iterations(SfdRecipe.ROBUST_ITERATIONS), robust.config());
        assertEquals(r.evalEvery(), robust.evalEvery());
    }

    @Test
    void oneStageAndPaper() {
        SfdRecipe one = SfdRecipe.oneStage();
        assertEquals(SfdConfig.defaults().iterations(150), one.config());
        assertEquals(0.1, one.config().lambdaForget(), 0.0);
        assertEquals(0.0, one.config().keep(), 0.0);
        SfdRecipe paper = SfdRecipe.paper();
        assertEquals(SfdConfig.paperEdm(), paper.config());
        assertEquals(0, paper.evalEvery());
        paper.validate();
        assertEquals(7, one.seed(7).config().seed());
        assertEquals(8, one.seed(8).config().seed());
        assertEquals(1.0, one.seed(8).config().lambdaRemain(), 0.0);
    }

    @Test
    void badRecipesAreRejected() {
        assertThrows(SfdException.class, () -> SfdRecipe.twoStage(0));
        assertThrows(SfdException.class, () -> SfdRecipe.twoStage((Stage1) null));
        assertThrows(SfdException.class, () -> SfdRecipe.oneStage().evalEvery(-1));
        SfdException e = assertThrows(SfdException.class, () -> SfdRecipe.oneStage().evalEvery(0).validate());
        assertTrue(e.getMessage().contains("quick evaluations"), e.getMessage());
        assertThrows(SfdException.class, () -> SfdRecipe.oneStage().stage1Config());
    }
}
