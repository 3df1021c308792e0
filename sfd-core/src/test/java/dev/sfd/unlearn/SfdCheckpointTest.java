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
    }

    /** A finished run continues for more iterations exactly as a longer run would have gone. */
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
    }

    /** Bytes of a committed fixture (written by the version-1 code: Map.toString() configuration). */
    private Path fixture(String name) throws Exception {
        Path p = dir.resolve(name);
        try (var in = getClass().getResourceAsStream(name)) {
            Files.copy(in, p);
        }
        return p;
    }

    /**
     * old-format-step2 is step 2 of {@code cfg().keep(1)} written by the code before the JSON configuration and the
     * retired knobs; old-format-step6 is the same run's step 6. Resuming the old checkpoint with this code reaches the old
     * code's step 6 (bit for bit on the scalar kernels that wrote the fixtures, to rounding on the vector kernels), so both
     * the migration and the training after the knobs left are unchanged.
     */
    @Test
    void oldFormatCheckpointMigratesAndContinuesBitIdentically() throws Exception {
        EdmPrecond t = teacher();
        Path old = fixture("old-format-step2.safetensors");
        assertTrue(dev.sfd.io.Checkpoint.load(old).meta("config").startsWith("{iterations=6, "), "fixture must be the version-1 text");
        try (var resumed = new ScoreForgettingDistillation(t, plan(), cfg().keep(1))) {
            resumed.resume(old);
            assertEquals(2, resumed.step());
            Path ckpt = dir.resolve("continued.safetensors");
            resumed.run(ckpt);
            // the fixtures come from the scalar kernels: the vector kernels round differently in the last bits
            dev.sfd.io.Checkpoint expected = dev.sfd.io.Checkpoint.load(fixture("old-format-step6.safetensors"));
            Map<String, Tensor> want = expected.group("ema"), got = resumed.generator().network().stateDict();
            for (String k : want.keySet()) assertArrayEquals(want.get(k).toFloatArray(), got.get(k).toFloatArray(), 1e-5f, k);
            // the rewritten checkpoint carries version-2 JSON
            String json = dev.sfd.io.Checkpoint.load(ckpt).meta("config");
            assertEquals(SfdConfig.FORMAT_VERSION, ((Number) dev.sfd.io.Json.parseMap(json).get("version")).intValue(), json);
            assertEquals(cfg().keep(1), SfdConfig.fromStored(json));
        }
        try (var other = new ScoreForgettingDistillation(t, plan(), cfg())) { // keep 0: a different run
            SfdException e = assertThrows(SfdException.class, () -> other.resume(old));
            assertTrue(e.getMessage().contains("different configuration"), e.getMessage());
        }
    }

    @Test
    void checkpointOfARetiredKnobFailsNamingTheKnob() throws Exception {
        Path old = fixture("old-format-anchor.safetensors");
        try (var run = new ScoreForgettingDistillation(teacher(), plan(), cfg())) {
            SfdException e = assertThrows(SfdException.class, () -> run.resume(old));
            assertTrue(e.getMessage().contains("retired knob anchor=0.05"), e.getMessage());
        }
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
