package dev.sfd.unlearn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import dev.sfd.eval.Figures;
import org.junit.jupiter.api.Test;

class StopRuleTest {
    static Figures quick(double ua, double ov) { return Figures.of(ua, ov, 0.8, 30); }

    @Test
    void fixedLengthStopsAtThePlannedIterations() {
        StopRule.Decision d = StopRule.fixedLength().decide(150, 150, null);
        assertEquals(StopRule.Outcome.PLANNED_LENGTH, d.outcome());
        assertTrue(d.stop() && d.reason().contains("150"), d.reason());
        // a maximum at or below the planned length does not extend either
        assertEquals(StopRule.Outcome.PLANNED_LENGTH, StopRule.forgotten(150).decide(150, 150, null).outcome());
    }

    @Test
    void forgottenNeedsBothThresholds() {
        StopRule r = StopRule.forgotten(400);
        assertEquals(StopRule.Outcome.FORGOTTEN, r.decide(150, 150, quick(0.99, 0.90)).outcome());
        assertEquals(StopRule.Outcome.CONTINUE, StopRule.forgotten(400).decide(150, 150, quick(0.99, 0.899)).outcome());
        assertEquals(StopRule.Outcome.CONTINUE, StopRule.forgotten(400).decide(150, 150, quick(0.989, 1.0)).outcome());
        assertEquals(StopRule.Outcome.CONTINUE, StopRule.forgotten(400).decide(150, 150, quick(Double.NaN, 1.0)).outcome());
        assertEquals(StopRule.Outcome.FORGOTTEN, StopRule.forgotten(400).thresholds(0.5, 0.5).decide(150, 150, quick(0.6, 0.6)).outcome());
    }

    @Test
    void randomModeDecidesOnTheShareDrawnAsRemainingClassesAndSaysSo() {
        StopRule.Decision d = StopRule.forgotten(400).decide(150, 150, Figures.of(0.995, 0.995, 0.8, 30, OverrideMode.RANDOM));
        assertEquals(StopRule.Outcome.FORGOTTEN, d.outcome());
        assertTrue(d.reason().contains("as a remaining class 0.995"), d.reason());
        assertTrue(StopRule.forgotten(400).decide(150, 150, quick(0.995, 0.995)).reason().contains("as override 0.995"));
    }

    @Test
    void plateauAfterPatienceEvaluationsWithoutGain() {
        StopRule r = StopRule.forgotten(400);
        assertEquals(StopRule.Outcome.CONTINUE, r.decide(150, 150, quick(0.90, 0.80)).outcome());  // first: a gain over nothing
        assertEquals(StopRule.Outcome.CONTINUE, r.decide(200, 150, quick(0.92, 0.80)).outcome());  // gain
        assertEquals(StopRule.Outcome.CONTINUE, r.decide(250, 150, quick(0.92, 0.79)).outcome());  // stale 1
        StopRule.Decision d = r.decide(300, 150, quick(0.91, 0.80));                                 // stale 2
        assertEquals(StopRule.Outcome.PLATEAU, d.outcome());
        assertTrue(d.reason().contains("300") && d.reason().contains("no gain over 2"), d.reason());
        // a gain resets the count; fresh() resets the state
        StopRule s = StopRule.forgotten(400).patience(2);
        s.decide(150, 150, quick(0.5, 0.5));
        s.decide(200, 150, quick(0.5, 0.5));
        assertEquals(StopRule.Outcome.CONTINUE, s.decide(250, 150, quick(0.6, 0.5)).outcome());
        assertEquals(StopRule.Outcome.CONTINUE, s.fresh().decide(300, 150, quick(0.1, 0.1)).outcome());
    }

    @Test
    void maximumEndsAnUnfinishedRun() {
        StopRule r = StopRule.forgotten(400);
        StopRule.Decision d = r.decide(400, 150, quick(0.5, 0.4));
        assertEquals(StopRule.Outcome.MAX_ITERATIONS, d.outcome());
        assertTrue(d.reason().contains("400"), d.reason());
        assertEquals(StopRule.Outcome.FORGOTTEN, StopRule.forgotten(400).decide(400, 150, quick(1, 1)).outcome());
        assertEquals(400, r.maxIterations(150));
        assertEquals(500, r.maxIterations(500));
        assertTrue(r.canExtend(150));
        assertFalse(r.canExtend(400));
    }

