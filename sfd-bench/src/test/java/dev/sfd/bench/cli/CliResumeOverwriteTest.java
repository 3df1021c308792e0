package dev.sfd.bench.cli;

import static dev.sfd.bench.cli.CliEndToEndTest.assertMessage;
import static dev.sfd.bench.cli.CliProcessTest.assertSameTensors;
import static dev.sfd.bench.cli.CliProcessTest.with;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.io.Json;
import dev.sfd.io.RunFolder;
import dev.sfd.models.data.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --resume} and {@code --overwrite} command by command: a finished run's folder is refused without either,
 * {@code --overwrite} deletes the old run's files first, {@code --resume} continues only the same run and ends where
 * an uninterrupted run ends (bit for bit).
 */
class CliResumeOverwriteTest {
    @TempDir static Path dir;
    static Path teacher;
    static Path classifier;

    @BeforeAll
    static void assets() {
        teacher = CliFixtures.teacher(dir);
        classifier = CliFixtures.classifier(dir);
    }

    static void ok(String... args) { CliFixtures.finished(args); }

    @Test
    void sampleRefusesAFinishedFolderAndOverwriteDeletesTheOldFilesFirst() throws Exception {
        Path out = dir.resolve("sample");
        String[] three = {"sample", "--model", teacher.toString(), "--per-class", "3", "--steps", "1", "--out", out.toString()};
        ok(three);
        byte[] grid = Files.readAllBytes(out.resolve("grid.png"));
        assertMessage(1, "already holds the finished run", three);
        assertArrayEquals(grid, Files.readAllBytes(out.resolve("grid.png")), "the refused run touched nothing");
        ok("sample", "--model", teacher.toString(), "--per-class", "2", "--steps", "1", "--out", out.toString(), "--overwrite");
        assertTrue(Files.exists(out.resolve("9/0001.png")));
        assertFalse(Files.exists(out.resolve("9/0002.png")), "files of the replaced run are deleted");
        assertEquals(21, ((Map<?, ?>) Json.readMap(out.resolve(RunFolder.MANIFEST_FILE)).get("files")).size());
    }

    @Test
    void baselineAndRelearnRefuseAnotherRunAndAcceptOverwrite() throws Exception {
        Path esd = dir.resolve("esd");
        String[] esdArgs = {"baseline", "esd", "--teacher", teacher.toString(), "--steps", "1", "--batch", "1", "--sample-steps", "1",
            "--grid-per-class", "0", "--out", esd.toString()};
        ok(with(esdArgs, "--forget", "3"));
        assertMessage(1, "already holds the finished run", with(esdArgs, "--forget", "3"));
        assertMessage(1, "holds another run: plan 'forget 3' (this run: 'forget 4')", with(esdArgs, "--forget", "4", "--resume"));
        ok(with(esdArgs, "--forget", "4", "--overwrite"));
        assertEquals(4, ((Number) Json.readMap(esd.resolve("report.json")).get("forget")).intValue());
        assertEquals("forget 4", Json.readMap(esd.resolve(RunFolder.MANIFEST_FILE)).get("plan"));

        Path rl = dir.resolve("relearn");
        String[] rlArgs = {"relearn", "--model", teacher.toString(), "--classifier", classifier.toString(), "--aux", "generated-teacher",
            "--teacher", teacher.toString(), "--aux-per-class", "1", "--forget", "2", "--every", "1", "--batch", "2",
            "--eval-samples", "2", "--heun-steps", "1", "--out", rl.toString()};
        ok(with(rlArgs, "--steps", "1"));
        assertMessage(1, "already holds the finished run", with(rlArgs, "--steps", "1"));
        assertMessage(1, "nothing to continue", with(rlArgs, "--steps", "1", "--resume"));
        assertMessage(1, "holds another run: seed", with(rlArgs, "--steps", "1", "--resume", "--seed", "5"));
        ok(with(rlArgs, "--overwrite", "--steps", "2"));
        assertEquals(3, ((java.util.List<?>) Json.readMap(rl.resolve("relearn.json")).get("curve")).size());
    }

