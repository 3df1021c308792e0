package dev.sfd.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import java.util.List;
import org.junit.jupiter.api.Test;

class BarTest {
    static Bar.Inputs in(double ua, double ov, double acc, double fd) { return new Bar.Inputs(ua, ov, acc, 0.80, fd, 20.0); }

    static List<String> failing(Bar.Verdict v) { return v.failures().stream().map(Bar.Failure::figure).toList(); }

    @Test
    void theProductBarAtItsEdges() {
        Bar b = Bar.PRODUCT;
        Bar.Verdict edge = b.check(in(0.99, 0.90, 0.76, 30.0)); // exactly 0.95x accuracy and 1.5x FD
        assertTrue(edge.met(), edge.summary());
        assertEquals("bar met", edge.summary());
        assertEquals(List.of("ua"), failing(b.check(in(0.989, 0.90, 0.8, 20))));
        assertEquals(List.of("as_override"), failing(b.check(in(1.0, 0.899, 0.8, 20))));
        assertEquals(List.of("remain_accuracy_ratio"), failing(b.check(in(1.0, 1.0, 0.759, 20))));
        assertEquals(List.of("fd_remain_ratio"), failing(b.check(in(1.0, 1.0, 0.8, 30.01))));
        Bar.Verdict all = b.check(in(0.963, 0.94, 0.5, 40));
        assertFalse(all.met());
        assertEquals(List.of("ua", "remain_accuracy_ratio", "fd_remain_ratio"), failing(all));
        assertTrue(all.summary().startsWith("below the bar: ua 0.963 < 0.990"), all.summary());
        assertEquals(false, all.toJson().get("bar_met"));
    }

    @Test
    void nanFailsAndUnknownTeacherFiguresAreNotJudged() {
        assertEquals(List.of("ua", "fd_remain_ratio"), failing(Bar.PRODUCT.check(in(Double.NaN, 1.0, 0.8, Double.NaN))));
        Bar.Verdict v = Bar.PRODUCT.check(new Bar.Inputs(1.0, 1.0, 0.1, Double.NaN, 99, Double.NaN));
        assertTrue(v.met(), v.summary());
        assertEquals(2, v.unjudged().size());
        assertTrue(v.summary().startsWith("bar met (not judged: remain_accuracy_ratio"), v.summary());
        assertEquals("ua 0.500 < 0.990", Bar.PRODUCT.check(in(0.5, 0.95, 0.8, 20)).failureText());
        assertThrows(SfdException.class, () -> new Bar(1.5, 0.9, 0.95, 1.5));
        assertThrows(SfdException.class, () -> new Bar(0.99, 0.9, 0.95, 0));
    }

    @Test
    void aFailingUaNamesTheJudgesCeilingAndTheRelativeCriterionIsSeparate() {
        JudgeCeiling c = new JudgeCeiling(0.927, 0.896, 0.899, 0.851, 1000, "real Fashion-MNIST test images",
                List.of(new JudgeCeiling.Pair(6, "Shirt", 0, "T-shirt/top")));
        Bar.Inputs in = new Bar.Inputs(0.959, 0.951, 0.92, 0.84, 27, 20.6, c);
        Bar.Verdict v = Bar.PRODUCT.check(in);
        assertFalse(v.met(), "the ceiling never moves the bar");
        assertEquals(List.of("ua"), failing(v));
        assertEquals("ua 0.959 < 0.990 (the judges read 0.927 / 0.899 of real Fashion-MNIST test images of T-shirt/top as not Shirt)",
                v.failureText());
        assertEquals(c.uaText(), ((java.util.Map<?, ?>) ((List<?>) v.toJson().get("bar_failures")).get(0)).get("note"));
        assertTrue(Bar.PRODUCT.atJudgeCeiling(in), "0.959 >= both judges' ceiling 0.899");
        assertFalse(Bar.PRODUCT.atJudgeCeiling(new Bar.Inputs(0.89, 0.95, 0.92, 0.84, 27, 20.6, c)));
        assertFalse(Bar.PRODUCT.atJudgeCeiling(new Bar.Inputs(0.999, 0.95, 0.92, 0.84, 27, 20.6)), "unknown ceiling: not claimed");
        // a ceiling above the bar: the relative criterion is the bar's UA
        JudgeCeiling high = new JudgeCeiling(1.0, 1.0, 0.999, 0.99, 1000, "x", List.of());
        assertFalse(Bar.PRODUCT.atJudgeCeiling(new Bar.Inputs(0.985, 0.95, 0.92, 0.84, 27, 20.6, high)));
        assertTrue(Bar.PRODUCT.atJudgeCeiling(new Bar.Inputs(0.99, 0.95, 0.92, 0.84, 27, 20.6, high)));
        assertEquals(0.999, high.uaByBoth());
        assertEquals("ua 0.500 < 0.990", Bar.PRODUCT.check(in(0.5, 0.95, 0.8, 20)).failureText(), "no ceiling, no note");
        assertEquals("as_override 0.808 < 0.900 (the judges read 0.896 / 0.851 of real Fashion-MNIST test images of T-shirt/top as the override)",
                Bar.PRODUCT.check(new Bar.Inputs(1.0, 0.808, 0.92, 0.84, 27, 20.6, c)).failureText());
        assertThrows(SfdException.class, () -> new JudgeCeiling(1, 1, 1, 1, 0, "x", List.of()));
    }

