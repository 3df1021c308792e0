package dev.sfd.models.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.ConfigException;
import dev.sfd.eval.Bar;
import dev.sfd.eval.ClassTable;
import dev.sfd.eval.Figures;
import dev.sfd.io.RunCache;
import dev.sfd.models.Classifier;
import dev.sfd.models.Evaluator;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.unlearn.ForgetRun;
import dev.sfd.unlearn.OneStepGenerator;
import dev.sfd.unlearn.SfdRecipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pair set, the bar of a row, and the per-pair cache (a finished pair is loaded, an interrupted one resumes), on a tiny teacher. */
class PairSweepTest {
    static final SongUnetConfig SMALL = new SongUnetConfig(32, 1, 1, 10, 0, 8, new int[] {1, 2}, 2, 1, new int[] {16}, 0, 0, 1);

    @TempDir
    Path dir;

    /** The stored teacher evaluation is used only for the shipped teacher judged by the shipped classifier. */
    @Test
    void theStoredTeacherEvaluationAppliesOnlyToTheShippedTeacherAndJudge() {
        PairSweep.TeacherReference stored = PairSweep.TeacherReference.storedFor(true, true);
        assertNotNull(stored, "this build ships the teacher's stored evaluation");
        PairSweep.TeacherReference shipped = PairSweep.TeacherReference.shipped();
        assertEquals(shipped.source(), stored.source());
        assertEquals(shipped.perClass(), stored.perClass());
        assertEquals(shipped.table().meanAccuracy(), stored.table().meanAccuracy());
        assertEquals(10, stored.table().rows().size());
        assertTrue(stored.source().startsWith("stored evaluation of the shipped teacher"), stored.source());
        assertNull(PairSweep.TeacherReference.storedFor(false, true), "another teacher: its figures must be sampled");
        assertNull(PairSweep.TeacherReference.storedFor(true, false), "another judge: the stored figures are the shipped judge's");
        assertNull(PairSweep.TeacherReference.storedFor(false, false));
    }

    @Test
    void thePairSetIsFixedPerSeedHoldsTheRequiredPairsAndNoSelfPairs() {
        List<PairSweep.Pair> a = PairSweep.pairs(10, 1);
        assertEquals(a, PairSweep.pairs(10, 1), "deterministic per seed");
        assertEquals(10, a.size());
        assertEquals(PairSweep.REQUIRED, a.subList(0, PairSweep.REQUIRED.size()));
        for (String p : new String[] {"0->1", "6->0", "4->8", "5->2"}) assertTrue(a.contains(PairSweep.Pair.parse(p)), p);
        assertEquals(10, new HashSet<>(a).size(), "no pair twice");
        for (PairSweep.Pair p : a) assertNotEquals(p.forget(), p.override());
        assertNotEquals(a, PairSweep.pairs(10, 2), "another seed draws other pairs");
        assertEquals(a.subList(0, 7), PairSweep.pairs(7, 1).subList(0, 7), "a smaller set is a prefix of the same draw");
        assertEquals(PairSweep.REQUIRED.subList(0, 3), PairSweep.pairs(3, 1));
        List<PairSweep.Pair> all = PairSweep.pairs(90, 5);
        assertEquals(90, new HashSet<>(all).size(), "all ordered pairs of distinct classes");
        assertThrows(ConfigException.class, () -> PairSweep.pairs(10, 0, 1));
        assertThrows(ConfigException.class, () -> PairSweep.pairs(10, 91, 1));
        assertThrows(ConfigException.class, () -> PairSweep.Pair.parse("3->3"));
        assertThrows(ConfigException.class, () -> PairSweep.Pair.parse("3-4"));
        assertThrows(ConfigException.class, () -> PairSweep.requireValid(List.of(PairSweep.Pair.parse("0->12")), 10));
        assertThrows(ConfigException.class, () -> PairSweep.requireValid(List.of(new PairSweep.Pair(0, 1), new PairSweep.Pair(0, 1)), 10));
    }

    static PairSweep.Row row(double ua, double ov, double acc, double fdMatched) {
        Figures teacher = Figures.of(0.245, 0.05, 0.80, 20.0);
        return new PairSweep.Row(new PairSweep.Pair(4, 8), Figures.of(ua, ov, acc, 35.0), 100, fdMatched, teacher, 100, 50, 50, "FORGOTTEN",
                "done", 400, false, false);
    }

