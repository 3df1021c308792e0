package dev.sfd.bench.cli;

import static dev.sfd.bench.cli.CliProcessTest.assertSameTensors;
import static dev.sfd.bench.cli.CliProcessTest.launch;
import static dev.sfd.bench.cli.CliProcessTest.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.io.Json;
import dev.sfd.models.data.FashionMnist;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * forget (one stage, SFD-Two-Stage killed in each stage, the robust recipe from a stage 1) and a table run through the
 * CLI's own process, killed with SIGKILL after their first checkpoint, continued with {@code --resume} (the table: by
 * running it again) and compared with an uninterrupted run: the same generator bytes and the same report figures.
 * Tiny random SongUNet, a few iterations each.
 */
@Tag("slow")
class CliKilledRunsResumeTest {
    @TempDir static Path dir;
    static Path teacher;
    static Path classifier;

    @BeforeAll
    static void assets() {
        teacher = CliFixtures.teacher(dir);
        classifier = CliFixtures.classifier(dir);
    }

    /** Starts the CLI in its own JVM, kills it (SIGKILL) as soon as {@code cut} holds, and fails if it ended first. */
    static void killWhen(BooleanSupplier cut, String what, Path log, String... args) throws Exception {
        Process p = launch(log, args);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!cut.getAsBoolean() && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        boolean wasAlive = p.isAlive();
        p.destroyForcibly();
        p.waitFor(1, TimeUnit.MINUTES);
        assertTrue(wasAlive, "the run ended before " + what + " could be interrupted (exit " + p.exitValue() + "): " + Files.readString(log));
        assertTrue(cut.getAsBoolean(), "no " + what + " after the kill");
    }

    static void ok(String... args) { CliFixtures.finished(args); }

    /** report.json without wall-clock times. */
    static Map<String, Object> figures(Path report) {
        Map<String, Object> m = new TreeMap<>(Json.readMap(report));
        m.keySet().removeIf(k -> k.contains("seconds"));
        return m;
    }

    /** An uninterrupted run into {@code whole}, a killed-then-resumed one into {@code cut}: same generator, same figures. */
    static void assertSameRun(Path whole, Path cut) {
        assertSameTensors(whole.resolve("generator.safetensors"), cut.resolve("generator.safetensors"));
        assertEquals(figures(whole.resolve("report.json")), figures(cut.resolve("report.json")));
    }

    static String[] forget(String... more) {
        return with(new String[] {"forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--plan", "0->1",
            "--batch-remain", "2", "--batch-forget", "2", "--eval-every", "0", "--checkpoint-every", "2", "--eval-samples", "2",
            "--eval-per-class", "1", "--seed", "3"}, more);
    }

    @Test
    void killedOneStageForgetResumesBitIdentically() throws Exception {
        Path whole = dir.resolve("one-whole"), cut = dir.resolve("one-cut");
        ok(forget("--iterations", "16", "--out", whole.toString()));
        killWhen(() -> Files.exists(cut.resolve("checkpoint.safetensors")), "the first checkpoint", dir.resolve("one-cut.log"),
                forget("--iterations", "16", "--out", cut.toString()));
        assertFalse(Files.exists(cut.resolve("report.json")), "killed before the report");
        CliProcessTest.resumeReadsTheCheckpoint(cut.resolve("checkpoint.safetensors"), forget("--iterations", "16", "--out", cut.toString(), "--resume"));
        ok(forget("--iterations", "16", "--out", cut.toString(), "--resume"));
        assertSameRun(whole, cut);
    }

    /** SFD-Two-Stage killed in stage 1, continued and killed again in stage 2, continued to the end. */
    @Test
    void killedTwoStageForgetResumesInEachStage() throws Exception {
        Path whole = dir.resolve("two-whole"), cut = dir.resolve("two-cut");
        String[] args = {"--two-stage", "10", "--iterations", "10"};
        ok(forget(with(args, "--out", whole.toString())));
        killWhen(() -> Files.exists(cut.resolve("stage1/checkpoint.safetensors")), "stage 1's first checkpoint", dir.resolve("two-cut-1.log"),
                forget(with(args, "--out", cut.toString())));
        assertFalse(Files.exists(cut.resolve("checkpoint.safetensors")), "killed in stage 1");
        killWhen(() -> Files.exists(cut.resolve("checkpoint.safetensors")), "stage 2's first checkpoint", dir.resolve("two-cut-2.log"),
                forget(with(args, "--out", cut.toString(), "--resume")));
        assertTrue(Files.readString(dir.resolve("two-cut-2.log")).contains("resumed stage1 at step"), Files.readString(dir.resolve("two-cut-2.log")));
        assertFalse(Files.exists(cut.resolve("report.json")), "killed before the report");
        ok(forget(with(args, "--out", cut.toString(), "--resume")));
        assertSameRun(whole, cut);
    }

