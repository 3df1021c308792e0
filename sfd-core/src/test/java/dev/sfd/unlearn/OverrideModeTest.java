package dev.sfd.unlearn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.ConfigException;
import dev.sfd.FormatException;
import dev.sfd.SfdException;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The teacher label of forgotten samples under each {@link OverrideMode}, read where it matters: the labels the frozen
 * teacher is called with. A five-class teacher forgets class 0 (plan override 1); the remaining classes are 1..4.
 */
class OverrideModeTest {
    static final int CLASSES = 5, REMAIN_BATCH = 4, FORGET_BATCH = 8;

    @TempDir
    Path dir;

    /** The teacher, recording the class of every row it is asked to denoise. */
    static final class RecordingTeacher extends ScoreNetwork {
        final ScoreNetwork inner;
        final List<int[]> calls = new ArrayList<>();

        RecordingTeacher(ScoreNetwork inner) { this.inner = register("inner", inner); }

        @Override
        public Tensor denoise(Tensor x, Tensor sigma, Tensor labels) {
            float[] l = labels.toFloatArray();
            int n = labels.dim(0), k = labels.dim(1);
            int[] cls = new int[n];
            for (int i = 0; i < n; i++) for (int c = 0; c < k; c++) if (l[i * k + c] > 0.5f) cls[i] = c;
            calls.add(cls);
            return inner.denoise(x, sigma, labels);
        }

        @Override
        public int labelDim() { return inner.labelDim(); }

        @Override
        public int[] imageShape() { return inner.imageShape(); }

        @Override
        public ScoreNetwork copy() { return new RecordingTeacher(inner.copy()); }

        /** The teacher labels of the forget rows of every call so far (the last FORGET_BATCH rows of each). */
        int[] forgetRows() {
            int[] out = new int[calls.size() * FORGET_BATCH];
            for (int j = 0; j < calls.size(); j++) {
                int[] c = calls.get(j);
                assertEquals(REMAIN_BATCH + FORGET_BATCH, c.length, "rows of one teacher call");
                System.arraycopy(c, REMAIN_BATCH, out, j * FORGET_BATCH, FORGET_BATCH);
            }
            return out;
        }
    }

    static EdmPrecond net() { return new EdmPrecond(new MlpNoiseNet(CLASSES, 16, 21)); }

    static ForgetPlan plan() { return ForgetPlan.parse("0->1"); }

    static SfdConfig cfg(OverrideMode mode) {
        return SfdConfig.defaults().iterations(6).batch(REMAIN_BATCH, FORGET_BATCH).learningRates(1e-3, 1e-3).checkpointEvery(2).seed(11)
                .overrideMode(mode);
    }

    /** The forget rows' teacher labels over {@code iterations} iterations of a run with {@code cfg}. */
    static int[] teacherForgetLabels(SfdConfig cfg, int iterations, OverrideClassifier classifier) {
        EdmPrecond init = net();
        RecordingTeacher teacher = new RecordingTeacher(init);
        try (var sfd = new ScoreForgettingDistillation(teacher, plan(), cfg.iterations(iterations), init, init).classifier(classifier)) {
            sfd.run();
        }
        return teacher.forgetRows();
    }

    @Test
    void fixedGivesTheTeacherThePlansOverride() {
        for (int l : teacherForgetLabels(cfg(OverrideMode.FIXED), 3, null)) assertEquals(1, l);
    }

    @Test
    void randomSpreadsTheForgottenLabelUniformlyOverTheRemainingClasses() {
        int[] labels = teacherForgetLabels(cfg(OverrideMode.RANDOM), 40, null); // 320 draws
        int[] count = new int[CLASSES];
        for (int l : labels) count[l]++;
        assertEquals(0, count[0], "the forgotten class is never a teacher label");
        // each remaining class expects 80 of 320; a count outside 50..110 has probability < 1e-4 under uniform draws
        for (int c = 1; c < CLASSES; c++) assertTrue(count[c] >= 50 && count[c] <= 110, "class " + c + ": " + java.util.Arrays.toString(count));
        // deterministic per seed, different across seeds
        assertArrayEquals(labels, teacherForgetLabels(cfg(OverrideMode.RANDOM), 40, null));
        assertFalse(java.util.Arrays.equals(labels, teacherForgetLabels(cfg(OverrideMode.RANDOM).seed(12), 40, null)));
    }