    @Test
    void aRowMeetsTheBarOnlyWhenAllFourFiguresDo() {
        PairSweep.Row ok = row(1.0, 0.95, 0.76, 30.0);
        assertEquals(0.95, ok.accuracyRatio(), 1e-12);
        assertEquals(1.5, ok.fdRatio(), 1e-12, "the ratio uses the FD at the teacher's count, not the budget's");
        assertTrue(ok.verdict().met(), ok.verdict().summary());
        assertFalse(row(0.985, 0.95, 0.8, 20).verdict().met());
        assertFalse(row(1.0, 0.89, 0.8, 20).verdict().met());
        assertFalse(row(1.0, 0.95, 0.75, 20).verdict().met());
        Bar.Verdict fd = row(1.0, 0.95, 0.8, 30.2).verdict();
        assertEquals(List.of("fd_remain_ratio"), fd.failures().stream().map(Bar.Failure::figure).toList());
        Map<String, Object> json = row(0.985, 0.95, 0.8, 20).toJson();
        assertEquals(false, json.get("bar_met"));
        PairSweep.Row back = PairSweep.Row.fromJson(dev.sfd.io.Json.parseMap(dev.sfd.io.Json.write(ok.toJson())), "test");
        assertEquals(ok.verdict(), back.verdict());
        assertEquals(ok.pair(), back.pair());
        assertEquals(1.5, back.fdRatio(), 1e-12);
        assertTrue(Double.isNaN(ok.teacherOverrideClassAccuracy()), "no per-class table");
        // from a teacher reference's table: the override class's own accuracy
        double[] acc = {0.75, 0.99, 0.68, 0.87, 0.74, 0.94, 0.54, 0.84, 0.90, 0.88}, fds = new double[10];
        int[] labels = dev.sfd.models.Evaluator.classLabels(10, 1);
        PairSweep.TeacherReference ref = new PairSweep.TeacherReference(ClassTable.of(labels, labels, acc, fds, 10), 1, "test");
        PairSweep.Row r = new PairSweep.Row(new PairSweep.Pair(5, 2), Figures.of(1, 0.7, 0.8, 1), 1, 1, ref.figures(new PairSweep.Pair(5, 2)), 1, 1, 1,
                "X", "x", 1, false, false);
        assertEquals(0.68, r.teacherOverrideClassAccuracy(), 0.0);
        assertEquals(0.68, PairSweep.Row.fromJson(dev.sfd.io.Json.parseMap(dev.sfd.io.Json.write(r.toJson())), "t").teacherOverrideClassAccuracy(), 0.0);
    }

    static TestSweep sweep(Path cache) { return sweep(cache, new Evaluator(new Classifier(1, 4, 10, 6), null)); }

    static TestSweep sweep(Path cache, Evaluator ev) {
        EdmPrecond teacher = SongUnet.create(SMALL, 5);
        double[] acc = new double[10], fd = new double[10];
        java.util.Arrays.fill(acc, 0.8);
        java.util.Arrays.fill(fd, Double.NaN);
        int[] labels = Evaluator.classLabels(10, 2);
        ClassTable table = ClassTable.of(labels, labels, acc, fd, 10);
        SfdRecipe recipe = PairSweep.quick(SfdRecipe.oneStage()).config(PairSweep.quick(SfdRecipe.oneStage()).config().batch(2, 2)).quickPerClass(1);
        return new TestSweep(new PairSweep(teacher, recipe, ev, new PairSweep.TeacherReference(table, 2, "test table"),
                new PairSweep.Budget("test", 4, 2, 1), new RunCache(cache)));
    }

    record TestSweep(PairSweep sweep) {}

    /** Counts forgetting runs started and cancels the first one at iteration {@code cancelAt} (0 = never). */
    static final class Counting implements PairSweep.Listener {
        final AtomicInteger runs = new AtomicInteger();
        final long cancelAt;

        Counting(long cancelAt) { this.cancelAt = cancelAt; }

        @Override
        public ForgetRun attach(PairSweep.Pair pair, ForgetRun run) {
            int n = runs.incrementAndGet();
            if (n == 1 && cancelAt > 0) {
                run.addListener(new ForgetRun.Listener() {
                    @Override
                    public void onStep(String stage, long step, long max, Map<String, Double> losses) { if (step == cancelAt) run.cancel(); }
                });
            }
            return run;
        }
    }

