package dev.sfd.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.io.Json;
import dev.sfd.models.Classifier;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.models.data.FashionMnist;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's file contracts on a tiny random teacher and classifier (fast; the real assets are exercised by
 * the demo): forget writes generator/after/curves/report, sample accepts the generator and writes the
 * DIR/<class>/<NNNN>.png tree, eval reads it back, and bad input gives exit code 1 or 2 with a message.
 */
class CliEndToEndTest {
    @TempDir
    static Path dir;
    static Path teacher;
    static Path classifier;

    static final SongUnetConfig SMALL = new SongUnetConfig(32, 1, 1, 10, 0, 8, new int[] {1, 2}, 2, 1, new int[] {16}, 0, 0, 1);

    @BeforeAll
    static void assets() {
        teacher = dir.resolve("teacher.safetensors");
        SongUnet.save(SongUnet.create(SMALL, 5), teacher, null);
        classifier = dir.resolve("classifier.safetensors");
        new Classifier(1, 4, 10, 6).save(classifier, null);
    }

    static int run(String... args) { return SfdCli.execute(args); }

    /**
     * A forgetting command finished and wrote its files: exit 0 (bar met) or {@link SfdCli#EXIT_BELOW_BAR} (a tiny random
     * teacher and judge rarely meet the bar; the honest-stop tests check which one).
     */
    static void assertFinished(int rc) {
        assertTrue(rc == 0 || rc == SfdCli.EXIT_BELOW_BAR, "exit " + rc + ": expected 0 or " + SfdCli.EXIT_BELOW_BAR);
    }

