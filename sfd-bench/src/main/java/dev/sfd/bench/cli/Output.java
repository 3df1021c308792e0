package dev.sfd.bench.cli;

import dev.sfd.SfdException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Output-folder checks done before any work, so a bad folder fails fast and nothing partial is written. */
final class Output {
    private Output() {}

    /** Creates the folder if needed and proves it is writable with a probe file. */
    static void requireWritable(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".sfd-probe", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new SfdException("output folder " + dir + " is not writable: " + e);
        }
    }

    /** Removes a folder of plain files (a finished run's scratch cache); a missing folder is fine. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) Files.delete(f);
        }
        Files.delete(dir);
    }
}