    @Test
    void aFinishedPairIsLoadedAndAnInterruptedOneResumes() throws Exception {
        PairSweep.Pair pair = new PairSweep.Pair(0, 1);
        PairSweep s = sweep(dir.resolve("cache")).sweep();
        Counting first = new Counting(3);
        assertThrows(CancellationException.class, () -> s.run(pair, first), "the first run is killed at iteration 3");
        assertFalse(s.finished(pair));
        assertTrue(Files.isRegularFile(s.folder(pair).resolve(ForgetRun.CHECKPOINT)));
        PairSweep.Row resumed = s.run(pair, first);
        assertTrue(resumed.resumed(), "continued from the checkpoint");
        assertFalse(resumed.cached());
        assertEquals(2, first.runs.get());
        assertTrue(resumed.iterations() >= 4, "the planned length at least: " + resumed.iterations());
        assertTrue(Double.isNaN(resumed.fdRatio()), "no real images: FD unknown");
        assertTrue(resumed.verdict().unjudged().size() == 1, resumed.verdict().summary());

        // a new sweep object over the same cache loads the pair: no forgetting run starts
        Counting second = new Counting(0);
        List<String> started = new ArrayList<>();
        PairSweep again = sweep(dir.resolve("cache")).sweep();
        PairSweep.Row loaded = again.run(List.of(pair), new PairSweep.Listener() {
            @Override
            public void onPairStart(PairSweep.Pair p, Path folder, boolean cached) { started.add(p + (cached ? " cached" : "")); }

            @Override
            public ForgetRun attach(PairSweep.Pair p, ForgetRun run) { return second.attach(p, run); }
        }).get(0);
        assertEquals(0, second.runs.get(), "a finished pair is never recomputed");
        assertEquals(List.of("0->1 cached"), started);
        assertTrue(loaded.cached());
        assertEquals(resumed.generator().ua(), loaded.generator().ua());
        assertEquals(resumed.seconds(), loaded.seconds());
        assertEquals(resumed.iterations(), loaded.iterations());
        // an uninterrupted run of the same pair reaches the same figures
        PairSweep.Row straight = sweep(dir.resolve("cache2")).sweep().run(pair);
        assertEquals(straight.generator().ua(), resumed.generator().ua());
        assertEquals(straight.generator().remainAccuracy(), resumed.generator().remainAccuracy());
        assertEquals(straight.iterations(), resumed.iterations());
    }

    @Test
    void aCachedRowWithoutTheSecondJudgeIsRejudgedFromItsGeneratorOnResume() throws Exception {
        PairSweep.Pair pair = new PairSweep.Pair(6, 0);
        Path cache = dir.resolve("cache");
        PairSweep.Row one = sweep(cache).sweep().run(pair);
        assertNull(one.generator().second(), "made with one judge");
        assertNull(one.ceiling(), "no real images: no ceiling");
        assertFalse(dev.sfd.io.Json.readMap(sweep(cache).sweep().folder(pair).resolve(PairSweep.ROW_FILE)).containsKey("second_ua"));

        // the same cache read by an evaluator with a second judge and real images: loaded, not trained, and re-judged
        Evaluator two = new Evaluator(new Classifier(1, 4, 10, 6), new dev.sfd.models.data.SyntheticDataset(40, 10, 2))
                .secondJudge(new Classifier(Classifier.Arch.CNN3K5, 1, 4, 10, 9), "judge-b");
        PairSweep s2 = sweep(cache, two).sweep();
        Counting runs = new Counting(0);
        PairSweep.Row again = s2.run(pair, runs);
        assertEquals(0, runs.runs.get(), "no training");
        assertTrue(again.cached());
        assertNotNull(again.generator().second(), "the second judge read the cached generator");
        assertEquals("judge-b", again.generator().second().name());
        assertEquals(one.generator().ua(), again.generator().ua(), "the first judge's figures stay as cached");
        assertEquals(one.seconds(), again.seconds());
        assertEquals(one.iterations(), again.iterations());
        // what the second judge reads equals a fresh evaluation of the generator on the sweep's budget
        OneStepGenerator g = dev.sfd.models.Models.generator(s2.folder(pair).resolve(PairSweep.GENERATOR_FILE));
        Figures fresh = two.figures(g, pair.plan(), 4, 2, 1);
        assertEquals(fresh.second(), again.generator().second());
        assertEquals(two.judgeCeiling(pair.plan()), again.ceiling(), "the judge ceiling is measured for the cached row");
        // written back: a third read finds both judges in the row file without re-judging
        Map<String, Object> file = dev.sfd.io.Json.readMap(s2.folder(pair).resolve(PairSweep.ROW_FILE));
        assertEquals(again.generator().second().ua(), (Double) file.get("second_ua"), 0.0);
        assertTrue(file.containsKey("judge_ceiling"));
        PairSweep.Row third = PairSweep.Row.fromJson(file, "row");
        assertEquals(again.generator().second(), third.generator().second());
        assertEquals(again.ceiling(), third.ceiling());

        // a ceiling stored before it kept its pairs (only a description) is measured again, and the row file updated
        @SuppressWarnings("unchecked")
        Map<String, Object> ceiling = new java.util.LinkedHashMap<>((Map<String, Object>) file.get("judge_ceiling"));
        ceiling.remove("pairs");
        ceiling.remove("real_images");
        Map<String, Object> oldFile = new java.util.LinkedHashMap<>(file);
        oldFile.put("judge_ceiling", ceiling);
        dev.sfd.io.Json.write(s2.folder(pair).resolve(PairSweep.ROW_FILE), oldFile);
        PairSweep.Row fourth = s2.run(pair, runs);
        assertEquals(0, runs.runs.get(), "no training");
        assertEquals(two.judgeCeiling(pair.plan()), fourth.ceiling());
        assertFalse(fourth.ceiling().pairs().isEmpty());
        assertTrue(dev.sfd.io.Json.readMap(s2.folder(pair).resolve(PairSweep.ROW_FILE)).get("judge_ceiling").toString().contains("pairs"));
    }
}