    @Test
    void randomResumesBitIdentically() {
        EdmPrecond t = net();
        Path ckpt = dir.resolve("random.safetensors");
        try (var straight = new ScoreForgettingDistillation(t, plan(), cfg(OverrideMode.RANDOM))) {
            straight.run();
            try (var first = new ScoreForgettingDistillation(t, plan(), cfg(OverrideMode.RANDOM))) {
                first.runUntil(4, ckpt);
            }
            try (var resumed = new ScoreForgettingDistillation(t, plan(), cfg(OverrideMode.RANDOM))) {
                resumed.resume(ckpt);
                resumed.run(ckpt);
                SfdCheckpointTest.assertSameWeights(straight, resumed);
            }
            // a checkpoint of the random mode is not resumed as a fixed run
            try (var fixed = new ScoreForgettingDistillation(t, plan(), cfg(OverrideMode.FIXED))) {
                SfdException e = assertThrows(SfdException.class, () -> fixed.resume(ckpt));
                assertTrue(e.getMessage().contains("different configuration"), e.getMessage());
            }
        }
    }

    /**
     * A classifier that likes the forgotten class best (which must be masked out) and otherwise prefers class 2 or 4 by
     * the sign of the image's first value; it records what it saw.
     */
    static final class SignClassifier implements OverrideClassifier {
        final List<float[]> seen = new ArrayList<>();

        @Override
        public int numClasses() { return CLASSES; }

        @Override
        public Tensor logits(Tensor images) {
            float[] x = images.toFloatArray();
            int n = images.dim(0), per = x.length / n;
            double[] l = new double[n * CLASSES];
            for (int i = 0; i < n; i++) {
                seen.add(new float[] {x[i * per]});
                l[i * CLASSES] = 100;                                  // the forgotten class: highest, masked by SFD
                l[i * CLASSES + 1] = 1;
                l[i * CLASSES + (x[i * per] > 0 ? 2 : 4)] = 5;
                l[i * CLASSES + 3] = 2;
            }
            return Tensor.of(l, n, CLASSES).to(images.dtype());
        }
    }

    @Test
    void classifierModeGivesTheTeacherTheClassifiersRemainingChoicePerSample() {
        SignClassifier clf = new SignClassifier();
        int[] labels = teacherForgetLabels(cfg(OverrideMode.CLASSIFIER), 5, clf);
        assertEquals(labels.length, clf.seen.size(), "one classifier row per forgotten sample");
        int[] count = new int[CLASSES];
        for (int i = 0; i < labels.length; i++) {
            assertEquals(clf.seen.get(i)[0] > 0 ? 2 : 4, labels[i], "sample " + i);
            count[labels[i]]++;
        }
        assertTrue(count[2] > 0 && count[4] > 0, "both choices occur: " + java.util.Arrays.toString(count));
    }

    @Test
    void classifierModeNeedsAFittingClassifier() {
        EdmPrecond t = net();
        try (var sfd = new ScoreForgettingDistillation(t, plan(), cfg(OverrideMode.CLASSIFIER))) {
            ConfigException e = assertThrows(ConfigException.class, sfd::iterate);
            assertTrue(e.getMessage().contains("needs a classifier"), e.getMessage());
            OverrideClassifier three = new OverrideClassifier() {
                @Override
                public int numClasses() { return 3; }

                @Override
                public Tensor logits(Tensor images) { throw new AssertionError(); }
            };
            SfdException c = assertThrows(SfdException.class, () -> sfd.classifier(three));
            assertTrue(c.getMessage().contains("3 classes but the teacher has 5"), c.getMessage());
        }
        // a plan that forgets nothing needs none
        try (var sfd = new ScoreForgettingDistillation(t, ForgetPlan.none(), cfg(OverrideMode.CLASSIFIER).iterations(1))) {
            sfd.run();
        }
        // a forgetting run refuses before anything is written
        Path folder = dir.resolve("never");
        ForgetRun run = new ForgetRun(t, plan(), SfdRecipe.oneStage().config(cfg(OverrideMode.CLASSIFIER)).evalEvery(0)
                .stopRule(StopRule.fixedLength()), folder);
        ConfigException e = assertThrows(ConfigException.class, run::run);
        assertTrue(e.getMessage().contains("needs a classifier"), e.getMessage());
        assertFalse(Files.exists(folder));
    }

