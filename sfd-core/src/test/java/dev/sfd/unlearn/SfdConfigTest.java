package dev.sfd.unlearn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import org.junit.jupiter.api.Test;

class SfdConfigTest {
    @Test
    void learningRateAnnealingIsLinearAfterItsStart() {
        SfdConfig off = SfdConfig.defaults().iterations(11);
        for (long s = 0; s < 11; s++) assertEquals(1.0, off.lrScale(s), 0.0);
        // 11 iterations, anneal after 40%: constant through step 4.4, then linear to 0.1 at step 10
        SfdConfig c = off.lrAnneal(0.4, 0.1);
        assertEquals(1.0, c.lrScale(0), 0.0);
        assertEquals(1.0, c.lrScale(4), 0.0);
        assertEquals(1.0 - 0.9 * (5 - 4.4) / (10 - 4.4), c.lrScale(5), 1e-12);
        assertEquals(0.1, c.lrScale(10), 1e-12);
        for (long s = 1; s < 11; s++) assertTrue(c.lrScale(s) <= c.lrScale(s - 1), "non-increasing at " + s);
        assertThrows(SfdException.class, () -> off.lrAnneal(1.5, 0.1));
        assertThrows(SfdException.class, () -> off.lrAnneal(0.5, -0.1));
    }

    @Test
    void annealingKeysAppearOnlyWhenUsed() {
        // checkpoints compare configuration strings: a run without annealing keeps the string older versions wrote
        assertFalse(SfdConfig.defaults().toMap().containsKey("lr_anneal_start"));
        assertEquals(0.5, SfdConfig.defaults().lrAnneal(0.5, 0.2).toMap().get("lr_anneal_start"));
        assertFalse(SfdConfig.defaults().lrAnneal(0.5, 0.2).equals(SfdConfig.defaults()));
    }

    @Test
    void anchorIsValidatedAndRecordedOnlyWhenUsed() {
        assertFalse(SfdConfig.defaults().toMap().containsKey("anchor"));
        assertEquals(0.02, SfdConfig.defaults().anchor(0.02).toMap().get("anchor"));
        assertEquals(0.0, SfdConfig.defaults().anchor(0).anchor(), 0.0);
        assertThrows(SfdException.class, () -> SfdConfig.defaults().anchor(1.0));
        assertThrows(SfdException.class, () -> SfdConfig.defaults().anchor(-0.1));
        assertThrows(SfdException.class, () -> SfdConfig.defaults().anchor(Double.NaN));
        assertFalse(SfdConfig.defaults().toMap().containsKey("fake_warmup"));
        assertEquals(20L, SfdConfig.defaults().fakeWarmup(20).toMap().get("fake_warmup"));
        assertThrows(SfdException.class, () -> SfdConfig.defaults().fakeWarmup(-1));
    }

    @Test
    void remainWeightsParseValidateAndAppearOnlyWhenUsed() {
        assertFalse(SfdConfig.defaults().toMap().containsKey("remain_weights"));
        java.util.Map<Integer, Double> w = SfdConfig.parseRemainWeights(" 6:3, 2:1.5 ");
        assertEquals(java.util.Map.of(2, 1.5, 6, 3.0), w);
        SfdConfig c = SfdConfig.defaults().remainWeights(w);
        assertEquals("2:1.5,6:3.0", c.toMap().get("remain_weights"));
        assertEquals(w, SfdConfig.parseRemainWeights(SfdConfig.remainWeightsSpec(c.remainWeights())));
        assertTrue(SfdConfig.parseRemainWeights("").isEmpty());
        assertFalse(c.remainWeights(java.util.Map.of()).toMap().containsKey("remain_weights"));
        assertThrows(SfdException.class, () -> SfdConfig.parseRemainWeights("2=3"));
        assertThrows(SfdException.class, () -> SfdConfig.parseRemainWeights("2:x"));
        SfdException dup = assertThrows(SfdException.class, () -> SfdConfig.parseRemainWeights("2:1,2:3"));
        assertTrue(dup.getMessage().contains("class 2 is listed twice"), dup.getMessage());
        SfdException zero = assertThrows(SfdException.class, () -> SfdConfig.defaults().remainWeights(java.util.Map.of(4, 0.0)));
        assertTrue(zero.getMessage().contains("class 4") && zero.getMessage().contains("positive"), zero.getMessage());
        assertThrows(SfdException.class, () -> SfdConfig.defaults().remainWeights(java.util.Map.of(4, Double.POSITIVE_INFINITY)));
        assertThrows(SfdException.class, () -> SfdConfig.defaults().remainWeights(java.util.Map.of(-1, 2.0)));
        ForgetPlan plan = ForgetPlan.classes().forget(0).overrideWith(1);
        SfdException notRemain = assertThrows(SfdException.class,
                () -> SfdConfig.defaults().remainWeights(java.util.Map.of(0, 2.0)).requireRemainWeightsFit(plan, 10));
        assertTrue(notRemain.getMessage().contains("class 0") && notRemain.getMessage().contains("not a remaining class"), notRemain.getMessage());
        SfdConfig.defaults().remainWeights(java.util.Map.of(9, 2.0)).requireRemainWeightsFit(plan, 10);
        assertThrows(SfdException.class, () -> SfdConfig.defaults().remainWeights(java.util.Map.of(10, 2.0)).requireRemainWeightsFit(plan, 10));
    }

    @Test
    void weightedRemainDrawsFollowTheWeights() {
        int[] pool = {1, 2, 3};
        double[] cdf = ScoreForgettingDistillation.remainCdf(pool, new java.util.TreeMap<>(java.util.Map.of(2, 3.0)));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {0.2, 0.8, 1.0}, cdf, 1e-12);
        assertEquals(null, ScoreForgettingDistillation.remainCdf(pool, new java.util.TreeMap<>()));
        // a uniform grid of u gives the exact shares 1 : 3 : 1
        int n = 1000;
        double[] u = new double[n];
        for (int i = 0; i < n; i++) u[i] = (i + 0.5) / n;
        int[] counts = new int[4];
        for (int label : ScoreForgettingDistillation.pick(pool, cdf, u)) counts[label]++;
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {0, 200, 600, 200}, counts);
        // edges: u just below a boundary stays left of it, u = 0 takes the first class
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {1, 1, 2, 3, 3},
                ScoreForgettingDistillation.pick(pool, cdf, new double[] {0.0, 0.1999, 0.2, 0.8, 0.9999999}));
    }
}
