package dev.sfd.unlearn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.NumericsException;
import dev.sfd.SfdException;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reproducibility and crash safety of the SFD trainer. */
class SfdCheckpointTest {
    @TempDir
    Path dir;

    static EdmPrecond teacher() { return new EdmPrecond(new MlpNoiseNet(3, 16, 21)); }

    static SfdConfig cfg() { return SfdConfig.defaults().iterations(6).batch(4, 4).learningRates(1e-3, 1e-3).checkpointEvery(2).seed(11); }

    static ForgetPlan plan() { return ForgetPlan.classes().forget(0).overrideWith(2); }

    static void assertSameWeights(ScoreForgettingDistillation a, ScoreForgettingDistillation b) {
        Map<String, Tensor> sa = a.generator().network().stateDict(), sb = b.generator().network().stateDict();
        for (String k : sa.keySet()) assertArrayEquals(sa.get(k).toFloatArray(), sb.get(k).toFloatArray(), k);
        Map<String, Tensor> fa = a.fakeScore().stateDict(), fb = b.fakeScore().stateDict();
        for (String k : fa.keySet()) assertArrayEquals(fa.get(k).toFloatArray(), fb.get(k).toFloatArray(), "fake " + k);
    }

    @Test
    void sameSeedSameResult() {
        EdmPrecond t = teacher();
        try (var a = new ScoreForgettingDistillation(t, plan(), cfg()); var b = new ScoreForgettingDistillation(t, plan(), cfg())) {
            a.run();
            b.run();
            assertSameWeights(a, b);
        }
    }

    @Test
    void resumeContinuesBitIdentically() {
        EdmPrecond t = teacher();
        Path ckpt = dir.resolve("sfd.safetensors");
        try (var straight = new ScoreForgettingDistillation(t, plan(), cfg())) {
            straight.run();
            try (var first = new ScoreForgettingDistillation(t, plan(), cfg())) {
                first.runUntil(4, ckpt);                       // writes checkpoints at steps 2 and 4, then "dies"
            }
            try (var resumed = new ScoreForgettingDistillation(t, plan(), cfg())) {
                resumed.resume(ckpt);
                assertEquals(4, resumed.step());
                resumed.run(ckpt);
                assertSameWeights(straight, resumed);
            }
        }
    }

    @Test
    void anchorPullsEachStepTowardTheInitialGenerator() {
        // one iteration with the anchor = the same iteration without it, then w <- (1 - a) w + a w_init
        EdmPrecond t = teacher();
        double a = 0.25;
        SfdConfig one = cfg().iterations(1).emaOff();
        try (var free = new ScoreForgettingDistillation(t, plan(), one); var held = new ScoreForgettingDistillation(t, plan(), one.anchor(a))) {
            free.run();
            held.run();
            Map<String, Tensor> w0 = t.stateDict(), wf = free.rawGenerator().network().stateDict(), wa = held.rawGenerator().network().stateDict();
            double moved = 0;
            for (String k : w0.keySet()) {
                float[] x0 = w0.get(k).toFloatArray(), xf = wf.get(k).toFloatArray(), xa = wa.get(k).toFloatArray();
                for (int i = 0; i < x0.length; i++) {
                    assertEquals((1 - a) * xf[i] + a * x0[i], xa[i], 1e-6 * (1 + Math.abs(x0[i])), k + "[" + i + "]");
                    moved = Math.max(moved, Math.abs(xf[i] - x0[i]));
                }
            }
            assertTrue(moved > 1e-4, "the free step must move the weights for this test to mean anything: " + moved);
        }
    }

    @Test
    void anchoredRunResumesBitIdentically() {
        EdmPrecond t = teacher();
        SfdConfig c = cfg().anchor(0.05);
        Path ckpt = dir.resolve("anchored.safetensors");
        try (var straight = new ScoreForgettingDistillation(t, plan(), c)) {
            straight.run();
            try (var first = new ScoreForgettingDistillation(t, plan(), c)) {
                first.runUntil(4, ckpt);
            }
            // the anchor comes from the checkpoint, not from the network the resumed trainer was built with
            try (var resumed = new ScoreForgettingDistillation(t, plan(), c, new EdmPrecond(new MlpNoiseNet(3, 16, 99)), t)) {
                resumed.resume(ckpt);
                resumed.run(ckpt);
                assertSameWeights(straight, resumed);
            }
        }
    }

    @Test
    void fakeWarmupHoldsTheGeneratorAndTrainsTheFakeNet() {
        EdmPrecond t = teacher();
        try (var run = new ScoreForgettingDistillation(t, plan(), cfg().fakeWarmup(2))) {
            run.iterate();
            run.iterate();
            assertTrue(sameWeights(t.stateDict(), run.rawGenerator().network().stateDict()), "generator moved during the warm-up");
            assertTrue(sameWeights(t.stateDict(), run.generator().network().stateDict()), "EMA moved during the warm-up");
            assertFalse(sameWeights(t.stateDict(), run.fakeScore().stateDict()), "fake net did not learn during the warm-up");
            run.iterate();
            assertFalse(sameWeights(t.stateDict(), run.rawGenerator().network().stateDict()), "generator held after the warm-up");
        }
    }

