package dev.sfd.models.attack;

import static dev.sfd.models.attack.RelearnAttackTest.DATA;
import static dev.sfd.models.attack.RelearnAttackTest.SMALL;
import static dev.sfd.models.attack.RelearnAttackTest.biasedJudge;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.ConfigException;
import dev.sfd.models.SongUnet;
import dev.sfd.unlearn.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The targeted relearning test: its evaluation schedule, its stop at the rate, its "&gt;budget" result and its resume. */
class TargetedRelearningTest {
    /** Tiny settings: {@code steps} steps, batch 2, lr 1e-3, 2 samples at Heun 1. */
    static TargetedRelearning.Settings tiny(int steps) { return new TargetedRelearning.Settings(List.of(2), 0.5, steps, 2, 1e-3, 2, 1, 3); }

    @Test
    void evaluationStepsFollowAOneTwoFiveSeriesUpToTheBudget() {
        assertArrayEquals(new long[] {10, 20, 50, 100, 200, 500, 1000}, TargetedRelearning.Settings.defaults().evaluationSteps());
        assertArrayEquals(new long[] {10}, TargetedRelearning.Settings.quick().evaluationSteps());
        assertArrayEquals(new long[] {10, 20, 50, 70}, tiny(70).evaluationSteps());
        assertArrayEquals(new long[] {3}, tiny(3).evaluationSteps());
        assertEquals(List.of(10, 100), TargetedRelearning.Settings.defaults().images());
    }

    /** A model already at the rate stops after its step-0 evaluation: 0 steps needed. */
    @Test
    void stopsAtTheFirstEvaluationReachingTheRate() {
        var o = TargetedRelearning.run(SongUnet.create(SMALL, 5), null, DATA, 3, biasedJudge(3, 1e4), 2, tiny(30), null, null);
        assertEquals(1, o.curve().size(), "stopped at step 0: " + o.curve());
        assertEquals(0, o.heun().getAsLong());
        assertEquals("0", o.label());
        // a generator must reach the rate with both samplers; both are reported
        var g = TargetedRelearning.run(SongUnet.create(SMALL, 6), 2.5, DATA, 3, biasedJudge(3, 1e4), 2, tiny(30), null, null);
        assertEquals(1, g.curve().size());
        assertEquals("0 (Heun); 0 (one-step)", g.label());
    }

    /** A model that never reaches the rate is attacked for the whole budget, evaluated on the schedule, and reported as "&gt;budget". */
    @Test
    void notReachedWithinTheBudgetIsReportedAsMoreThanTheBudget() {
        List<Long> evaluated = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override public void onStep(long step, long total, Map<String, Double> f) {}

            @Override public void onEvaluation(long step, Map<String, Double> f) { evaluated.add(step); }
        };
        var o = TargetedRelearning.run(SongUnet.create(SMALL, 5), null, DATA, 3, biasedJudge(3, -1e4), 2, tiny(25), l, null);
        assertEquals(List.of(0L, 10L, 20L, 25L), evaluated);
        assertEquals(4, o.curve().size());
        assertTrue(o.heun().isEmpty());
        assertEquals(">25", o.label());
        assertEquals(2, o.images());
    }

    /** An attack killed between evaluations continues from its checkpoint with the same schedule and ends identical. */
    @Test
    void interruptedTargetedAttackResumesIdentically(@TempDir Path dir) {
        var s = tiny(12);
        var whole = TargetedRelearning.run(SongUnet.create(SMALL, 5), null, DATA, 3, biasedJudge(3, -1e4), 2, s, null, null);
        Path ckpt = dir.resolve("t.ckpt.safetensors");
        TrainingListener kill = new TrainingListener() {
            @Override public void onStep(long step, long total, Map<String, Double> f) { if (step == 11) throw new IllegalStateException("killed"); }
        };
        assertThrows(IllegalStateException.class, () -> TargetedRelearning.run(SongUnet.create(SMALL, 5), null, DATA, 3, biasedJudge(3, -1e4), 2, s, kill, ckpt));
        assertTrue(Files.isRegularFile(ckpt));
        List<Long> steps = new ArrayList<>();
        var resumed = TargetedRelearning.run(SongUnet.create(SMALL, 5), null, DATA, 3, biasedJudge(3, -1e4), 2, s, new TrainingListener() {
            @Override public void onStep(long step, long total, Map<String, Double> f) { steps.add(step); }
        }, ckpt);
        assertEquals(List.of(11L, 12L), steps, "continued after the step-10 evaluation");
        assertEquals(whole.curve().size(), resumed.curve().size());
        for (int k = 0; k < whole.curve().size(); k++) {
            assertEquals(whole.curve().get(k).step(), resumed.curve().get(k).step());
            assertEquals(whole.curve().get(k).forgottenRate(), resumed.curve().get(k).forgottenRate(), 0.0);
            assertEquals(whole.curve().get(k).loss(), resumed.curve().get(k).loss(), 0.0, "loss at point " + k);
        }
    }

    @Test
    void badCountsAndRatesAreRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> TargetedRelearning.Settings.defaults().withImages(List.of(10, 0)));
        assertTrue(e.getMessage().contains("must be >= 1, got 0"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> TargetedRelearning.Settings.defaults().withSteps(0));
        assertTrue(e.getMessage().contains("step budget must be >= 1, got 0"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> new TargetedRelearning.Settings(List.of(10), 1.5, 10, 2, 1e-4, 2, 1, 1));
        assertTrue(e.getMessage().contains("rate must be in (0, 1], got 1.5"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> TargetedRelearning.run(SongUnet.create(SMALL, 5), null, DATA, 3, biasedJudge(3, 0), 0, tiny(2), null, null));
        assertTrue(e.getMessage().contains("got 0"), e.getMessage());
        var a = RelearnAttack.targeted(SongUnet.create(SMALL, 5), null, AuxData.firstOfClass(DATA, 3, 2), 3, biasedJudge(3, 0), tiny(5).attack());
        e = assertThrows(ConfigException.class, () -> a.evaluatingAt(3, 2));
        assertTrue(e.getMessage().contains("must increase strictly within 1..5"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> a.evaluatingAt(6));
        e = assertThrows(ConfigException.class, () -> a.stoppingAt(0));
        assertTrue(e.getMessage().contains("stop rate must be in (0, 1], got 0.0"), e.getMessage());
    }
}
