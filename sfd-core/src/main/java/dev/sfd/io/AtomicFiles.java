package dev.sfd.io;

import dev.sfd.SfdException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Crash-safe file replacement: the content goes to a temporary file in the target's directory, which is
 * flushed to disk ({@link FileChannel#force}), renamed over the target in one atomic step and followed by
 * an fsync of the directory where the platform allows it. A reader therefore sees either the complete old
 * file or the complete new one, never a torn mix, even if the process or the machine dies mid-write.
 *
 * <p>Missing parent directories are created. Failures throw {@link SfdException} naming the target path
 * and the reason; the temporary file is removed and the previous target is left untouched. A temporary file
 * that a killed process left behind (named {@code .<target>.<digits>.tmp}) is removed by the next write of the
 * same target once it is older than this process, so no live writer's file is touched.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes the content of a file through a stream; the stream must not be closed by the body. */
    @FunctionalInterface
    public interface Body {
        /** Writes the whole content to {@code out}. */
        void write(OutputStream out) throws IOException;
    }

    /** Atomically replaces {@code target} with {@code bytes}. */
    public static void writeBytes(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }

    /** Atomically replaces {@code target} with {@code text} encoded as UTF-8. */
    public static void writeString(Path target, String text) {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Atomically replaces {@code target} with whatever {@code body} writes. If the body throws, the target
     * keeps its previous content (or stays absent) and the exception propagates: an {@link SfdException}
     * as is, an {@link IOException} wrapped in one that names the path.
     */
    public static void write(Path target, Body body) {
        Path abs = target.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        if (dir == null) throw new SfdException("cannot write " + abs + ": it has no parent directory");
        if (Files.isDirectory(abs)) throw new SfdException("cannot write " + abs + ": it is a directory");
        ensureDirectory(abs, dir);
        removeStaleTemporaries(abs, dir);
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        } catch (AccessDeniedException e) {
            throw new SfdException("cannot write " + abs + ": directory " + dir + " is not writable", e);
        } catch (IOException e) {
            throw new SfdException("cannot write " + abs + ": cannot create a temporary file in " + dir + " (" + e + ")", e);
        }
        boolean done = false;
        try {
            copyPermissions(abs, tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                body.write(new NonClosing(out));
                out.flush();
                ch.force(true);
            }
            move(tmp, abs);
            done = true;
        } catch (IOException e) {
            throw new SfdException("cannot write " + abs + ": " + e, e);
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary name starts with '.' and ends with '.tmp', so it is recognisable
                }
            }
        }
        syncDirectory(dir);
    }

    /** Whether a file name has the form of this class's temporary files ({@code .<name>.<digits>.tmp}). */
    static boolean isTemporaryName(String fileName) {
        if (!fileName.startsWith(".") || !fileName.endsWith(".tmp")) return false;
        String core = fileName.substring(0, fileName.length() - 4);
        int dot = core.lastIndexOf('.');
        if (dot <= 0 || dot == core.length() - 1) return false;
        for (int i = dot + 1; i < core.length(); i++) if (!Character.isDigit(core.charAt(i))) return false;
        return true;
    }

    /** Deletes temporaries of {@code target} last modified before this JVM started (their writer died). */
    private static void removeStaleTemporaries(Path target, Path dir) {
        String prefix = "." + target.getFileName() + ".";
        long jvmStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        try (var files = Files.newDirectoryStream(dir, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && isTemporaryName(n) && n.length() > prefix.length() + 4
                    && n.substring(prefix.length(), n.length() - 4).chars().allMatch(Character::isDigit);
        })) {
            for (Path p : files) {
                if (Files.getLastModifiedTime(p).toMillis() < jvmStart) Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort: a leftover temporary wastes space but never replaces the target
        }
    }

    private static void ensureDirectory(Path abs, Path dir) {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (Files.exists(dir)) throw new SfdException("cannot write " + abs + ": " + dir + " is not a directory");
        try {
            Files.createDirectories(dir);
        } catch (FileSystemException e) {
            throw new SfdException("cannot write " + abs + ": cannot create directory " + dir + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new SfdException("cannot write " + abs + ": cannot create directory " + dir + " (" + e + ")", e);
        }
    }

    /**
     * Temporary files are created owner-only (0600); give the new file the old file's permissions, or the
     * usual rw-r--r-- for a new file, so that replacing a file does not silently make it private.
     */
    private static void copyPermissions(Path target, Path tmp) throws IOException {
        if (Files.getFileAttributeView(tmp, PosixFileAttributeView.class) == null) return;
        Set<PosixFilePermission> perms = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(tmp, perms);
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes the rename durable; not every platform can open a directory for fsync (Windows cannot). */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // the file content itself is already on disk; only the directory entry's durability is weaker here
        }
    }

    /** Keeps the body from closing the channel before it is forced. */
    private static final class NonClosing extends OutputStream {
        private final OutputStream out;

        NonClosing(OutputStream out) { this.out = out; }

        @Override public void write(int b) throws IOException { out.write(b); }
        @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
        @Override public void flush() throws IOException { out.flush(); }
        @Override public void close() throws IOException { out.flush(); }
    }

    /** Reads a whole file, with an error naming the path when it is missing. Used by readers in this package. */
    static byte[] readAll(Path file, String what) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new dev.sfd.FormatException(what + " " + file.toAbsolutePath() + " does not exist");
        } catch (IOException e) {
            throw new dev.sfd.FormatException("cannot read " + what + " " + file.toAbsolutePath() + ": " + e, e);
        }
    }
}
