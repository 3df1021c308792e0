package dev.sfd.bench.cli;

import static dev.sfd.bench.cli.CliEndToEndTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.io.Json;
import dev.sfd.io.RunFolder;
import dev.sfd.models.Classifier;
import dev.sfd.models.SongUnet;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sfd sweep}'s option checks, its files, its cache across --resume, and the honest-stop exit code of forget and sweep. */
class SweepCliTest {
    @TempDir
    static Path dir;
    static Path teacher;
    static Path classifier;

    @BeforeAll
    static void assets() {
        teacher = dir.resolve("teacher.safetensors");
        SongUnet.save(SongUnet.create(CliEndToEndTest.SMALL, 5), teacher, null);
        classifier = dir.resolve("classifier.safetensors");
        new Classifier(1, 4, 10, 6).save(classifier, null);
    }

    static String[] sweep(Path out, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("sweep", "--teacher", teacher.toString(), "--classifier", classifier.toString(),
                "--out", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @Test
    void optionsThatCannotWorkAreUsageErrorsAndWriteNothing() {
        Path out = dir.resolve("never");
        assertMessage(2, "--pairs must be in [1, 90]", sweep(out, "--pairs", "0"));
        assertMessage(2, "--pairs must be in [1, 90]", sweep(out, "--pairs", "91"));
        assertMessage(2, "pair 3->12: class id out of range [0, 10)", sweep(out, "--pair", "3->12"));
        assertMessage(2, "forget and override classes must differ", sweep(out, "--pair", "3->3"));
        assertMessage(2, "not of the form FORGET->OVERRIDE", sweep(out, "--pair", "3-4"));
        assertMessage(2, "hold a pair twice", sweep(out, "--pair", "4->8,4->8"));
        assertMessage(2, "drop --pairs / --seed", sweep(out, "--pair", "4->8", "--pairs", "3"));
        assertMessage(2, "contradict", sweep(out, "--resume", "--overwrite"));
        assertMessage(2, "--eval-samples must be positive, got 0", sweep(out, "--eval-samples", "0"));
        assertMessage(2, "--eval-per-class must be positive, got -1", sweep(out, "--eval-per-class", "-1"));
        assertMessage(2, "--teacher-per-class must be positive, got 0", sweep(out, "--teacher-per-class", "0"));
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void listPrintsTheFixedPairSetAndWritesNothing() {
        Path out = dir.resolve("list");
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(buf, true)) {
            System.setOut(ps);
            assertEquals(0, SfdCli.execute(sweep(out, "--list", "--pairs", "6")));
        } finally {
            System.setOut(old);
        }
        List<String> lines = buf.toString().lines().toList();
        assertEquals(6, lines.size(), buf.toString());
        assertEquals(List.of("0->1", "6->0", "4->8", "5->2", "7->5"), lines.subList(0, 5).stream().map(l -> l.split(" ")[0]).toList());
        assertFalse(Files.exists(out));
    }

    /** Forget with a judge that sees the forgotten class in every image (UA 0): the run finishes, says so, and exits 3. */
    @Test
    void aForgetRunBelowTheBarSaysSoAndExitsThree() throws Exception {
        Path out = dir.resolve("forget-below");
        assertMessage(SfdCli.EXIT_BELOW_BAR, "BELOW THE BAR", "forget", "--teacher", teacher.toString(), "--classifier",
                CliFixtures.constantJudge(dir, 0).toString(), "--plan", "0->1", "--iterations", "2", "--batch-remain", "2", "--batch-forget", "2",
                "--eval-every", "0", "--eval-samples", "4", "--eval-per-class", "2", "--out", out.toString());
        Map<String, Object> report = Json.readMap(out.resolve("report.json"));
        assertEquals(false, report.get("bar_met"));
        List<?> failures = (List<?>) report.get("bar_failures");
        assertEquals("ua", ((Map<?, ?>) failures.get(0)).get("figure"));
        assertTrue(Files.isRegularFile(out.resolve(RunFolder.MANIFEST_FILE)), "a run below the bar still finishes its folder");
        // the same run judged by a classifier that sees the override everywhere meets the judged part of the bar
        Path ok = dir.resolve("forget-met");
        assertEquals(0, SfdCli.execute("forget", "--teacher", teacher.toString(), "--classifier", CliFixtures.constantJudge(dir, 1).toString(),
                "--plan", "0->1", "--iterations", "2", "--batch-remain", "2", "--batch-forget", "2", "--eval-every", "0", "--eval-samples", "4",
                "--eval-per-class", "2", "--out", ok.toString()));
        assertEquals(true, Json.readMap(ok.resolve("report.json")).get("bar_met"));
    }

    @Test
    void aQuickSweepWritesItsFilesExitsThreeBelowTheBarAndResumesFromItsCache() throws Exception {
        Path out = dir.resolve("sweep");
        String judge = CliFixtures.constantJudge(dir, 0).toString();
        String[] args = {"sweep", "--teacher", teacher.toString(), "--classifier", judge, "--quick", "--pair", "0->1", "--eval-samples", "4",
            "--eval-per-class", "2", "--teacher-per-class", "2", "--out", out.toString()};
        assertMessage(SfdCli.EXIT_BELOW_BAR, "sweep finished BELOW THE BAR on 1 pair", args);
        for (String f : new String[] {"sweep.json", "sweep.md", "sweep.png", RunFolder.MANIFEST_FILE}) assertTrue(Files.isRegularFile(out.resolve(f)), f);
        Map<String, Object> json = Json.readMap(out.resolve("sweep.json"));
        assertEquals("QUICK", json.get("mode"));
        assertEquals(List.of("0->1"), json.get("below_bar"));
        Map<?, ?> row = (Map<?, ?>) ((List<?>) json.get("rows")).get(0);
        assertEquals(false, row.get("bar_met"));
        assertEquals(0.0, ((Number) row.get("ua")).doubleValue());
        assertEquals(false, row.get("cached"));
        // one judge (a classifier file has no second judge): the second judge's columns say "-"
        assertTrue(Files.readString(out.resolve("sweep.md")).contains("| 0->1 | T-shirt/top -> Trouser | 0.000 / - |"), Files.readString(out.resolve("sweep.md")));
        if (dev.sfd.models.data.FashionMnist.isAvailable()) {
            // the judge calls everything T-shirt/top, so it reads no real Trouser as "not T-shirt/top": the ceiling is 0
            assertEquals(0.0, ((Number) ((Map<?, ?>) row.get("judge_ceiling")).get("ua")).doubleValue());
            assertEquals(true, row.get("ua_at_judge_ceiling"));
        }
        // the folder is owned: a second fresh sweep is refused; --resume loads the finished pair from the cache
        assertMessage(1, "output folder", args);
        String[] resume = java.util.Arrays.copyOf(args, args.length + 1);
        resume[args.length] = "--resume";
        long t0 = System.nanoTime();
        assertMessage(SfdCli.EXIT_BELOW_BAR, "cached", resume);
        Map<?, ?> again = (Map<?, ?>) ((List<?>) Json.readMap(out.resolve("sweep.json")).get("rows")).get(0);
        assertEquals(true, again.get("cached"));
        assertEquals(row.get("seconds"), again.get("seconds"), "the pair's own time is kept");
        assertTrue((System.nanoTime() - t0) / 1e9 < 60, "a cached pair is not recomputed");
    }
}