    private static boolean sameWeights(Map<String, Tensor> a, Map<String, Tensor> b) {
        for (String k : a.keySet()) if (!java.util.Arrays.equals(a.get(k).toFloatArray(), b.get(k).toFloatArray())) return false;
        return true;
    }

    @Test
    void generatorTrainableFreezesTheOtherParameters() {
        EdmPrecond t = teacher();
        try (var run = new ScoreForgettingDistillation(t, plan(), cfg().iterations(2).generatorTrainable("model\\.l0\\..*").anchor(0.1))) {
            run.run();
            Map<String, Tensor> w0 = t.stateDict(), w = run.rawGenerator().network().stateDict();
            for (String k : w0.keySet()) {
                boolean same = java.util.Arrays.equals(w0.get(k).toFloatArray(), w.get(k).toFloatArray());
                assertEquals(!k.startsWith("model.l0."), same, k + (same ? " did not learn" : " learned although frozen"));
            }
        }
        SfdException e = assertThrows(SfdException.class, () -> new ScoreForgettingDistillation(t, plan(), cfg().generatorTrainable("nothing\\..*")));
        assertTrue(e.getMessage().contains("matches none") && e.getMessage().contains("model.l0.weight"), e.getMessage());
        assertThrows(SfdException.class, () -> cfg().generatorTrainable("("));
    }

    @Test
    void keepTiesTheRemainingLabelsToTheInitialGenerator() {
        EdmPrecond t = teacher();
        EdmPrecond init = new EdmPrecond(new MlpNoiseNet(3, 16, 99));
        Tensor z = new dev.sfd.random.RandomStream(5).normal(dev.sfd.tensor.DType.FLOAT32, 64, 2, 1, 1);
        int[] ones = new int[64];
        java.util.Arrays.fill(ones, 1);
        Tensor label1 = dev.sfd.ops.Ops.oneHot(ones, 3, dev.sfd.tensor.DType.FLOAT32);
        Tensor x0 = new OneStepGenerator(init, cfg().sigmaInit()).generate(z, label1);
        double[] drift = new double[2];
        double[] keeps = {0, 50};
        for (int k = 0; k < 2; k++) {
            try (var run = new ScoreForgettingDistillation(t, plan(), cfg().iterations(8).emaOff().keep(keeps[k]), init, t)) {
                run.run();
                Tensor x = run.generator().generate(z, label1);
                drift[k] = dev.sfd.ops.Ops.sumAll(dev.sfd.ops.Ops.square(dev.sfd.ops.Ops.sub(x, x0))).item();
            }
        }
        assertTrue(drift[1] < 0.5 * drift[0], "keep 50 should hold remaining label 1 near the initial generator: drift " + drift[1] + " vs " + drift[0] + " without");
        // the reference network is checkpointed: a resumed run continues bit-identically
        Path ckpt = dir.resolve("keep.safetensors");
        SfdConfig c = cfg().keep(5);
        try (var straight = new ScoreForgettingDistillation(t, plan(), c, init, t)) {
            straight.run();
            try (var first = new ScoreForgettingDistillation(t, plan(), c, init, t)) {
                first.runUntil(4, ckpt);
            }
            try (var resumed = new ScoreForgettingDistillation(t, plan(), c, t, t)) { // wrong init: the checkpoint restores G_0
                resumed.resume(ckpt);
                resumed.run(ckpt);
                assertSameWeights(straight, resumed);
            }
        }
        assertThrows(SfdException.class, () -> cfg().keep(-1));
        assertThrows(SfdException.class, () -> cfg().keep(Double.NaN));
        assertFalse(cfg().toMap().containsKey("keep"));
    }

    @Test
    void remainWeightsChangeTheRunAndResumeBitIdentically() {
        EdmPrecond t = teacher();
        SfdConfig weighted = cfg().remainWeights(Map.of(1, 4.0));
        Path ckpt = dir.resolve("weighted.safetensors");
        try (var uniform = new ScoreForgettingDistillation(t, plan(), cfg()); var straight = new ScoreForgettingDistillation(t, plan(), weighted)) {
            uniform.run();
            straight.run();
            assertFalse(sameWeights(uniform.generator().network().stateDict(), straight.generator().network().stateDict()),
                    "weighting class 1 changed nothing");
            try (var first = new ScoreForgettingDistillation(t, plan(), weighted)) {
                first.runUntil(4, ckpt);
            }
            try (var resumed = new ScoreForgettingDistillation(t, plan(), weighted)) {
                resumed.resume(ckpt);
                resumed.run(ckpt);
                assertSameWeights(straight, resumed);
            }
            // a checkpoint of the weighted run does not resume an unweighted configuration
            try (var other = new ScoreForgettingDistillation(t, plan(), cfg())) {
                assertThrows(SfdException.class, () -> other.resume(ckpt));
            }
        }
        SfdException e = assertThrows(SfdException.class, () -> new ScoreForgettingDistillation(t, plan(), cfg().remainWeights(Map.of(0, 2.0))));
        assertTrue(e.getMessage().contains("class 0"), e.getMessage());
    }

