package dev.sfd.unlearn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.eval.Figures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A forgetting run end to end on a tiny MLP teacher: stages, quick evaluations, stop rule, resume, cancellation. */
class ForgetRunTest {
    @TempDir
    Path dir;

    static EdmPrecond teacher() { return SfdCheckpointTest.teacher(); }

    static ForgetPlan plan() { return SfdCheckpointTest.plan(); }

    /** The CPU one-stage recipe scaled down: 4 planned iterations, evaluations every 2, at most 10. */
    static SfdRecipe small() {
        return SfdRecipe.oneStage().config(SfdCheckpointTest.cfg().iterations(4)).evalEvery(2).stopRule(StopRule.forgotten(10));
    }

    /** A judge that reports UA rising by 0.1 per evaluation from {@code start} (override share the same), counting its calls. */
    static Judge rising(double start, AtomicInteger calls) {
        return (g, p) -> {
            double v = Math.min(1, start + 0.1 * calls.getAndIncrement());
            return Figures.of(v, v, 0.9, 1);
        };
    }

    static void assertSameGenerator(OneStepGenerator a, OneStepGenerator b) {
        var sa = a.network().stateDict();
        var sb = b.network().stateDict();
        for (String k : sa.keySet()) org.junit.jupiter.api.Assertions.assertArrayEquals(sa.get(k).toFloatArray(), sb.get(k).toFloatArray(), k);
    }

    @Test
    void continuesPastThePlannedLengthUntilTheJudgeSaysForgotten() {
        AtomicInteger calls = new AtomicInteger();
        List<StopRule.Decision> decisions = new ArrayList<>();
        // evaluations at steps 1, 2, 4 (planned end), 6, 8: UA 0.6, 0.7, 0.8, 0.9, 1.0 -> forgotten at 8
        ForgetRun.Result r = new ForgetRun(teacher(), plan(), small(), dir.resolve("a")).judge(rising(0.6, calls))
                .addListener(new ForgetRun.Listener() {
                    @Override
                    public void onDecision(StopRule.Decision d) { decisions.add(d); }
                }).run();
        assertEquals(8, r.iterations());
        assertEquals(StopRule.Outcome.FORGOTTEN, r.stop().outcome());
        assertEquals(List.of(StopRule.Outcome.CONTINUE, StopRule.Outcome.CONTINUE, StopRule.Outcome.FORGOTTEN),
                decisions.stream().map(StopRule.Decision::outcome).toList());
        assertEquals(List.of(1L, 2L, 4L, 6L, 8L), r.evaluations().stream().map(ForgetRun.Evaluation::step).toList());
        assertEquals(4, r.config().iterations(), "the result reports the planned length");
        assertTrue(Files.isRegularFile(dir.resolve("a").resolve(ForgetRun.FAKE)));
        // a straight 8-iteration run of the same configuration reaches the same weights: evaluations do not touch training
        try (var straight = new ScoreForgettingDistillation(teacher(), plan(), SfdCheckpointTest.cfg().iterations(10))) {
            straight.runUntil(8, null);
            assertSameGenerator(straight.generator(), r.generator());
        }
    }

    @Test
    void fixedLengthNeedsNoJudgeAndAPlateauStops() {
        ForgetRun.Result fixed = new ForgetRun(teacher(), plan(), small().evalEvery(0).stopRule(StopRule.fixedLength()), dir.resolve("f")).run();
        assertEquals(4, fixed.iterations());
        assertEquals(StopRule.Outcome.PLANNED_LENGTH, fixed.stop().outcome());
        // a judge stuck at 0.5: planned end (4) counts as the first, 6 and 8 bring no gain -> plateau at 8
        ForgetRun.Result flat = new ForgetRun(teacher(), plan(), small(), dir.resolve("p")).judge((g, p) -> Figures.of(0.5, 0.5, 1, 1)).run();
        assertEquals(StopRule.Outcome.PLATEAU, flat.stop().outcome());
        assertEquals(8, flat.iterations());
        SfdException e = assertThrows(SfdException.class, () -> new ForgetRun(teacher(), plan(), small(), dir.resolve("n")).run());
        assertTrue(e.getMessage().contains("judge"), e.getMessage());
    }

