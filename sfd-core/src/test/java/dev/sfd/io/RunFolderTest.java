package dev.sfd.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFolderTest {
    @TempDir Path tmp;

    private static final RunFolder.Identity A = new RunFolder.Identity("forget", "0->1", 7, "c1");
    private static final RunFolder.Identity B = new RunFolder.Identity("forget", "3->4", 7, "c1");

    private static void finishedRun(Path dir, RunFolder.Identity id, String content) throws IOException {
        try (RunFolder r = RunFolder.claim(dir, RunFolder.Mode.FRESH, id)) {
            Files.writeString(dir.resolve("generator.safetensors"), content);
            Files.createDirectories(dir.resolve("stage1"));
            Files.writeString(dir.resolve("stage1/checkpoint.safetensors"), content + "-stage1");
            r.finish();
        }
    }

    @Test
    void manifestListsEveryFileWithItsHashAndTheRunIdentity() throws IOException {
        Path dir = tmp.resolve("run");
        finishedRun(dir, A, "weights");
        Map<String, Object> m = Json.readMap(dir.resolve(RunFolder.MANIFEST_FILE));
        assertEquals("forget", m.get("command"));
        assertEquals("0->1", m.get("plan"));
        assertEquals(7, ((Number) m.get("seed")).intValue());
        assertEquals("c1", m.get("config_sha256"));
        Map<?, ?> files = (Map<?, ?>) m.get("files");
        assertEquals(List.of("generator.safetensors", "stage1/checkpoint.safetensors"), List.copyOf(files.keySet()));
        assertEquals(RunFolder.sha256(dir.resolve("generator.safetensors")), files.get("generator.safetensors"));
    }

    @Test
    void sha256MatchesAKnownDigest() throws IOException {
        Path f = tmp.resolve("abc");
        Files.writeString(f, "abc");
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", RunFolder.sha256(f));
    }

    @Test
    void aFreshRunRefusesAFolderHoldingAnotherRunAndLeavesItUntouched() throws IOException {
        Path dir = tmp.resolve("run");
        finishedRun(dir, A, "weights");
        String before = Files.readString(dir.resolve(RunFolder.MANIFEST_FILE));
        SfdException e = assertThrows(SfdException.class, () -> RunFolder.claim(dir, RunFolder.Mode.FRESH, B));
        assertTrue(e.getMessage().contains("already holds the finished run") && e.getMessage().contains("--overwrite"), e.getMessage());
        assertEquals(before, Files.readString(dir.resolve(RunFolder.MANIFEST_FILE)));
        assertEquals("weights", Files.readString(dir.resolve("generator.safetensors")));
    }

    @Test
    void aFreshRunRefusesLeftoversOfAnInterruptedRun() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(dir.resolve("checkpoint.safetensors"), "x");
        SfdException e = assertThrows(SfdException.class, () -> RunFolder.claim(dir, RunFolder.Mode.FRESH, A));
        assertTrue(e.getMessage().contains("unfinished run") && e.getMessage().contains("checkpoint.safetensors"), e.getMessage());
    }

    @Test
    void aFreshRunAcceptsAnEmptyFolderAndOneWithOnlyAStaleLockFile() throws IOException {
        Path dir = tmp.resolve("run");
        RunFolder.claim(dir, RunFolder.Mode.FRESH, A).close(); // leaves only the lock file
        try (RunFolder r = RunFolder.claim(dir, RunFolder.Mode.FRESH, B)) {
            assertEquals(B, r.identity());
        }
    }

    @Test
    void overwriteDeletesTheOldRunsFiles() throws IOException {
        Path dir = tmp.resolve("run");
        finishedRun(dir, A, "old");
        try (RunFolder r = RunFolder.claim(dir, RunFolder.Mode.OVERWRITE, B)) {
            assertFalse(Files.exists(dir.resolve("generator.safetensors")));
            assertFalse(Files.exists(dir.resolve("stage1/checkpoint.safetensors")));
            assertFalse(Files.exists(dir.resolve(RunFolder.MANIFEST_FILE)));
            Files.writeString(dir.resolve("generator.safetensors"), "new");
            r.finish();
        }
        assertEquals("3->4", Json.readMap(dir.resolve(RunFolder.MANIFEST_FILE)).get("plan"));
    }

    @Test
    void anUnreadableManifestIsRefusedUnlessOverwriting() throws IOException {
        Path dir = tmp.resolve("run");
        finishedRun(dir, A, "weights");
        Files.writeString(dir.resolve(RunFolder.MANIFEST_FILE), "{\"files\": [tru");
        for (RunFolder.Mode mode : new RunFolder.Mode[] {RunFolder.Mode.FRESH, RunFolder.Mode.RESUME}) {
            SfdException e = assertThrows(SfdException.class, () -> RunFolder.claim(dir, mode, A));
            assertTrue(e.getMessage().contains("cannot be read") && e.getMessage().contains("--overwrite"), e.getMessage());
        }
        try (RunFolder r = RunFolder.claim(dir, RunFolder.Mode.OVERWRITE, B)) {
            assertFalse(Files.exists(dir.resolve(RunFolder.MANIFEST_FILE)));
        }
    }

    @Test
    void resumeChecksThePlanAndKeepsTheRunId() throws IOException {
        Path dir = tmp.resolve("run");
        finishedRun(dir, A, "weights");
        String id = (String) Json.readMap(dir.resolve(RunFolder.MANIFEST_FILE)).get("run_id");
        SfdException e = assertThrows(SfdException.class, () -> RunFolder.claim(dir, RunFolder.Mode.RESUME, B));
        assertTrue(e.getMessage().contains("plan '0->1'") && e.getMessage().contains("'3->4'"), e.getMessage());
        try (RunFolder r = RunFolder.claim(dir, RunFolder.Mode.RESUME, A)) {
            assertEquals(id, r.runId());
            assertFalse(Files.exists(dir.resolve(RunFolder.MANIFEST_FILE)), "the manifest goes until the resumed run finishes");
        }
    }

    @Test
    void resumeOfAnInterruptedRunIsCheckedAgainstTheLockFile() throws IOException {
        Path dir = tmp.resolve("run");
        try (RunFolder r = RunFolder.claim(dir, RunFolder.Mode.FRESH, A)) {
            Files.writeString(dir.resolve("checkpoint.safetensors"), "step 50");
            // no finish(): the run was interrupted
        }
        assertThrows(SfdException.class, () -> RunFolder.claim(dir, RunFolder.Mode.RESUME, B));
        RunFolder.claim(dir, RunFolder.Mode.RESUME, A).close();
    }

    @Test
    void resumeRefusesAFileChangedAfterTheRunFinished() throws IOException {
        Path dir = tmp.resolve("run");
        finishedRun(dir, A, "weights");
        Files.writeString(dir.resolve("stage1/checkpoint.safetensors"), "zeroed");
        SfdException e = assertThrows(SfdException.class, () -> RunFolder.claim(dir, RunFolder.Mode.RESUME, A));
        assertTrue(e.getMessage().contains("stage1/checkpoint.safetensors changed since the run finished"), e.getMessage());
        Files.delete(dir.resolve("stage1/checkpoint.safetensors"));
        e = assertThrows(SfdException.class, () -> RunFolder.claim(dir, RunFolder.Mode.RESUME, A));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void aSecondClaimWhileTheFirstHoldsTheFolderFailsNamingTheHolder() throws IOException {
        Path dir = tmp.resolve("run");
        try (RunFolder first = RunFolder.claim(dir, RunFolder.Mode.FRESH, A)) {
            Files.writeString(dir.resolve("generator.safetensors"), "first");
            for (RunFolder.Mode mode : RunFolder.Mode.values()) {
                SfdException e = assertThrows(SfdException.class, () -> RunFolder.claim(dir, mode, B));
                assertTrue(e.getMessage().contains("in use by another run") && e.getMessage().contains("pid " + ProcessHandle.current().pid())
                        && e.getMessage().contains(first.runId()), e.getMessage());
            }
            assertEquals("first", Files.readString(dir.resolve("generator.safetensors")));
            first.finish();
        }
        RunFolder.claim(dir, RunFolder.Mode.RESUME, A).close(); // released at close
    }

    @Test
    void aFolderReachedThroughASymbolicLinkIsTheSameFolder() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), dir);
        try (RunFolder first = RunFolder.claim(dir, RunFolder.Mode.FRESH, A)) {
            SfdException e = assertThrows(SfdException.class, () -> RunFolder.claim(link, RunFolder.Mode.RESUME, A));
            assertTrue(e.getMessage().contains("in use by another run"), e.getMessage());
            first.finish();
        }
        RunFolder.claim(link, RunFolder.Mode.RESUME, A).close();
    }

    @Test
    void aSecondProcessIsRefusedWhileTheLockIsHeld() throws Exception {
        Path dir = tmp.resolve("run");
        try (RunFolder first = RunFolder.claim(dir, RunFolder.Mode.FRESH, A)) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), ClaimOnce.class.getName(), dir.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(3, p.waitFor(), "child output: " + out);
            assertTrue(out.contains("in use by another run") && out.contains(first.runId()), out);
        }
    }

    /** Claims a folder in a separate JVM; exit 3 when refused. */
    static final class ClaimOnce {
        public static void main(String[] args) {
            try (RunFolder r = RunFolder.claim(Path.of(args[0]), RunFolder.Mode.RESUME, A)) {
                System.exit(0);
            } catch (SfdException e) {
                System.out.println(e.getMessage());
                System.exit(3);
            }
        }
    }

    @Test
    void aClaimCleansTemporariesOfInterruptedWrites() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("run"));
        Path stale = Files.writeString(dir.resolve(".checkpoint.safetensors.123456.tmp"), "half");
        RunFolder.claim(dir, RunFolder.Mode.FRESH, A).close();
        assertFalse(Files.exists(stale));
    }

    @Test
    void configHashIgnoresKeyOrderButNotValues() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("lr", 5e-5);
        a.put("batch", 8);
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("batch", 8);
        b.put("lr", 5e-5);
        assertEquals(RunFolder.hash(a), RunFolder.hash(b));
        b.put("batch", 9);
        assertNotEquals(RunFolder.hash(a), RunFolder.hash(b));
    }

    @Test
    void aTemporaryFromADeadWriterIsRemovedByTheNextWriteOfTheSameTarget() throws IOException {
        Path target = tmp.resolve("checkpoint.safetensors");
        Path stale = Files.writeString(tmp.resolve(".checkpoint.safetensors.987654321.tmp"), "half");
        Files.setLastModifiedTime(stale, FileTime.fromMillis(0));
        Path live = Files.writeString(tmp.resolve(".checkpoint.safetensors.555.tmp"), "being written now");
        Path other = Files.writeString(tmp.resolve(".report.json.42.tmp"), "other target");
        Files.setLastModifiedTime(other, FileTime.fromMillis(0));
        AtomicFiles.writeString(target, "complete");
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(live), "a temporary written after this process started may belong to a live writer");
        assertTrue(Files.exists(other), "only the target's own temporaries are touched");
    }
}
