package dev.sfd.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.models.data.SyntheticDataset;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.OneStepGenerator;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FD-only evaluation and the one place that builds an evaluator from a judge spec. */
class EvaluatorFdRemainTest {
    static final SongUnetConfig SMALL = new SongUnetConfig(32, 1, 1, 10, 0, 8, new int[] {1, 2}, 2, 1, new int[] {16}, 0, 0, 1);
    static final ForgetPlan PLAN = ForgetPlan.classes().forget(0).overrideWith(1);

    @Test
    void fdRemainIsTheFullFiguresFdWithoutTheSecondJudge() {
        OneStepGenerator g = new OneStepGenerator(SongUnet.create(SMALL, 1), 2.5);
        Evaluator ev = new Evaluator(new Classifier(1, 4, 10, 6), new SyntheticDataset(60, 10, 3));
        double full = ev.figures(g, PLAN, 1, 3, 9_100).fdRemain();
        assertFalse(Double.isNaN(full));
        assertEquals(full, ev.fdRemain(g, PLAN, 3, 9_100), "same latents, same FD");
        assertTrue(ev.fdRemain(g, PLAN, 3, 1) != full, "another seed, other latents");
        // a second judge that cannot read these 1-channel images: the full figures fail, the FD-only path never asks it
        ev.secondJudge(new Classifier(Classifier.Arch.CNN3K5, 3, 4, 10, 1), "three-channel judge");
        assertThrows(RuntimeException.class, () -> ev.figures(g, PLAN, 1, 3, 9_100));
        assertEquals(full, ev.fdRemain(g, PLAN, 3, 9_100));
        assertTrue(Double.isNaN(new Evaluator(new Classifier(1, 4, 10, 6), null).fdRemain(g, PLAN, 3, 9_100)), "no reference images: no FD");
    }

    @Test
    void fdAtTheTeachersCountReusesTheFiguresOnlyAtTheirOwnCount() {
        OneStepGenerator g = new OneStepGenerator(SongUnet.create(SMALL, 1), 2.5);
        Evaluator ev = new Evaluator(new Classifier(1, 4, 10, 6), new SyntheticDataset(60, 10, 3));
        dev.sfd.eval.Figures f = ev.figures(g, PLAN, 1, 3, 9_000);
        assertEquals(f.fdRemain(), ev.fdRemainAt(g, PLAN, f, 3, 9_000), "drawn at the teacher's count: nothing drawn again");
        double at5 = ev.fdRemainAt(g, PLAN, f, 5, 9_000);
        assertEquals(ev.fdRemain(g, PLAN, 5, 9_100), at5, "another count: fresh latents from seed + 100");
        assertTrue(at5 != f.fdRemain());
        assertTrue(Double.isNaN(ev.fdRemainAt(g, PLAN, dev.sfd.eval.Figures.of(1, 1, 1, Double.NaN), 5, 9_000)), "no FD in the figures: none");
    }

    @Test
    void aJudgeFileReadsAloneTheShippedJudgeWithBothShippedJudges(@TempDir Path dir) {
        Evaluator file = Models.evaluator(ConstantJudge.save(dir, 2).toString(), null);
        assertNull(file.secondJudge());
        assertEquals(10, file.classifier().numClasses());
        if (Models.shipped(Models.CLASSIFIER) && Models.shipped(Models.SECOND_CLASSIFIER)) {
            Evaluator shipped = Models.evaluator("classifier", null);
            assertNotNull(shipped.secondJudge(), "the shipped judge comes with the shipped second judge");
            assertEquals(Classifier.Arch.CNN3K5, shipped.secondJudge().arch());
        }
    }
}