    /** README: "--resume with a larger --iterations continues a finished run"; 2 + 2 iterations equal 4 in one go. */
    @Test
    void forgetResumeWithMoreIterationsContinuesAFinishedRunBitIdentically() throws Exception {
        Path cont = dir.resolve("forget-2-then-4"), whole = dir.resolve("forget-4");
        String[] base = {"forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--plan", "0->1",
            "--batch-remain", "2", "--batch-forget", "2", "--eval-every", "0", "--eval-samples", "2", "--eval-per-class", "1"};
        ok(with(base, "--seed", "3", "--iterations", "2", "--out", cont.toString()));
        assertMessage(1, "holds another run: seed", with(base, "--iterations", "4", "--resume", "--seed", "4", "--out", cont.toString()));
        ok(with(base, "--seed", "3", "--iterations", "4", "--resume", "--out", cont.toString()));
        ok(with(base, "--seed", "3", "--iterations", "4", "--out", whole.toString()));
        assertEquals(4, ((Number) Json.readMap(cont.resolve("report.json")).get("iterations")).intValue());
        assertSameTensors(whole.resolve("generator.safetensors"), cont.resolve("generator.safetensors"));
        assertEquals(Json.readMap(whole.resolve("report.json")).get("generator_sha256"), Json.readMap(cont.resolve("report.json")).get("generator_sha256"));
    }

    @Test
    void exportStage1RefusesAFinishedFolderAndAcceptsOverwrite() throws Exception {
        Path distilled = dir.resolve("distilled"), out = dir.resolve("stage1");
        ok("forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--plan", "", "--iterations", "1", "--batch-remain", "2",
                "--eval-every", "0", "--eval-samples", "2", "--eval-per-class", "1", "--out", distilled.toString());
        String[] export = {"export-stage1", "--checkpoint", distilled.resolve("checkpoint.safetensors").toString(), "--out", out.toString()};
        ok(export);
        byte[] gen = Files.readAllBytes(out.resolve("generator.safetensors"));
        assertMessage(1, "already holds the finished run", export);
        ok(with(export, "--overwrite"));
        assertArrayEquals(gen, Files.readAllBytes(out.resolve("generator.safetensors")), "the same checkpoint exports the same bytes");
    }

    /** train-classifier and train-teacher stopped with --until and continued with --resume end where one run ends. */
    @Test
    void trainingCommandsContinueWithResumeBitIdentically() throws Exception {
        Assumptions.assumeTrue(FashionMnist.isAvailable(), FashionMnist.installHint());
        String[] cls = {"train-classifier", "--epochs", "1", "--batch", "8", "--width", "4", "--seed", "5"};
        Path cCut = dir.resolve("cls-cut"), cWhole = dir.resolve("cls-whole");
        CliFixtures.Ran paused = CliFixtures.run(with(cls, "--until", "2", "--out", cCut.toString()));
        assertEquals(0, paused.code(), paused.err());
        assertTrue(paused.out().contains("classifier: paused at step 2/7500 (resume with --resume)"), paused.out());
        ok(with(cls, "--until", "4", "--resume", "--out", cCut.toString()));
        ok(with(cls, "--until", "4", "--out", cWhole.toString()));
        assertSameTensors(cWhole.resolve("checkpoint.safetensors"), cCut.resolve("checkpoint.safetensors"));
        assertEquals(5, Files.readAllLines(cCut.resolve("loss.csv")).size(), "header + steps 1-4, the first leg kept");

        String[] tt = {"train-teacher", "--iterations", "2", "--batch", "1", "--checkpoint-every", "1", "--seed", "3"};
        Path tCut = dir.resolve("teacher-cut"), tWhole = dir.resolve("teacher-whole");
        ok(with(tt, "--until", "1", "--out", tCut.toString()));
        ok(with(tt, "--resume", "--out", tCut.toString()));
        ok(with(tt, "--out", tWhole.toString()));
        assertSameTensors(tWhole.resolve("teacher.safetensors"), tCut.resolve("teacher.safetensors"));
        assertEquals(Files.readAllLines(tWhole.resolve("loss.csv")).stream().map(l -> l.replaceAll(",[^,]*$", "")).toList(),
                Files.readAllLines(tCut.resolve("loss.csv")).stream().map(l -> l.replaceAll(",[^,]*$", "")).toList(), "loss log without the times");
    }
}