    /** The main job's file contract (tiny teacher and budgets; the shipped judge classifier and real test images). */
    @Test
    void demoWritesItsFilesAndComparesFdAtEqualCounts() throws Exception {
        Assumptions.assumeTrue(FashionMnist.isAvailable(), FashionMnist.installHint());
        Path out = dir.resolve("demo");
        assertFinished(run("demo", "--teacher", teacher.toString(), "--iterations", "2", "--batch-remain", "2", "--batch-forget", "2",
                "--eval-every", "0", "--eval-samples", "6", "--eval-per-class", "4", "--teacher-per-class", "3", "--out", out.toString()));
        for (String f : new String[] {"generator.safetensors", "before.png", "after.png", "curves.png", "report.json"}) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        Map<String, Object> report = Json.readMap(out.resolve("report.json"));
        for (String k : new String[] {"forget", "override", "iterations", "seconds", "ua", "as_override", "remain_accuracy", "fd_remain",
                "teacher", "fd_remain_at_teacher_count"}) {
            assertTrue(report.containsKey(k), "report.json lacks " + k);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> matched = (Map<String, Object>) report.get("fd_remain_at_teacher_count");
        assertEquals(3, ((Number) matched.get("per_class")).intValue());
        double ratio = ((Number) matched.get("ratio")).doubleValue();
        assertEquals(((Number) matched.get("generator")).doubleValue() / ((Number) matched.get("teacher")).doubleValue(), ratio, 1e-9);
    }

    /** --override-mode random and classifier: the report gives the forgotten label's distribution over the remaining classes. */
    @Test
    void overrideModesReportTheDistributionOverTheRemainingClasses() throws Exception {
        Assumptions.assumeTrue(FashionMnist.isAvailable(), FashionMnist.installHint());
        for (String mode : new String[] {"random", "classifier"}) {
            Path out = dir.resolve("mode-" + mode);
            assertEquals(0, run("forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--plan", "0->1",
                    "--override-mode", mode, "--iterations", "2", "--batch-remain", "2", "--batch-forget", "2", "--eval-every", "0",
                    "--eval-samples", "8", "--eval-per-class", "2", "--out", out.toString()));
            Map<String, Object> report = Json.readMap(out.resolve("report.json"));
            assertEquals(mode, report.get("override_mode"));
            assertTrue(report.containsKey("as_remaining") && !report.containsKey("as_override"), report.keySet().toString());
            @SuppressWarnings("unchecked")
            Map<String, Object> row = ((java.util.List<Map<String, Object>>) report.get("per_forget_class")).get(0);
            @SuppressWarnings("unchecked")
            Map<String, Object> dist = (Map<String, Object>) row.get("remain_distribution");
            assertEquals(9, dist.size(), "one share per remaining class: " + dist);
            assertTrue(!dist.containsKey("0"), dist.toString());
            @SuppressWarnings("unchecked")
            Map<String, Object> config = (Map<String, Object>) report.get("config");
            assertEquals(mode, config.get("override_mode"));
        }
    }

    @Test
    void forgetSampleEvalRoundTrip() throws Exception {
        Assumptions.assumeTrue(FashionMnist.isAvailable(), FashionMnist.installHint());
        Path out = dir.resolve("forget");
        assertFinished(run("forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--plan", "0->1",
                "--iterations", "3", "--batch-remain", "2", "--batch-forget", "2", "--eval-every", "2", "--checkpoint-every", "2",
                "--eval-samples", "8", "--eval-per-class", "4", "--out", out.toString()));
        for (String f : new String[] {"generator.safetensors", "after.png", "curves.png", "report.json", "checkpoint.safetensors"}) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        Map<String, Object> report = Json.readMap(out.resolve("report.json"));
        for (String k : new String[] {"plan", "iterations", "seconds", "ua", "as_override", "remain_accuracy", "fd_remain"}) {
            assertTrue(report.containsKey(k), "report.json lacks " + k);
        }
        Path samples = dir.resolve("samples");
        assertEquals(0, run("sample", "--model", out.resolve("generator.safetensors").toString(), "--per-class", "3", "--out", samples.toString()));
        assertTrue(Files.exists(samples.resolve("9/0002.png")));
        assertTrue(Files.exists(samples.resolve("grid.png")));
        assertEquals(0, run("eval", "--samples", samples.toString(), "--classifier", classifier.toString()));
        Map<String, Object> eval = Json.readMap(samples.resolve("eval.json"));
        assertEquals(30, ((Number) eval.get("images")).intValue());
    }

    /** A judge that calls every image class {@code k} ({@link CliFixtures#constantJudge}), saved in this class's folder. */
    static Path constantJudge(int k) { return CliFixtures.constantJudge(dir, k); }

    /** --max-iterations: stops at --iterations when the quick evaluation shows the plan done, else continues to the cap or a plateau. */
    @Test
    void maxIterationsContinuesOnlyWhileThePlanIsNotDone() throws Exception {
        Assumptions.assumeTrue(FashionMnist.isAvailable(), FashionMnist.installHint());
        String[] common = {"forget", "--teacher", teacher.toString(), "--plan", "0->1", "--iterations", "2", "--max-iterations", "6",
            "--batch-remain", "2", "--batch-forget", "2", "--eval-every", "2", "--eval-samples", "4", "--eval-per-class", "2"};
        Path done = dir.resolve("max-done"), notDone = dir.resolve("max-not-done");
        String[] a = java.util.Arrays.copyOf(common, common.length + 4);
        int maxValue = java.util.Arrays.asList(common).indexOf("--max-iterations") + 1;
        a[common.length] = "--classifier";
        a[common.length + 1] = constantJudge(1).toString(); // every sample drawn as the override: done at iteration 2
        a[common.length + 2] = "--out";
        a[common.length + 3] = done.toString();
        assertEquals(0, run(a));
        Map<String, Object> r = Json.readMap(done.resolve("report.json"));
        assertEquals(2, ((Number) r.get("iterations")).intValue());
        a[common.length + 1] = constantJudge(0).toString(); // every sample still the forgotten class: runs to the cap (4)
        a[common.length + 3] = notDone.toString();
        a[maxValue] = "4";
        assertEquals(SfdCli.EXIT_BELOW_BAR, run(a), "UA 0: finished below the bar");
        r = Json.readMap(notDone.resolve("report.json"));
        assertEquals(4, ((Number) r.get("iterations")).intValue());
        assertEquals(2, ((Number) r.get("iterations_planned")).intValue());
        a[maxValue] = "20"; // a far cap: the plateau (no gain at 4 and 6) stops the extension at 6
        a[common.length + 3] = dir.resolve("max-plateau").toString();
        assertEquals(SfdCli.EXIT_BELOW_BAR, run(a));
        assertEquals(6, ((Number) Json.readMap(dir.resolve("max-plateau/report.json")).get("iterations")).intValue());
        assertMessage(2, "is below --iterations 3", "forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(),
                "--iterations", "3", "--max-iterations", "2", "--out", dir.resolve("x8").toString());
        assertMessage(2, "needs the quick evaluations", "forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(),
                "--iterations", "3", "--max-iterations", "9", "--eval-every", "0", "--out", dir.resolve("x9").toString());
        assertTrue(!Files.exists(dir.resolve("x8")) && !Files.exists(dir.resolve("x9")), "nothing written for rejected options");
    }

    @Test
    void twoStageWritesBothStages() {
        Assumptions.assumeTrue(FashionMnist.isAvailable(), FashionMnist.installHint());
        Path out = dir.resolve("two-stage");
        assertFinished(run("forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--plan", "0->1",
                "--two-stage", "2", "--iterations", "2", "--batch-remain", "2", "--batch-forget", "2", "--eval-every", "0",
                "--eval-samples", "4", "--eval-per-class", "2", "--out", out.toString()));
        assertTrue(Files.exists(out.resolve("stage1/checkpoint.safetensors")));
        assertTrue(Files.exists(out.resolve("generator.safetensors")));
    }

    /** A plain distillation run is a stage 1: its folder feeds --from-stage1; a wrong folder fails before anything is written. */
    @Test
    void twoStageFromAFinishedStage1() throws Exception {
        Assumptions.assumeTrue(FashionMnist.isAvailable(), FashionMnist.installHint());
        Path stage1 = dir.resolve("distilled");
        assertEquals(0, run("forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--plan", "",
                "--iterations", "2", "--batch-remain", "2", "--eval-every", "1", "--eval-samples", "4", "--eval-per-class", "2",
                "--out", stage1.toString()));
        assertTrue(Files.exists(stage1.resolve("fake.safetensors")), "a forget run writes its fake score network");
        Path out = dir.resolve("stage2");
        assertFinished(run("forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--plan", "0->1",
                "--from-stage1", stage1.toString(), "--iterations", "2", "--batch-remain", "2", "--batch-forget", "2", "--eval-every", "0",
                "--eval-samples", "4", "--eval-per-class", "2", "--out", out.toString()));
        Map<String, Object> report = Json.readMap(out.resolve("report.json"));
        @SuppressWarnings("unchecked")
        Map<String, Object> cfg = (Map<String, Object>) report.get("config");
        assertEquals(0.3, ((Number) cfg.get("lambda_f")).doubleValue(), 0.0, "stage 2 uses --stage2-forget-weight");
        assertTrue(!"NONE".equals(cfg.get("ema")), "stage 2 keeps an EMA by default (CPU recipe)");
        // the checkpoint of a (possibly unfinished) distillation is a stage 1 too; a forgetting run's is not
        assertFinished(run("forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--plan", "0->1",
                "--from-stage1", stage1.resolve("checkpoint.safetensors").toString(), "--iterations", "1", "--batch-remain", "2",
                "--batch-forget", "2", "--eval-every", "0", "--eval-samples", "4", "--eval-per-class", "2", "--no-stage2-ema",
                "--out", dir.resolve("stage2b").toString()));
        @SuppressWarnings("unchecked")
        Map<String, Object> cfgB = (Map<String, Object>) Json.readMap(dir.resolve("stage2b").resolve("report.json")).get("config");
        assertEquals("NONE", cfgB.get("ema"), "--no-stage2-ema is the paper's stage 2");
        assertMessage(1, "a stage 1 is plain distillation", "forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(),
                "--from-stage1", out.resolve("checkpoint.safetensors").toString(), "--out", dir.resolve("x7").toString());
        // export-stage1 turns a distillation checkpoint into a stage-1 folder (EMA generator + fake net) that feeds --from-stage1
        Path exported = dir.resolve("exported");
        assertEquals(0, run("export-stage1", "--checkpoint", stage1.resolve("checkpoint.safetensors").toString(), "--out", exported.toString()));
        dev.sfd.models.Models.Stage1 back = dev.sfd.models.Models.stage1(exported.toString());
        dev.sfd.models.Models.Stage1 direct = dev.sfd.models.Models.stage1(stage1.resolve("checkpoint.safetensors").toString());
        assertEquals(direct.generator().sigmaInit(), back.generator().sigmaInit(), 0.0);
        direct.generator().network().stateDict().forEach((k, v) -> org.junit.jupiter.api.Assertions.assertArrayEquals(
                v.toFloatArray(), back.generator().network().stateDict().get(k).toFloatArray(), 0f, "exported generator tensor " + k));
        direct.fake().stateDict().forEach((k, v) -> org.junit.jupiter.api.Assertions.assertArrayEquals(
                v.toFloatArray(), back.fake().stateDict().get(k).toFloatArray(), 0f, "exported fake tensor " + k));
        assertEquals("2", dev.sfd.io.SafeTensors.readHeader(exported.resolve("generator.safetensors")).metadata().get("sfd.stage1.step"));
        assertMessage(1, "a stage 1 is plain distillation", "export-stage1", "--checkpoint", out.resolve("checkpoint.safetensors").toString(),
                "--out", dir.resolve("x8").toString());
        assertMessage(1, "is not a file", "export-stage1", "--checkpoint", dir.resolve("none.safetensors").toString(), "--out", dir.resolve("x8").toString());
        assertMessage(1, "does not exist", "forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(),
                "--from-stage1", out.toString() + "-missing", "--out", dir.resolve("x5").toString());
        Files.createDirectories(dir.resolve("empty-stage1"));
        assertMessage(1, "has no fake.safetensors", "forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(),
                "--from-stage1", dir.resolve("empty-stage1").toString(), "--out", dir.resolve("x5").toString());
        Path other = dir.resolve("other-teacher.safetensors");
        SongUnet.save(SongUnet.create(new SongUnetConfig(32, 1, 1, 10, 0, 8, new int[] {1, 1}, 1, 1, new int[] {16}, 0, 0, 1), 5), other, null);
        assertMessage(1, "does not have the teacher's architecture", "forget", "--teacher", other.toString(), "--classifier", classifier.toString(),
                "--from-stage1", stage1.toString(), "--out", dir.resolve("x6").toString());
        assertTrue(!Files.exists(dir.resolve("x5")) && !Files.exists(dir.resolve("x6")) && !Files.exists(dir.resolve("x7"))
                && !Files.exists(dir.resolve("x8")),
                "nothing written for a rejected stage 1");
    }

    @Test
    void badInputFailsFastWithAMessage() {
        assertMessage(1, "is out of range", "forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--plan", "0->12", "--out", dir.resolve("x1").toString());
        assertMessage(1, "must differ", "forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--plan", "3->3", "--out", dir.resolve("x2").toString());
        assertMessage(1, "does not exist", "forget", "--teacher", dir.resolve("missing.safetensors").toString(), "--out", dir.resolve("x3").toString());
        assertMessage(1, "not a SongUNet", "forget", "--teacher", classifier.toString(), "--out", dir.resolve("x4").toString());
        assertMessage(2, "Unknown option", "forget", "--no-such-option");
        assertTrue(!Files.exists(dir.resolve("x1")) && !Files.exists(dir.resolve("x2")), "nothing written for rejected plans");
    }

    @Test
    void nonWritableOutputFolderIsRejected() throws Exception {
        Path file = dir.resolve("plain-file");
        Files.writeString(file, "x");
        assertMessage(1, "not writable", "forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--out", file.resolve("sub").toString());
    }

    static void assertMessage(int code, String fragment, String... args) {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try (PrintStream ps = new PrintStream(buf, true)) {
            System.setErr(ps);
            rc = SfdCli.execute(args);
        } finally {
            System.setErr(oldErr);
        }
        String text = buf.toString();
        assertEquals(code, rc, "exit code for " + String.join(" ", args) + "; output: " + text);
        assertTrue(text.contains(fragment), "expected '" + fragment + "' in: " + text);
    }
}
