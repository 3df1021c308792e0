package dev.sfd.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.FormatException;
import dev.sfd.SfdException;
import dev.sfd.io.Json;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.OverrideMode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Figures of a plan from a per-class table against hand-computed values, and the one JSON form. */
class FiguresTest {
    /** Three classes, 4 images each; confusion rows written out by hand. */
    static final String TABLE = "{\"images\": 12, \"per_class\": ["
            + "{\"class\": 0, \"accuracy\": 0.5, \"fd\": 10.0, \"predicted\": [2, 1, 1]},"
            + "{\"class\": 1, \"accuracy\": 0.75, \"fd\": 20.0, \"predicted\": [0, 3, 1]},"
            + "{\"class\": 2, \"accuracy\": 1.0, \"fd\": 40.0, \"predicted\": [0, 0, 4]}]}";

    static ClassTable table() { return ClassTable.fromJson(Json.parseMap(TABLE), "test"); }

    @Test
    void planFiguresFollowTheConfusionRows() {
        Figures f = Figures.ofTable(table(), ForgetPlan.classes().forget(0).overrideWith(1), null);
        assertEquals(0.5, f.ua(), 1e-12);            // 2 of 4 class-0 images are not classified as 0
        assertEquals(0.25, f.overrideShare(), 1e-12);  // 1 of 4 is classified as the override 1
        assertEquals(0.5, f.forgottenRate(), 1e-12);
        assertEquals((0.75 + 1.0) / 2, f.remainAccuracy(), 1e-12);
        assertEquals((20.0 + 40.0) / 2, f.fdRemain(), 1e-12);
        assertArrayEquals(new int[] {2, 1, 1}, f.perForgetClass().get(0).histogram());

        Figures g = Figures.ofTable(table(), ForgetPlan.parse("1->2"), null);
        assertEquals(0.25, g.ua(), 1e-12);
        assertEquals(0.25, g.overrideShare(), 1e-12);
        assertEquals((0.5 + 1.0) / 2, g.remainAccuracy(), 1e-12);
    }

    @Test
    void aPlanOutsideTheTableIsRejected() {
        assertThrows(SfdException.class, () -> Figures.ofTable(table(), ForgetPlan.parse("5->1"), null));
        FormatException e = assertThrows(FormatException.class, () -> ClassTable.fromJson(Json.parseMap("{\"images\": 3}"), "stored.json"));
        assertTrue(e.getMessage().contains("stored.json") && e.getMessage().contains("per_class"), e.getMessage());
    }

    @Test
    void tableFromPredictionsCountsConfusionRows() {
        int[] labels = {0, 0, 1, 1, 2};
        int[] pred = {0, 1, 1, 1, 0};
        ClassTable t = ClassTable.of(labels, pred, new double[] {0.5, 1.0, 0.0}, new double[] {1, Double.NaN, 3}, 3);
        assertArrayEquals(new int[] {1, 1, 0}, t.rows().get(0).predicted());
        assertArrayEquals(new int[] {1, 0, 0}, t.rows().get(2).predicted());
        assertEquals(0.5, t.meanAccuracy(), 1e-12);
        assertEquals(2.0, t.meanFd(), 1e-12); // the NaN class is skipped
        ClassTable back = ClassTable.fromJson(Json.parseMap(Json.write(t.toJson())), "round trip");
        assertEquals(Json.write(t.toJson()), Json.write(back.toJson()));
        assertArrayEquals(t.rows().get(1).predicted(), back.rows().get(1).predicted());
        assertTrue(Double.isNaN(back.rows().get(1).fd()));
    }

    @Test
    void jsonRoundTripsEveryPart() {
        Figures f = Figures.ofTable(table(), ForgetPlan.parse("0->1"), new Figures.Sampling("heun-18", 35, 4, 4, "stored"));
        Map<String, Object> json = Json.parseMap(Json.write(f.toJson()));
        assertEquals(List.of("ua", "as_override", "remain_accuracy", "fd_remain", "per_forget_class", "remain", "sampler",
                "network_calls_per_image", "forget_samples", "remain_samples_per_class", "source"), List.copyOf(json.keySet()));
        Figures back = Figures.fromJson(json, "round trip");
        assertEquals(Json.write(f.toJson()), Json.write(back.toJson()));
        // headline-only figures write only the headline; NaN survives as the string form
        Figures q = Figures.of(Double.NaN, 0.5, 0.9, 12);
        Figures qb = Figures.fromJson(Json.parseMap(Json.write(q.toJson())), "quick");
        assertTrue(Double.isNaN(qb.ua()));
        assertNull(qb.remain());
        assertEquals(4, q.toJson().size());
        FormatException e = assertThrows(FormatException.class, () -> Figures.fromJson(Json.parseMap("{\"ua\": 1}"), "eval.json"));
        assertTrue(e.getMessage().contains("eval.json") && e.getMessage().contains("as_override"), e.getMessage());
    }