    @Test
    void cancelFromAnotherThreadLeavesACheckpointThatResumesBitIdentically() throws Exception {
        SfdRecipe recipe = small().evalEvery(0).stopRule(StopRule.fixedLength()).iterations(6);
        ForgetRun.Result straight = new ForgetRun(teacher(), plan(), recipe, dir.resolve("s")).run();
        ForgetRun run = new ForgetRun(teacher(), plan(), recipe, dir.resolve("c"));
        AtomicInteger seen = new AtomicInteger();
        run.addListener(new ForgetRun.Listener() {
            @Override
            public void onStep(String stage, long step, long max, java.util.Map<String, Double> losses) {
                if (step == 3) {
                    Thread t = new Thread(run::cancel); // cancel from another thread, then wait for it to land
                    t.start();
                    try {
                        t.join();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }
                seen.set((int) step);
            }
        });
        CancellationException e = assertThrows(CancellationException.class, run::run);
        assertTrue(e.getMessage().contains("iteration 3"), e.getMessage());
        assertEquals(3, seen.get(), "no iteration after the cancellation");
        ForgetRun.Result resumed = new ForgetRun(teacher(), plan(), recipe, dir.resolve("c")).resume(true).run();
        assertEquals(6, resumed.iterations());
        assertSameGenerator(straight.generator(), resumed.generator());
        assertThrows(SfdException.class, run::run, "a run object runs once");
    }

    /**
     * A run whose step-based checkpoints are far apart still writes one after the wall-clock interval (here zero: after
     * every iteration); the checkpoint a killed run would have left at iteration 3 resumes to the straight run's bits.
     */
    @Test
    void theTimedCheckpointBetweenStepCheckpointsResumesBitIdentically() throws Exception {
        SfdRecipe recipe = small().evalEvery(0).stopRule(StopRule.fixedLength()).config(SfdCheckpointTest.cfg().iterations(6).checkpointEvery(100));
        ForgetRun.Result straight = new ForgetRun(teacher(), plan(), recipe, dir.resolve("s")).run();
        Path killed = dir.resolve("k");
        Files.createDirectories(killed);
        List<Boolean> untimed = new ArrayList<>();
        new ForgetRun(teacher(), plan(), recipe, dir.resolve("u")).addListener(new ForgetRun.Listener() {
            @Override
            public void onStep(String stage, long step, long max, java.util.Map<String, Double> losses) {
                if (step == 4) untimed.add(Files.exists(dir.resolve("u").resolve(ForgetRun.CHECKPOINT)));
            }
        }).run();
        assertEquals(List.of(false), untimed, "with the default interval no checkpoint before the planned end (checkpointEvery 100)");
        ForgetRun timed = new ForgetRun(teacher(), plan(), recipe, dir.resolve("t")).checkpointInterval(java.time.Duration.ZERO);
        timed.addListener(new ForgetRun.Listener() {
            @Override
            public void onStep(String stage, long step, long max, java.util.Map<String, Double> losses) {
                if (step != 4) return; // iteration 4 is under way: the folder holds iteration 3's checkpoint
                try {
                    Files.copy(dir.resolve("t").resolve(ForgetRun.CHECKPOINT), killed.resolve(ForgetRun.CHECKPOINT));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        timed.run();
        List<Long> startedAt = new ArrayList<>();
        ForgetRun.Result resumed = new ForgetRun(teacher(), plan(), recipe, killed).resume(true).addListener(new ForgetRun.Listener() {
            @Override
            public void onStageStart(String stage, long step, long max) { startedAt.add(step); }
        }).run();
        assertEquals(List.of(3L), startedAt, "the resumed run continues from the timed checkpoint of iteration 3");
        assertEquals(6, resumed.iterations());
        assertSameGenerator(straight.generator(), resumed.generator());
        assertThrows(dev.sfd.ConfigException.class, () -> new ForgetRun(teacher(), plan(), recipe, dir.resolve("x")).checkpointInterval(java.time.Duration.ofSeconds(-1)));
        assertThrows(dev.sfd.ConfigException.class, () -> new ForgetRun(teacher(), plan(), recipe, dir.resolve("x")).checkpointInterval(null));
    }

    /** SFD-Two-Stage cancelled in stage 1 resumes stage 1, then starts stage 2 (which has no checkpoint yet): the straight run's weights. */
    @Test
    void twoStageCancelledInStageOneResumesThroughBothStages() {
        SfdRecipe recipe = SfdRecipe.twoStage(4).config(SfdCheckpointTest.cfg().iterations(2)).evalEvery(0).stopRule(StopRule.fixedLength());
        ForgetRun.Result straight = new ForgetRun(teacher(), plan(), recipe, dir.resolve("s")).run();
        ForgetRun run = new ForgetRun(teacher(), plan(), recipe, dir.resolve("c"));
        run.addListener(new ForgetRun.Listener() {
            @Override
            public void onStep(String stage, long step, long max, java.util.Map<String, Double> losses) {
                if (stage.equals("stage1") && step == 2) run.cancel();
            }
        });
        assertThrows(CancellationException.class, run::run);
        assertTrue(Files.isRegularFile(dir.resolve("c").resolve(ForgetRun.STAGE1_DIR).resolve(ForgetRun.CHECKPOINT)));
        assertTrue(!Files.exists(dir.resolve("c").resolve(ForgetRun.CHECKPOINT)), "cancelled before stage 2");
        List<String> starts = new ArrayList<>();
        ForgetRun.Result resumed = new ForgetRun(teacher(), plan(), recipe, dir.resolve("c")).resume(true).addListener(new ForgetRun.Listener() {
            @Override
            public void onStageStart(String stage, long step, long max) { starts.add(stage + "@" + step); }
        }).run();
        assertEquals(List.of("stage1@2", "forget@0"), starts);
        assertSameGenerator(straight.generator(), resumed.generator());
    }

    @Test
    void twoStageDistilsStageOneInItsOwnFolderThenForgets() {
        SfdRecipe recipe = SfdRecipe.twoStage(3).config(SfdCheckpointTest.cfg().iterations(2).keep(1)).evalEvery(0).stopRule(StopRule.fixedLength());
        assertEquals(0.0, recipe.stage1Config().lambdaForget(), 0.0);
        assertEquals(0.0, recipe.stage1Config().keep(), 0.0);
        List<String> stages = new ArrayList<>();
        ForgetRun.Result r = new ForgetRun(teacher(), plan(), recipe, dir.resolve("t")).addListener(new ForgetRun.Listener() {
            @Override
            public void onStageEnd(String stage, long step) { stages.add(stage + "@" + step); }
        }).run();
        assertEquals(List.of("stage1@3", "forget@2"), stages);
        assertTrue(Files.isRegularFile(dir.resolve("t").resolve(ForgetRun.STAGE1_DIR).resolve(ForgetRun.CHECKPOINT)));
        // the same as stage 2 from the stage-1 networks given explicitly
        ForgetRun.Result s1 = new ForgetRun(teacher(), ForgetPlan.none(), SfdRecipe.oneStage().config(recipe.stage1Config()).evalEvery(0)
                .stopRule(StopRule.fixedLength()), dir.resolve("s1")).run();
        ForgetRun.Result given = new ForgetRun(teacher(), plan(), SfdRecipe.twoStage(new Stage1(s1.generator(), s1.fake()))
                .config(recipe.config()).evalEvery(0).stopRule(StopRule.fixedLength()), dir.resolve("g")).run();
        assertSameGenerator(r.generator(), given.generator());
    }

    /** A judge that returns the given UA (override share the same) at evaluation k, the last one from then on. */
    static Judge sequence(double... ua) {
        AtomicInteger k = new AtomicInteger();
        return (g, p) -> {
            double v = ua[Math.min(k.getAndIncrement(), ua.length - 1)];
            return Figures.of(v, v, 0.9, 1);
        };
    }

    @Test
    void aRunThatEndsBelowTheBarReturnsTheGeneratorOfItsBestQuickEvaluation() {
        // evaluations at 1, 2, 4 (planned end), 6, 8: the best (0.95) at step 2, then a plateau at 8 below it
        ForgetRun.Result r = new ForgetRun(teacher(), plan(), small(), dir.resolve("b")).judge(sequence(0.5, 0.95, 0.8, 0.7, 0.7)).run();
        assertEquals(StopRule.Outcome.PLATEAU, r.stop().outcome());
        assertEquals(8, r.iterations());
        assertEquals(2, r.generatorStep(), r.stop().reason());
        assertTrue(r.stop().reason().contains("iteration 2"), r.stop().reason());
        assertTrue(Files.isRegularFile(dir.resolve("b").resolve(ForgetRun.BEST)));
        try (var straight = new ScoreForgettingDistillation(teacher(), plan(), SfdCheckpointTest.cfg().iterations(10))) {
            straight.runUntil(2, null);
            assertSameGenerator(straight.generator(), r.generator());
        }
        // a resumed (finished) run reloads the best generator from best.safetensors
        ForgetRun.Result resumed = new ForgetRun(teacher(), plan(), small(), dir.resolve("b")).judge(sequence(0.7)).resume(true).run();
        assertEquals(2, resumed.generatorStep(), resumed.stop().reason());
        assertSameGenerator(r.generator(), resumed.generator());
        // a run that ends with the plan done keeps its last weights, and a fresh run drops a stale best file
        ForgetRun.Result done = new ForgetRun(teacher(), plan(), small(), dir.resolve("b")).judge(sequence(0.95, 0.5, 0.8, 1.0)).run();
        assertEquals(StopRule.Outcome.FORGOTTEN, done.stop().outcome());
        assertEquals(done.iterations(), done.generatorStep());
    }

    @Test
    void aResumedRunReplaysItsStopDecisionsAndStopsWhereTheStraightRunDid() {
        // UA 0.5 before iteration 4, 0.6 from there: decisions at 4 (gain), 6 (stale 1), 8 (stale 2: plateau)
        java.util.concurrent.atomic.AtomicLong at = new java.util.concurrent.atomic.AtomicLong();
        Judge byStep = (g, p) -> {
            double v = at.get() >= 4 ? 0.6 : 0.5;
            return Figures.of(v, v, 0.9, 1);
        };
        ForgetRun.Listener tracker = new ForgetRun.Listener() {
            @Override
            public void onStageStart(String stage, long step, long max) { at.set(step); }

            @Override
            public void onStep(String stage, long step, long max, java.util.Map<String, Double> losses) { at.set(step); }
        };
        ForgetRun.Result straight = new ForgetRun(teacher(), plan(), small(), dir.resolve("s")).judge(byStep).addListener(tracker).run();
        assertEquals(StopRule.Outcome.PLATEAU, straight.stop().outcome());
        assertEquals(8, straight.iterations());
        // the same run cancelled after its decision at 6 (checkpoint at 6), then resumed
        ForgetRun cut = new ForgetRun(teacher(), plan(), small(), dir.resolve("c")).judge(byStep).addListener(tracker);
        cut.addListener(new ForgetRun.Listener() {
            @Override
            public void onDecision(StopRule.Decision d) { if (d.step() == 6) cut.cancel(); }
        });
        assertThrows(CancellationException.class, cut::run);
        assertTrue(Files.isRegularFile(dir.resolve("c").resolve(ForgetRun.EVALUATIONS)));
        ForgetRun.Result resumed = new ForgetRun(teacher(), plan(), small(), dir.resolve("c")).judge(byStep).addListener(tracker).resume(true).run();
        assertEquals(StopRule.Outcome.PLATEAU, resumed.stop().outcome(), resumed.stop().reason());
        assertEquals(8, resumed.iterations(), "without the replay the resumed rule starts afresh and runs to the maximum (10)");
        assertEquals(straight.evaluations().stream().map(ForgetRun.Evaluation::step).toList(),
                resumed.evaluations().stream().map(ForgetRun.Evaluation::step).toList());
        assertSameGenerator(straight.generator(), resumed.generator());
    }
}