    @Test
    void aJudgeThatOnlyKnowsFixedOverridesIsRefusedInOtherModes() {
        Judge fixedOnly = (g, p) -> dev.sfd.eval.Figures.of(1, 1, 1, 1);
        SfdException e = assertThrows(SfdException.class, () -> new ForgetRun(net(), plan(), SfdRecipe.oneStage().config(cfg(OverrideMode.RANDOM))
                .evalEvery(2).stopRule(StopRule.fixedLength()), dir.resolve("judge")).judge(fixedOnly).run());
        assertTrue(e.getMessage().contains("override mode random"), e.getMessage());
    }

    @Test
    void theTieNeedsAFixedOverride() {
        for (OverrideMode m : new OverrideMode[] {OverrideMode.RANDOM, OverrideMode.CLASSIFIER}) {
            ConfigException e = assertThrows(ConfigException.class, () -> cfg(m).tieForgotten(true).requireFits(plan(), CLASSES));
            assertTrue(e.getMessage().contains("label tie") && e.getMessage().contains(m.id()), e.getMessage());
            assertThrows(ConfigException.class, () -> new ScoreForgettingDistillation(net(), plan(), cfg(m).tieForgotten(true)));
        }
        cfg(OverrideMode.FIXED).tieForgotten(true).requireFits(plan(), CLASSES);
        cfg(OverrideMode.RANDOM).tieForgotten(true).requireFits(ForgetPlan.none(), CLASSES); // nothing to tie
        // several forgotten classes still need overrides that are not themselves forgotten, in every mode
        SfdException several = assertThrows(SfdException.class, () -> cfg(OverrideMode.RANDOM).requireFits(ForgetPlan.parse("0->1,1->2"), CLASSES));
        assertTrue(several.getMessage().contains("itself forgotten"), several.getMessage());
    }

    @Test
    void theModeIsStoredOnlyWhenNotFixedAndRoundTrips() {
        SfdConfig fixed = SfdConfig.defaults();
        assertFalse(fixed.toJson().contains("override_mode"), "the default keeps the JSON of older versions");
        assertEquals(OverrideMode.FIXED, SfdConfig.fromStored(fixed.toJson()).overrideMode());
        for (OverrideMode m : OverrideMode.values()) {
            SfdConfig c = fixed.overrideMode(m);
            SfdConfig back = SfdConfig.fromStored(c.toJson());
            assertEquals(m, back.overrideMode());
            assertEquals(c, back);
            assertEquals(m.fixed(), fixed.sameRunAs(c));
        }
        java.util.Map<String, Object> json = dev.sfd.io.Json.parseMap(fixed.overrideMode(OverrideMode.RANDOM).toJson());
        assertEquals("random", json.get("override_mode"));
        json.put("override_mode", "sometimes");
        String bad = dev.sfd.io.Json.write(json);
        FormatException f = assertThrows(FormatException.class, () -> SfdConfig.fromStored(bad));
        assertTrue(f.getMessage().contains("override mode 'sometimes'"), f.getMessage());
        assertEquals(OverrideMode.CLASSIFIER, OverrideMode.parse(" Classifier "));
        ConfigException p = assertThrows(ConfigException.class, () -> OverrideMode.parse("rand"));
        assertTrue(p.getMessage().contains("fixed, random, classifier"), p.getMessage());
        assertThrows(ConfigException.class, () -> OverrideMode.parse(null));
        // stage 1 forgets nothing, so it is the same stage 1 whatever the mode
        assertEquals(OverrideMode.FIXED, SfdRecipe.twoStage(10).config(SfdRecipe.twoStage(10).config().overrideMode(OverrideMode.RANDOM))
                .stage1Config().overrideMode());
        assertNotEquals(fixed.overrideMode(OverrideMode.RANDOM), fixed);
    }
}
