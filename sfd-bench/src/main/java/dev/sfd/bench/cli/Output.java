package dev.sfd.bench.cli;

import dev.sfd.SfdException;
import dev.sfd.io.RunFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Output-folder checks done before any work, so a bad folder fails fast and nothing partial is written, and the
 * one place where commands claim their folder as a {@link RunFolder}: {@link #claim} locks it for the command's
 * life; {@link SfdCli} writes the manifest when the command succeeds ({@link #finishClaims}) and releases the lock
 * however it ends ({@link #releaseClaims}).
 */
final class Output {
    private Output() {}

    /** Help text of every command's --overwrite option. */
    static final String OVERWRITE_HELP = "replace the run already in OUT (its files listed in OUT/manifest.json are deleted first); "
            + "without it a new run refuses a folder that holds another run";

    private static final ThreadLocal<List<RunFolder>> CLAIMS = ThreadLocal.withInitial(ArrayList::new);

    /**
     * Claims {@code dir} for this command: fresh (refuses a folder holding another run), {@code resume} (same command,
     * plan and seed; manifest hashes checked) or {@code overwrite}. Call after the inputs are checked and before the
     * first file is written; returns the claim (the CLI finishes and releases it).
     */
    static RunFolder claim(Path dir, boolean resume, boolean overwrite, String command, String plan, long seed, Map<String, ?> config) {
        if (resume && overwrite) throw new dev.sfd.ConfigException("--resume and --overwrite contradict each other: choose one");
        RunFolder.Mode mode = resume ? RunFolder.Mode.RESUME : overwrite ? RunFolder.Mode.OVERWRITE : RunFolder.Mode.FRESH;
        RunFolder run = RunFolder.claim(dir, mode, new RunFolder.Identity(command, plan, seed, RunFolder.hash(config)));
        CLAIMS.get().add(run);
        return run;
    }

    /** Writes the manifest of every folder this thread claimed (the command succeeded). */
    static void finishClaims() {
        for (RunFolder r : CLAIMS.get()) r.finish();
    }

    /** Releases every folder this thread claimed. */
    static void releaseClaims() {
        List<RunFolder> claims = CLAIMS.get();
        for (RunFolder r : claims) r.close();
        claims.clear();
    }

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
