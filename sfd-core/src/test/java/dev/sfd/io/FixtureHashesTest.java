package dev.sfd.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed golden fixtures are the files their generating scripts wrote: every file under the fixture
 * folders is listed in {@code tools/fixtures.sha256} (the output of {@code sha256sum}, checkable with
 * {@code sha256sum -c tools/fixtures.sha256} from the repository root) and has that hash. Regenerating a
 * fixture means updating the list in the same commit (tools/README.md, "Provenance"). The committed log of the check
 * against the official NVlabs/edm code ({@code tools/official-parity.log}) must be a passing run over the fixture
 * bytes committed today: a regenerated model fixture fails here until that check is run again.
 */
class FixtureHashesTest {
    static final Path ROOT = Path.of("..");
    static final String[] FOLDERS = {"sfd-core/src/test/resources/fixtures", "sfd-core/src/test/resources/golden", "sfd-models/src/test/resources/fixtures", "tools/fixtures"};

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "HASH  PATH" lines -> path -> hash. */
    static Map<String, String> listed() throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(ROOT.resolve("tools/fixtures.sha256"))) {
            if (line.isBlank()) continue;
            String[] parts = line.split(" [ *]", 2);
            assertEquals(2, parts.length, "malformed line in tools/fixtures.sha256: " + line);
            m.put(parts[1].trim(), parts[0].trim());
        }
        return m;
    }

    @Test
    void everyFixtureIsListedWithItsHash() throws IOException {
        Map<String, String> listed = listed();
        TreeSet<String> present = new TreeSet<>();
        for (String folder : FOLDERS) {
            try (Stream<Path> s = Files.list(ROOT.resolve(folder))) {
                s.filter(Files::isRegularFile).forEach(p -> present.add(folder + "/" + p.getFileName()));
            }
        }
        TreeSet<String> unlisted = new TreeSet<>(present);
        unlisted.removeAll(listed.keySet());
        assertTrue(unlisted.isEmpty(), "fixtures without a hash in tools/fixtures.sha256: " + unlisted);
        for (Map.Entry<String, String> e : listed.entrySet()) {
            Path f = ROOT.resolve(e.getKey());
            assertTrue(Files.isRegularFile(f), "tools/fixtures.sha256 lists a missing file " + e.getKey());
            assertEquals(e.getValue(), sha256(f), e.getKey() + " differs from the hash in tools/fixtures.sha256");
        }
    }

    @Test
    void officialParityLogCoversTheCommittedFixture() throws IOException {
        Path log = ROOT.resolve("tools/official-parity.log");
        assertTrue(Files.isRegularFile(log), "tools/official-parity.log is missing (tools/README.md, Provenance)");
        var lines = Files.readAllLines(log);
        Map<String, String> listed = listed();
        int checked = 0;
        for (String line : lines) {
            if (!line.startsWith("sha256 ")) continue;
            String[] parts = line.substring(7).trim().split("\\s+", 2);
            assertEquals(2, parts.length, "malformed line in tools/official-parity.log: " + line);
            assertEquals(listed.get(parts[1]), parts[0], "tools/official-parity.log checked " + parts[1]
                    + " with other bytes than the committed fixture: re-run tools/check_official_parity.py (tools/README.md)");
            checked++;
        }
        assertTrue(checked > 0, "tools/official-parity.log names no fixture hash");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("official code: NVlabs/edm ") && !l.contains("unknown")),
                "tools/official-parity.log does not name the official commit");
        assertEquals("official parity OK", lines.get(lines.size() - 1).trim(), "the committed official-parity run did not pass");
        assertTrue(lines.stream().noneMatch(l -> l.contains("FAIL")), "the committed official-parity run has a failing line");
    }
}