    /** The robust recipe (the demo's) from a finished stage 1. */
    @Test
    void killedRobustForgetFromAStage1ResumesBitIdentically() throws Exception {
        Path stage1 = dir.resolve("stage1");
        ok("forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--plan", "", "--iterations", "2", "--batch-remain", "2",
                "--eval-every", "0", "--eval-samples", "2", "--eval-per-class", "1", "--out", stage1.toString());
        String[] args = {"--from-stage1", stage1.toString(), "--robust", "--iterations", "16"};
        Path whole = dir.resolve("robust-whole"), cut = dir.resolve("robust-cut");
        ok(forget(with(args, "--out", whole.toString())));
        assertEquals(Boolean.TRUE, ((Map<?, ?>) Json.readMap(whole.resolve("report.json")).get("config")).get("tie_forgotten"), "--robust ties the label");
        killWhen(() -> Files.exists(cut.resolve("checkpoint.safetensors")), "the first checkpoint", dir.resolve("robust-cut.log"),
                forget(with(args, "--out", cut.toString())));
        ok(forget(with(args, "--out", cut.toString(), "--resume")));
        assertSameRun(whole, cut);
    }

    /** A table killed inside a row's relearning attack continues when run again and ends with the uninterrupted table's figures. */
    @Test
    void killedQuickTableContinuesToTheSameTable() throws Exception {
        Assumptions.assumeTrue(FashionMnist.isAvailable(), FashionMnist.installHint());
        Path whole = dir.resolve("table-whole"), cut = dir.resolve("table-cut");
        String[] args = {"table", "--quick", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--methods", "teacher,esd,sfd",
            "--esd-steps", "2", "--esd-batch", "1", "--sfd-iterations", "2", "--sfd-batch", "2", "--attack-steps", "8", "--attack-every", "2",
            "--attack-batch", "2", "--attack-samples", "2", "--eval-forget", "2", "--eval-per-class", "2", "--heun-steps", "2"};
        ok(with(args, "--out", whole.toString()));
        killWhen(() -> hasFile(cut.resolve("cache"), ".checkpoint.safetensors"), "the first attack checkpoint", dir.resolve("table-cut.log"),
                with(args, "--out", cut.toString()));
        assertFalse(Files.exists(cut.resolve("table.json")), "killed before the table");
        ok(with(args, "--out", cut.toString()));
        List<?> a = (List<?>) Json.readMap(whole.resolve("table.json")).get("rows"), b = (List<?>) Json.readMap(cut.resolve("table.json")).get("rows");
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertEquals(rowFigures(a.get(i)), rowFigures(b.get(i)), "row " + i);
        assertFalse(hasFile(cut.resolve("cache"), ".checkpoint.safetensors"), "the finished table leaves no attack checkpoint");
    }

    static boolean hasFile(Path root, String suffix) {
        if (!Files.isDirectory(root)) return false;
        try (var s = Files.walk(root)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(suffix));
        } catch (IOException | UncheckedIOException e) {
            return false; // the folder changes while it is walked: look again
        }
    }

    /** A table row without times and notes (a continued table reuses finished rows: "cached"). */
    static String rowFigures(Object row) {
        Map<String, Object> m = new TreeMap<>();
        ((Map<?, ?>) row).forEach((k, v) -> {
            String key = String.valueOf(k);
            if (!key.contains("seconds") && !key.equals("time_note") && !key.equals("settings")) m.put(key, v);
        });
        String json = Json.write(m);
        return json.replaceAll("\"seconds\" ?: ?[0-9.eE+-]+", "\"seconds\":0");
    }
}