    /** A finished run continues for more iterations exactly as a longer run would have gone; with annealing the length is part of the schedule. */
    @Test
    void finishedRunContinuesForMoreIterations() {
        EdmPrecond t = teacher();
        Path ckpt = dir.resolve("sfd.safetensors");
        try (var longer = new ScoreForgettingDistillation(t, plan(), cfg().iterations(8))) {
            longer.run();
            try (var first = new ScoreForgettingDistillation(t, plan(), cfg())) {
                first.run(ckpt); // 6 iterations, finished
            }
            try (var more = new ScoreForgettingDistillation(t, plan(), cfg().iterations(8))) {
                more.resume(ckpt);
                assertEquals(6, more.step());
                more.run(ckpt);
                assertEquals(8, more.step());
                assertSameWeights(longer, more);
            }
        }
        Path annealed = dir.resolve("annealed.safetensors");
        try (var a = new ScoreForgettingDistillation(t, plan(), cfg().lrAnneal(0.5, 0.1))) {
            a.runUntil(2, annealed);
        }
        try (var b = new ScoreForgettingDistillation(t, plan(), cfg().lrAnneal(0.5, 0.1).iterations(8))) {
            SfdException e = assertThrows(SfdException.class, () -> b.resume(annealed));
            assertTrue(e.getMessage().contains("iteration count must match"), e.getMessage());
        }
        assertEquals("{iterations=*, batch=4}", ScoreForgettingDistillation.resumableConfig("{iterations=6, batch=4}"));
        assertEquals("{seed=1, iterations=*}", ScoreForgettingDistillation.resumableConfig("{seed=1, iterations=150}"));
    }

    @Test
    void resumeRejectsADifferentPlanOrConfig() {
        EdmPrecond t = teacher();
        Path ckpt = dir.resolve("sfd.safetensors");
        try (var a = new ScoreForgettingDistillation(t, plan(), cfg())) {
            a.runUntil(2, ckpt);
        }
        try (var b = new ScoreForgettingDistillation(t, ForgetPlan.classes().forget(1).overrideWith(2), cfg())) {
            SfdException e = assertThrows(SfdException.class, () -> b.resume(ckpt));
            assertTrue(e.getMessage().contains("plan"), e.getMessage());
        }
        try (var c = new ScoreForgettingDistillation(t, plan(), cfg().alpha(1.0))) {
            SfdException e = assertThrows(SfdException.class, () -> c.resume(ckpt));
            assertTrue(e.getMessage().contains("configuration"), e.getMessage());
        }
    }

    @Test
    void nanStopsWithStepAndTermAndKeepsTheLastGoodCheckpoint() throws Exception {
        EdmPrecond t = teacher();
        Path ckpt = dir.resolve("sfd.safetensors");
        try (var a = new ScoreForgettingDistillation(t, plan(), cfg())) {
            a.runUntil(2, ckpt);
            byte[] good = Files.readAllBytes(ckpt);
            // poison one generator weight: the next generator forward produces NaN
            a.rawGenerator().network().parameters().get(0).data().backend().fill(a.rawGenerator().network().parameters().get(0).data(), Double.NaN);
            NumericsException e = assertThrows(NumericsException.class, () -> a.runUntil(6, ckpt));
            assertTrue(e.getMessage().contains("step 3"), e.getMessage());
            assertTrue(e.getMessage().contains("loss"), e.getMessage());
            assertArrayEquals(good, Files.readAllBytes(ckpt), "checkpoint must still be the last good one");
        }
    }

    @Test
    void badPlansFailFast() {
        EdmPrecond t = teacher();
        assertThrows(SfdException.class, () -> ForgetPlan.classes().forget(1).overrideWith(1));
        SfdException e = assertThrows(SfdException.class, () -> new ScoreForgettingDistillation(t, ForgetPlan.classes().forget(5).overrideWith(1), cfg()));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
        e = assertThrows(SfdException.class, () -> new ScoreForgettingDistillation(t, ForgetPlan.classes().forget(0).overrideWith(1).and(ForgetPlan.classes().forget(1).overrideWith(2)), cfg()));
        assertTrue(e.getMessage().contains("itself forgotten"), e.getMessage());
        assertEquals("0->1,2->1", ForgetPlan.parse("0->1, 2->1").toString());
    }
}
