package dev.sfd.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.ConfigException;
import dev.sfd.eval.Figures;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.ForgetPlan;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two judges: judges that call every image one fixed class make the figures known in advance, so the second reading,
 * the "forgotten only when both agree" rule and the JSON round trip are checked by value.
 */
class EvaluatorSecondJudgeTest {
    static final ForgetPlan PLAN = ForgetPlan.classes().forget(0).overrideWith(1);

    static Figures read(Classifier first, Classifier second) {
        Evaluator ev = new Evaluator(first, null);
        if (second != null) ev.secondJudge(second, "judge-b");
        RandomStream rng = new RandomStream(3);
        Tensor forget = rng.normal(DType.FLOAT32, 6, 1, 32, 32);
        int[] remainLabels = new int[9 * 2];
        for (int i = 0; i < remainLabels.length; i++) remainLabels[i] = 1 + i / 2;
        Tensor remain = rng.normal(DType.FLOAT32, remainLabels.length, 1, 32, 32);
        return ev.figuresOf(PLAN, new Tensor[] {forget}, remain, remainLabels);
    }

    @Test
    void bothJudgesMustAgreeThatThePlanIsForgotten() {
        // the first judge calls everything Trouser (forgotten, as override); the second calls everything T-shirt/top
        Figures f = read(ConstantJudge.of(Classifier.Arch.CNN6, 1), ConstantJudge.of(Classifier.Arch.CNN3K5, 0));
        assertEquals(1.0, f.ua());
        assertEquals(1.0, f.overrideShare());
        assertEquals("judge-b", f.second().name());
        assertEquals(0.0, f.second().ua());
        assertEquals(0.0, f.second().overrideShare());
        assertEquals(0.0, f.second().remainAccuracy());
        assertEquals(0.0, f.uaByBoth());
        assertFalse(f.forgotten(0.99, 0.90), "the second judge still sees T-shirts");
        // both call everything Trouser: forgotten by both; remaining accuracy 1/9 (only class 1 is right) for both
        Figures g = read(ConstantJudge.of(Classifier.Arch.CNN6, 1), ConstantJudge.of(Classifier.Arch.CNN3K5, 1));
        assertTrue(g.forgotten(0.99, 0.90));
        assertEquals(1.0 / 9, g.second().remainAccuracy(), 1e-12);
        assertEquals(1.0 / 9, g.remainAccuracy(), 1e-12);
    }

    @Test
    void oneJudgeAloneKeepsTheOldFigures() {
        Figures f = read(ConstantJudge.of(Classifier.Arch.CNN6, 1), null);
        assertNull(f.second());
        assertEquals(f.ua(), f.uaByBoth());
        assertTrue(f.forgotten(0.99, 0.90));
        assertFalse(f.toJson().containsKey("second_judge"));
    }

    @Test
    void secondReadingSurvivesJson() {
        Figures f = read(ConstantJudge.of(Classifier.Arch.CNN6, 1), ConstantJudge.of(Classifier.Arch.CNN3K5, 0));
        Map<String, Object> json = dev.sfd.io.Json.parseMap(dev.sfd.io.Json.write(f.toJson()));
        @SuppressWarnings("unchecked")
        Map<String, Object> second = (Map<String, Object>) json.get("second_judge");
        assertEquals("judge-b", second.get("classifier"));
        assertEquals(0.0, dev.sfd.io.Json.toDouble(second.get("ua")));
        Figures back = Figures.fromJson(json, "test");
        assertEquals(f.second(), back.second());
        assertFalse(back.forgotten(0.99, 0.90));
    }

    @Test
    void badSecondJudgesAreRefused() {
        Classifier first = ConstantJudge.of(Classifier.Arch.CNN6, 1);
        Evaluator ev = new Evaluator(first, null);
        assertThrows(ConfigException.class, () -> ev.secondJudge(null, "x"));
        assertThrows(ConfigException.class, () -> ev.secondJudge(first, "x"));
        ConfigException e = assertThrows(ConfigException.class, () -> ev.secondJudge(new Classifier(Classifier.Arch.CNN3K5, 1, 4, 7, 1), "x"));
        assertTrue(e.getMessage().contains("7 classes"), e.getMessage());
    }

    @Test
    void quickEvaluationsAskBothJudges() {
        dev.sfd.unlearn.OneStepGenerator g = new dev.sfd.unlearn.OneStepGenerator(SongUnet.create(BadInputTest.SMALL, 1), 2.5);
        ForgetPlan two = ForgetPlan.classes().forget(0).overrideWith(1).forget(2).overrideWith(1);
        Evaluator ev = new Evaluator(ConstantJudge.of(Classifier.Arch.CNN6, 1), null).secondJudge(ConstantJudge.of(Classifier.Arch.CNN3K5, 2), "judge-b");
        Figures q = ev.quick(g, two, 2);
        assertEquals(1.0, q.ua());
        assertEquals(1.0, q.overrideShare());
        // the second judge calls everything class 2: label 0 is forgotten by it (UA 1), label 2 is not (UA 0)
        assertEquals(0.5, q.second().ua(), 1e-12);
        assertEquals(0.0, q.second().overrideShare());
        assertFalse(q.forgotten(0.99, 0.90));
        assertTrue(ev.quickJudge(2).judge(g, two).second() != null);
    }

    @Test
    void severalPairsAreForgottenOnlyWhenTheWorstPairIs() {
        dev.sfd.unlearn.OneStepGenerator g = new dev.sfd.unlearn.OneStepGenerator(SongUnet.create(BadInputTest.SMALL, 1), 2.5);
        ForgetPlan two = ForgetPlan.classes().forget(0).overrideWith(1).forget(2).overrideWith(1);
        // the first judge calls everything class 2: label 0 is forgotten (UA 1), label 2 is not (UA 0); mean 0.5
        Evaluator ev = new Evaluator(ConstantJudge.of(Classifier.Arch.CNN6, 2), null).secondJudge(ConstantJudge.of(Classifier.Arch.CNN3K5, 1), "judge-b");
        Figures q = ev.quick(g, two, 2);
        assertEquals(0.5, q.ua(), 1e-12);
        assertEquals(2, q.perForgetClass().size(), "one row per forgotten label");
        assertEquals(1.0, q.perForgetClass().get(0).ua());
        assertEquals(0.0, q.worstUa());
        assertEquals(0.0, q.worstUaByBoth());
        assertFalse(q.forgotten(0.5, 0.0), "the mean reaches 0.5, the worst pair does not");
        // the second judge's worst pair counts too: first judge everything Trouser (both pairs forgotten), second class 2
        Figures r = new Evaluator(ConstantJudge.of(Classifier.Arch.CNN6, 1), null).secondJudge(ConstantJudge.of(Classifier.Arch.CNN3K5, 2), "judge-b").quick(g, two, 2);
        assertEquals(0.5, r.second().ua(), 1e-12);
        assertEquals(0.0, r.second().worstUa());
        assertFalse(r.forgotten(0.5, 0.0));
        Figures back = Figures.fromJson(dev.sfd.io.Json.parseMap(dev.sfd.io.Json.write(r.toJson())), "test");
        assertEquals(r.second(), back.second(), "worst figures survive JSON");
        // one forgotten class: worst = mean, so single-pair runs decide as before
        Figures one = ev.quick(g, PLAN, 2);
        assertEquals(one.uaByBoth(), one.worstUaByBoth());
    }
}