    /** A four-class table where the forgotten class 0's images went to classes 1, 2 and 3 (and one stayed). */
    static final String SPREAD = "{\"images\": 16, \"per_class\": ["
            + "{\"class\": 0, \"accuracy\": 0.25, \"fd\": 10.0, \"predicted\": [1, 1, 2, 0]},"
            + "{\"class\": 1, \"accuracy\": 1.0, \"fd\": 20.0, \"predicted\": [0, 4, 0, 0]},"
            + "{\"class\": 2, \"accuracy\": 1.0, \"fd\": 30.0, \"predicted\": [0, 0, 4, 0]},"
            + "{\"class\": 3, \"accuracy\": 0.5, \"fd\": 40.0, \"predicted\": [0, 0, 2, 2]}]}";

    @Test
    void randomModeReportsTheDistributionOverTheRemainingClassesInsteadOfAnOverrideShare() {
        ClassTable t = ClassTable.fromJson(Json.parseMap(SPREAD), "spread");
        ForgetPlan plan = ForgetPlan.parse("0->1");
        Figures f = Figures.ofTable(t, plan, OverrideMode.RANDOM, null);
        assertEquals(OverrideMode.RANDOM, f.overrideMode());
        assertEquals(0.75, f.ua(), 1e-12);
        assertEquals(0.75, f.overrideShare(), 1e-12); // 3 of 4 drawn as some remaining class, not 1 of 4 as the plan's class 1
        assertEquals(Figures.ForgetRow.NO_OVERRIDE, f.perForgetClass().get(0).override());
        assertEquals("as a remaining class", f.overrideShareName());
        Map<String, Object> json = Json.parseMap(Json.write(f.toJson()));
        assertEquals("random", json.get("override_mode"));
        assertTrue(json.containsKey("as_remaining") && !json.containsKey("as_override"), json.keySet().toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> row = ((List<Map<String, Object>>) json.get("per_forget_class")).get(0);
        assertTrue(!row.containsKey("override") && !row.containsKey("as_override"), row.keySet().toString());
        assertEquals(Map.of("1", 0.25, "2", 0.5, "3", 0.0), Map.copyOf(doubles((Map<?, ?>) row.get("remain_distribution"))));
        Figures back = Figures.fromJson(json, "round trip");
        assertEquals(OverrideMode.RANDOM, back.overrideMode());
        assertEquals(Json.write(f.toJson()), Json.write(back.toJson()));
        // the same table in fixed mode keeps the override share and the JSON of before
        Figures fixed = Figures.ofTable(t, plan, null);
        assertEquals(0.25, fixed.overrideShare(), 1e-12);
        assertTrue(!fixed.toJson().containsKey("override_mode") && fixed.toJson().containsKey("as_override"));
        assertEquals(0.75, Figures.overrideShareOf(new int[] {0, 1, 2, 2}, Figures.ForgetRow.NO_OVERRIDE, new int[] {1, 2, 3}, OverrideMode.CLASSIFIER), 1e-12);
        assertEquals(0.25, Figures.overrideShareOf(new int[] {0, 1, 2, 2}, 1, new int[] {1, 2, 3}, OverrideMode.FIXED), 1e-12);
    }

    private static Map<String, Double> doubles(Map<?, ?> m) {
        Map<String, Double> out = new java.util.HashMap<>();
        m.forEach((k, v) -> out.put((String) k, Json.toDouble(v)));
        return out;
    }

    @Test
    void severalForgottenClassesAreAveragedAndAnOverrideOutsideTheTableIsNamed() {
        Figures f = Figures.ofTable(table(), ForgetPlan.parse("0->2,1->2"), null);
        assertEquals((0.5 + 0.25) / 2, f.ua(), 1e-12);             // class 0: 2 of 4 elsewhere, class 1: 1 of 4
        assertEquals((0.25 + 0.25) / 2, f.overrideShare(), 1e-12);  // one image of each as class 2
        assertEquals(1.0, f.remainAccuracy(), 1e-12);
        assertEquals(40.0, f.fdRemain(), 1e-12);
        FormatException e = assertThrows(FormatException.class,
                () -> Figures.ofTable(table(), ForgetPlan.parse("0->3"), new Figures.Sampling("heun-18", 35, 4, 4, "stored.json")));
        assertEquals("class table (stored.json) has no class 3", e.getMessage());
        e = assertThrows(FormatException.class, () -> Figures.ofTable(table(), ForgetPlan.parse("0->3"), null));
        assertEquals("class table (class table) has no class 3", e.getMessage());
        e = assertThrows(FormatException.class,
                () -> Figures.ofTable(table(), ForgetPlan.parse("0->3"), new Figures.Sampling("heun-18", 35, 4, 4, null)));
        assertEquals("class table (class table) has no class 3", e.getMessage());
    }

    @Test
    void aSecondJudgeMakesTheVerdictStricterAndSamplingIsKept() {
        Figures f = Figures.of(0.995, 0.95, 0.8, 30);
        Figures.Sampling s = new Figures.Sampling("heun-18", 35, 200, 100, null);
        assertEquals(s, f.withSampling(s).sampling());
        assertEquals(0.995, f.withSampling(s).ua());
        Figures both = f.withSecondJudge(new Figures.SecondJudge("second", 0.98, 0.97, 0.7));
        assertEquals(0.98, both.uaByBoth());
        assertEquals(0.95, both.overrideShareByBoth());
        assertTrue(f.forgotten(0.99, 0.9));
        assertFalse(both.forgotten(0.99, 0.9), "the second judge's UA 0.98 is below 0.99");
    }
}
