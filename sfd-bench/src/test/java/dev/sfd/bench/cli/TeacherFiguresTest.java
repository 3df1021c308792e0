package dev.sfd.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sfd.SfdException;
import dev.sfd.io.Json;
import dev.sfd.unlearn.ForgetPlan;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Teacher figures of a forget plan from a stored per-class evaluation, against hand-computed values. */
class TeacherFiguresTest {
    /** Three classes, 4 images each; confusion rows written out by hand. */
    static final String EVALUATION = "{\"images\": 12, \"per_class\": ["
            + "{\"class\": 0, \"accuracy\": 0.5, \"fd\": 10.0, \"predicted\": [2, 1, 1]},"
            + "{\"class\": 1, \"accuracy\": 0.75, \"fd\": 20.0, \"predicted\": [0, 3, 1]},"
            + "{\"class\": 2, \"accuracy\": 1.0, \"fd\": 40.0, \"predicted\": [0, 0, 4]}]}";

    @Test
    void planFiguresFollowTheConfusionRows() {
        Map<String, Object> all = Json.parseMap(EVALUATION);
        Map<String, Object> f = TeacherFigures.fromEvaluation(all, ForgetPlan.classes().forget(0).overrideWith(1), "heun-18", "test");
        assertEquals(0.5, (Double) f.get("ua"), 1e-12);            // 2 of 4 class-0 images are not classified as 0
        assertEquals(0.25, (Double) f.get("as_override"), 1e-12);  // 1 of 4 is classified as the override 1
        assertEquals((0.75 + 1.0) / 2, (Double) f.get("remain_accuracy"), 1e-12);
        assertEquals((20.0 + 40.0) / 2, (Double) f.get("fd_remain"), 1e-12);

        Map<String, Object> g = TeacherFigures.fromEvaluation(all, ForgetPlan.parse("1->2"), "heun-18", "test");
        assertEquals(0.25, (Double) g.get("ua"), 1e-12);
        assertEquals(0.25, (Double) g.get("as_override"), 1e-12);
        assertEquals((0.5 + 1.0) / 2, (Double) g.get("remain_accuracy"), 1e-12);
    }

    @Test
    void aPlanOutsideTheEvaluationIsRejected() {
        Map<String, Object> all = Json.parseMap(EVALUATION);
        assertThrows(SfdException.class, () -> TeacherFigures.fromEvaluation(all, ForgetPlan.parse("5->1"), "heun-18", "test"));
        assertThrows(SfdException.class, () -> TeacherFigures.fromEvaluation(Json.parseMap("{\"images\": 3}"), ForgetPlan.parse("0->1"), "heun-18", "test"));
    }
}