    @Test
    void badSettingsAndMissingEvaluationsAreRejected() {
        assertThrows(SfdException.class, () -> StopRule.forgotten(-1));
        assertThrows(SfdException.class, () -> StopRule.forgotten(400).patience(0));
        assertThrows(SfdException.class, () -> StopRule.forgotten(400).thresholds(1.5, 0.9));
        SfdException e = assertThrows(SfdException.class, () -> StopRule.forgotten(400).decide(150, 150, null));
        assertTrue(e.getMessage().contains("quick evaluation"), e.getMessage());
    }

    @Test
    void improvesPrefersAPlanDoneThenTheLargerProgress() {
        StopRule r = StopRule.forgotten(400);
        assertTrue(r.improves(quick(0.5, 0.5), null));
        assertFalse(r.improves(null, quick(0.5, 0.5)));
        assertTrue(r.improves(quick(0.99, 0.90), quick(0.98, 1.0)), "done beats a larger sum not done");
        assertFalse(r.improves(quick(0.98, 1.0), quick(0.99, 0.90)));
        assertTrue(r.improves(quick(0.95, 0.90), quick(0.94, 0.90)));
        assertFalse(r.improves(quick(0.94, 0.90), quick(0.94, 0.90)), "a tie is no improvement");
        assertTrue(r.done(quick(0.99, 0.9)));
        assertFalse(r.done(quick(0.99, 0.89)));
        assertFalse(r.done(null));
    }

    @Test
    void settingsAreAcceptedAtTheirEdges() {
        assertEquals(150, StopRule.forgotten(0).maxIterations(150), "0 = the planned length");
        StopRule once = StopRule.forgotten(400).patience(1);                   // patience 1 is valid
        assertEquals(StopRule.Outcome.CONTINUE, once.decide(150, 150, quick(0.5, 0.5)).outcome());
        assertEquals(StopRule.Outcome.PLATEAU, once.decide(200, 150, quick(0.5, 0.5)).outcome());
        assertEquals(StopRule.Outcome.FORGOTTEN, StopRule.forgotten(400).thresholds(0, 0).decide(150, 150, quick(0, 0)).outcome());
        assertEquals(StopRule.Outcome.FORGOTTEN, StopRule.forgotten(400).thresholds(1, 1).decide(150, 150, quick(1, 1)).outcome());
        assertThrows(SfdException.class, () -> StopRule.forgotten(400).thresholds(-0.01, 0.9));
        assertThrows(SfdException.class, () -> StopRule.forgotten(400).thresholds(0.99, 1.01));
        assertThrows(SfdException.class, () -> StopRule.forgotten(400).thresholds(0.99, -0.01));
        assertThrows(SfdException.class, () -> StopRule.forgotten(400).thresholds(Double.NaN, 0.9));
    }

    @Test
    void equalFiguresAreNoGainAndAContinueDoesNotStop() {
        StopRule r = StopRule.forgotten(400);
        StopRule.Decision first = r.decide(150, 150, quick(0.5, 0.5));
        assertEquals(StopRule.Outcome.CONTINUE, first.outcome());
        assertFalse(first.stop(), "CONTINUE does not stop a run");
        assertEquals(StopRule.Outcome.CONTINUE, r.decide(200, 150, quick(0.5, 0.5)).outcome());   // stale 1
        assertEquals(StopRule.Outcome.PLATEAU, r.decide(250, 150, quick(0.5, 0.5)).outcome());    // stale 2: the same figures
    }

    @Test
    void anUnknownBestIsBeatenByAnyKnownProgress() {
        StopRule r = StopRule.forgotten(400);
        assertTrue(r.improves(quick(0.1, 0.1), quick(Double.NaN, 0.5)));
        assertFalse(r.improves(quick(Double.NaN, 0.1), quick(Double.NaN, 0.5)));
    }
}
