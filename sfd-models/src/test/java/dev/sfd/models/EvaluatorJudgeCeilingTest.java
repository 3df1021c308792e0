package dev.sfd.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.eval.JudgeCeiling;
import dev.sfd.models.data.SyntheticDataset;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.OverrideMode;
import org.junit.jupiter.api.Test;

/** The judges' ceiling on real images of the override class, with judges that call every image one class (known figures). */
class EvaluatorJudgeCeilingTest {
    static final SyntheticDataset REAL = new SyntheticDataset(60, 10, 4);

    @Test
    void theCeilingIsWhatTheJudgesReadOnRealImagesOfTheOverride() {
        // the first judge calls everything class 6 (Shirt), the second everything class 0 (T-shirt/top)
        Evaluator ev = new Evaluator(ConstantJudge.of(Classifier.Arch.CNN6, 6), REAL).secondJudge(ConstantJudge.of(Classifier.Arch.CNN3K5, 0), "b");
        JudgeCeiling c = ev.judgeCeiling(ForgetPlan.classes().forget(6).overrideWith(0));
        assertEquals(0.0, c.ua(), "the first judge reads every real image of the override as the forgotten class");
        assertEquals(0.0, c.overrideShare());
        assertEquals(1.0, c.secondUa());
        assertEquals(1.0, c.secondOverrideShare());
        assertEquals(0.0, c.uaByBoth(), "the stricter judge");
        assertEquals(REAL.indicesOf(0).length, c.images());
        assertTrue(c.description().contains(REAL.classNames().get(0) + " as not " + REAL.classNames().get(6)), c.description());
        assertTrue(c.uaText().startsWith("the judges read 0.000 / 1.000 of real"), c.uaText());

        // two forgotten classes: the lowest pair per judge, as the bar reads the worst pair
        // (first judge: override 0 read as 6 -> UA 0, override 1 not read as 3 -> UA 1; second judge calls all 0)
        JudgeCeiling two = ev.judgeCeiling(ForgetPlan.classes().forget(6).overrideWith(0).forget(3).overrideWith(1));
        assertEquals(0.0, two.ua(), 1e-12);
        assertEquals(0.0, two.overrideShare(), 1e-12);
        assertEquals(1.0, two.secondUa(), 1e-12);
        assertEquals(0.0, two.secondOverrideShare(), 1e-12, "override 1 is never read as 1 by the second judge");
        assertTrue(two.description().contains("(lowest pair of "), two.description());
        assertTrue(two.overrideText().endsWith("of each override class as that class (lowest pair)"), two.overrideText());
        JudgeCeiling back = JudgeCeiling.fromJson(dev.sfd.io.Json.parseMap(dev.sfd.io.Json.write(two.toJson())), "test");
        assertEquals(two, back);
    }

    @Test
    void noCeilingWithoutRealImagesOrAFixedOverride() {
        ForgetPlan plan = ForgetPlan.classes().forget(6).overrideWith(0);
        assertNull(new Evaluator(ConstantJudge.of(Classifier.Arch.CNN6, 6), null).judgeCeiling(plan));
        assertNull(new Evaluator(ConstantJudge.of(Classifier.Arch.CNN6, 6), REAL).judgeCeiling(plan, OverrideMode.RANDOM));
        JudgeCeiling one = new Evaluator(ConstantJudge.of(Classifier.Arch.CNN6, 1), REAL).judgeCeiling(plan);
        assertFalse(one.hasSecond());
        assertEquals(1.0, one.uaByBoth());
        assertTrue(one.uaText().startsWith("the judge reads 1.000 of real"), one.uaText());
    }
}
