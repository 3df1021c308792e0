package dev.sfd.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import dev.sfd.backend.Backend;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Storage;
import dev.sfd.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir Path dir;

    @Test
    void writesAndReplacesWithoutLeavingTemporaries() throws IOException {
        Path f = dir.resolve("report.json");
        AtomicFiles.writeString(f, "one");
        assertEquals("one", Files.readString(f));
        AtomicFiles.writeString(f, "two, longer");
        assertEquals("two, longer", Files.readString(f));
        assertEquals(List.of("report.json"), listing());
    }

    @Test
    void failingBodyLeavesPreviousFileIntact() throws IOException {
        Path f = dir.resolve("ckpt.safetensors");
        AtomicFiles.writeBytes(f, "previous content".getBytes(StandardCharsets.UTF_8));
        IllegalStateException boom = new IllegalStateException("disk on fire");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[100_000]); // more than the stream buffer: bytes really reach the temp file
            throw boom;
        }));
        assertSame(boom, e);
        assertEquals("previous content", Files.readString(f));
        assertEquals(List.of("ckpt.safetensors"), listing(), "temporary file removed");

        SfdException io = assertThrows(SfdException.class, () -> AtomicFiles.write(f, out -> {
            throw new IOException("device full");
        }));
        assertTrue(io.getMessage().contains(f.toString()) && io.getMessage().contains("device full"), io.getMessage());
        assertEquals("previous content", Files.readString(f));
    }

    @Test
    void failingSafeTensorsWriteLeavesPreviousCheckpointIntact() throws IOException {
        Path f = dir.resolve("model.safetensors");
        SafeTensors.write(f, Map.of("w", Tensor.wrap(new float[] {1, 2, 3}, 3)));
        byte[] before = Files.readAllBytes(f);
        // the second tensor's storage is closed: the header is written, then reading its data fails mid-file
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", Tensor.wrap(new float[1000], 1000));
        m.put("gone", new Tensor(new ClosedStorage(), 4));
        SfdException e = assertThrows(SfdException.class, () -> SafeTensors.write(f, m));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(f));
        assertEquals(List.of("model.safetensors"), listing());
    }

    @Test
    void createsMissingDirectories() throws IOException {
        Path f = dir.resolve("out/3/0007.png.txt");
        AtomicFiles.writeString(f, "x");
        assertEquals("x", Files.readString(f));
    }

    @Test
    void parentThatIsAFileIsNamed() throws IOException {
        Path notDir = dir.resolve("plain");
        Files.writeString(notDir, "");
        Path f = notDir.resolve("x.json");
        SfdException e = assertThrows(SfdException.class, () -> AtomicFiles.writeString(f, "x"));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("is not a directory"), e.getMessage());
        SfdException e2 = assertThrows(SfdException.class, () -> AtomicFiles.writeString(dir, "x"));
        assertTrue(e2.getMessage().contains("is a directory"), e2.getMessage());
    }

    @Test
    void unwritableDirectoryIsNamed() throws IOException {
        Path ro = dir.resolve("ro");
        Files.createDirectory(ro);
        Assumptions.assumeTrue(Files.getFileAttributeView(ro, java.nio.file.attribute.PosixFileAttributeView.class) != null,
                "no POSIX permissions on this file system");
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Assumptions.assumeFalse(Files.isWritable(ro), "running as root: permissions are not enforced, skipping");
            Path f = ro.resolve("a.json");
            SfdException e = assertThrows(SfdException.class, () -> AtomicFiles.writeString(f, "x"));
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("not writable"), e.getMessage());
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void keepsPermissionsOfReplacedFile() throws IOException {
        Path f = dir.resolve("p.txt");
        AtomicFiles.writeString(f, "a");
        Assumptions.assumeTrue(Files.getFileAttributeView(f, java.nio.file.attribute.PosixFileAttributeView.class) != null);
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), "new files are not owner-only");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw----"));
        AtomicFiles.writeString(f, "b");
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    /** Storage that was released: any access through a tensor throws. */
    private static final class ClosedStorage extends Storage {
        ClosedStorage() { super(DType.FLOAT32, 4); }

        @Override public Backend backend() { throw new UnsupportedOperationException(); }

        @Override public boolean isClosed() { return true; }
    }
}