    @Test
    void inputsFromFiguresReadTheWorstPairByBothJudgesAndTheTeachersFigures() {
        // two forgotten classes: mean UA 0.995, worst 0.992 by the first judge; the second judge's worst is lower still
        List<Figures.ForgetRow> rows = List.of(new Figures.ForgetRow(0, 1, 0.998, 0.97, new int[10]), new Figures.ForgetRow(7, 5, 0.992, 0.95, new int[10]));
        Figures gen = new Figures(0.995, 0.96, 0.91, 31.0, rows, null, null)
                .withSecondJudge(new Figures.SecondJudge("b", 0.993, 0.955, 0.9, 0.985, 0.93));
        Figures teacher = Figures.of(0.01, 0.02, 0.92, 20.0);
        Bar.Inputs in = Bar.Inputs.of(gen, 27.5, teacher, null);
        assertEquals(new Bar.Inputs(0.985, 0.93, 0.91, 0.92, 27.5, 20.0, null), in, "the worst pair by the stricter judge, FD at the teacher's count");
        assertEquals(List.of("ua"), failing(Bar.PRODUCT.check(in)));

        JudgeCeiling c = new JudgeCeiling(0.99, 0.98, Double.NaN, Double.NaN, 1000, "real images", List.of(new JudgeCeiling.Pair(0, "a", 1, "b")));
        assertEquals(c, Bar.Inputs.of(gen, 27.5, teacher, c).ceiling());
        // an unknown teacher: neither ratio is judged
        Bar.Verdict unknown = Bar.PRODUCT.check(Bar.Inputs.of(Figures.of(1, 1, 0.1, 99), 99, null, null));
        assertTrue(unknown.met(), unknown.summary());
        assertEquals(2, unknown.unjudged().size());
        // FD not measured (no reference images): FD is not judged, accuracy still is
        Bar.Verdict noFd = Bar.PRODUCT.check(Bar.Inputs.of(Figures.of(1, 1, 0.5, Double.NaN), Double.NaN, teacher, null));
        assertEquals(List.of("remain_accuracy_ratio"), failing(noFd));
        assertEquals(List.of("fd_remain_ratio (no teacher FD at equal counts)"), noFd.unjudged());
        assertThrows(SfdException.class, () -> Bar.Inputs.of(null, 1, teacher, null));
    }

    @Test
    void thresholdsAreSharesAndRatiosAtTheirEdges() {
        // the edges themselves are valid bars
        new Bar(0, 0, 0, 1e-9);
        new Bar(1, 1, 2, 3);
        for (double bad : new double[] {-0.01, 1.01, Double.NaN}) {
            assertThrows(SfdException.class, () -> new Bar(bad, 0.9, 0.95, 1.5), "UA " + bad);
            assertThrows(SfdException.class, () -> new Bar(0.99, bad, 0.95, 1.5), "override " + bad);
        }
        assertThrows(SfdException.class, () -> new Bar(0.99, 0.9, -0.01, 1.5));
        assertThrows(SfdException.class, () -> new Bar(0.99, 0.9, Double.NaN, 1.5));
        assertThrows(SfdException.class, () -> new Bar(0.99, 0.9, 0.95, -1));
        assertThrows(SfdException.class, () -> new Bar(0.99, 0.9, 0.95, Double.NaN));
    }
}
