package dev.sfd.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache rule: key -> folder, computed once, loaded after; an unfinished run is computed again. */
class RunCacheTest {
    @TempDir
    Path dir;

    @Test
    void computesOnceThenLoads() throws Exception {
        RunCache cache = new RunCache(dir);
        Path folder = cache.folder("esd-f0", "abc123", Map.of("steps", 40));
        assertTrue(folder.getFileName().toString().matches("esd-f0-[0-9a-f]{12}"), folder.toString());
        AtomicInteger computed = new AtomicInteger();
        RunCache.Computer<String> compute = f -> {
            computed.incrementAndGet();
            Files.writeString(f.resolve("model.txt"), "weights");
            return new RunCache.Computed<>("fresh", 12.5, Map.of("steps", 40));
        };
        RunCache.Entry<String> first = cache.get(folder, "model.txt", f -> Files.readString(f.resolve("model.txt")), compute);
        assertEquals("fresh", first.value());
        assertFalse(first.cached());
        RunCache.Entry<String> second = cache.get(folder, "model.txt", f -> Files.readString(f.resolve("model.txt")), compute);
        assertEquals("weights", second.value());
        assertTrue(second.cached());
        assertEquals(12.5, second.seconds(), 0.0);
        assertEquals(40, ((Number) second.settings().get("steps")).intValue());
        assertEquals(1, computed.get());
        // a run killed before run.json is not finished: computed again
        Files.delete(folder.resolve(RunCache.RUN_JSON));
        cache.get(folder, "model.txt", f -> Files.readString(f.resolve("model.txt")), compute);
        assertEquals(2, computed.get());
    }

    @Test
    void keysFollowInputAndSettings() {
        RunCache cache = new RunCache(dir);
        Path a = cache.folder("sfd", "w1", Map.of("seed", 7));
        assertEquals(a, cache.folder("sfd", "w1", Map.of("seed", 7)));
        assertNotEquals(a, cache.folder("sfd", "w2", Map.of("seed", 7)));
        assertNotEquals(a, cache.folder("sfd", "w1", Map.of("seed", 8)));
        // the key formula is fixed: caches written by earlier versions keep their folders
        assertEquals("teacher-" + RunCache.sha(("w1" + Map.of("seed", 7)).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                a.getFileName().toString().replace("sfd-", "teacher-"));
    }

    @Test
    void aComputationThatWritesNoResultFails() {
        RunCache cache = new RunCache(dir);
        SfdException e = assertThrows(SfdException.class, () -> cache.get(dir.resolve("x"), "model.txt", f -> "", f -> new RunCache.Computed<>("v", 1, Map.of())));
        assertTrue(e.getMessage().contains("without writing model.txt"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("x").resolve(RunCache.RUN_JSON)));
    }
}
