package dev.sfd.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.FormatException;
import dev.sfd.SfdException;
import dev.sfd.io.Json;
import dev.sfd.unlearn.ForgetPlan;
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
}
