package dev.sfd.bench.cli;

import static dev.sfd.bench.cli.CliEndToEndTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.io.Json;
import dev.sfd.io.RunFolder;
import dev.sfd.models.Classifier;
import dev.sfd.models.SongUnet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run owns its output folder: no silent overwrite, resume of the same run only, one run at a time. */
class RunOwnershipCliTest {
    @TempDir static Path dir;
    static Path teacher;
    static Path classifier;

    @BeforeAll
    static void assets() {
        teacher = dir.resolve("teacher.safetensors");
        SongUnet.save(SongUnet.create(CliEndToEndTest.SMALL, 5), teacher, null);
        classifier = dir.resolve("classifier.safetensors");
        new Classifier(1, 4, 10, 6).save(classifier, null);
    }

    static String[] forget(Path out, String plan, String... extra) {
        List<String> a = new ArrayList<>(List.of("forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--plan", plan,
                "--iterations", "2", "--batch-remain", "2", "--batch-forget", "2", "--eval-every", "0", "--checkpoint-every", "1",
                "--eval-samples", "4", "--eval-per-class", "2", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @Test
    void aSecondRunIntoAFinishedRunsFolderIsRefusedUnlessOverwriteIsGiven() throws Exception {
        Path out = dir.resolve("run");
        CliEndToEndTest.assertFinished(SfdCli.execute(forget(out, "0->1")));
        Map<String, Object> manifest = Json.readMap(out.resolve(RunFolder.MANIFEST_FILE));
        assertEquals("0->1", manifest.get("plan"));
        Map<?, ?> files = (Map<?, ?>) manifest.get("files");
        String generatorHash = RunFolder.sha256(out.resolve("generator.safetensors"));
        assertEquals(generatorHash, files.get("generator.safetensors"));
        assertEquals(RunFolder.sha256(out.resolve("report.json")), files.get("report.json"));
        assertEquals(generatorHash, Json.readMap(out.resolve("report.json")).get("generator_sha256"), "the report names the generator's hash");
        byte[] report = Files.readAllBytes(out.resolve("report.json"));

        assertMessage(1, "already holds the finished run", forget(out, "3->4"));
        assertMessage(1, "holds another run: plan '0->1'", forget(out, "3->4", "--resume"));
        assertEquals(java.util.Arrays.toString(report), java.util.Arrays.toString(Files.readAllBytes(out.resolve("report.json"))), "untouched");
        assertMessage(2, "contradict", forget(out, "3->4", "--resume", "--overwrite"));

        CliEndToEndTest.assertFinished(SfdCli.execute(forget(out, "3->4", "--overwrite")));
        assertEquals("3->4", Json.readMap(out.resolve(RunFolder.MANIFEST_FILE)).get("plan"));
        assertEquals("3->4", Json.readMap(out.resolve("report.json")).get("plan"));
    }

    @Test
    void aRunIntoAFolderInUseFailsAtOnceAndLeavesTheHolderUntouched() throws Exception {
        Path out = dir.resolve("busy");
        try (RunFolder holder = RunFolder.claim(out, RunFolder.Mode.FRESH, new RunFolder.Identity("forget", "0->1", 7, ""))) {
            Files.writeString(out.resolve("checkpoint.safetensors"), "holder's");
            long t0 = System.nanoTime();
            assertMessage(1, "in use by another run", forget(out, "0->1", "--resume"));
            assertMessage(1, "pid " + ProcessHandle.current().pid(), forget(out, "0->1", "--overwrite"));
            assertTrue((System.nanoTime() - t0) / 1e9 < 30, "refused before any work");
            assertEquals("holder's", Files.readString(out.resolve("checkpoint.safetensors")));
            assertEquals(List.of(".sfd-lock", "checkpoint.safetensors"), list(out));
        }
    }

    @Test
    void sampleCreatesNoFolderWhenTheModelDoesNotLoad() {
        Path out = dir.resolve("samples-never");
        assertMessage(1, "does not exist", "sample", "--model", dir.resolve("missing.safetensors").toString(), "--out", out.toString());
        assertFalse(Files.exists(out));
        assertMessage(1, "not a SongUNet", "sample", "--model", classifier.toString(), "--out", out.toString());
        assertFalse(Files.exists(out));
    }

    static List<String> list(Path d) throws java.io.IOException {
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
