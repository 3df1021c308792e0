package dev.sfd.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.FormatException;
import dev.sfd.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-tensor CRC32C, non-finite weights and the element-count overflow check. */
class SafeTensorsIntegrityTest {
    @TempDir Path tmp;

    static Map<String, Tensor> tensors(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) Math.sin(i * 0.37) + 0.5f;
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        m.put("net/a", Tensor.of(a, n));
        m.put("net/b", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        return m;
    }

    @Test
    void checksumsAreWrittenVerifiedAndNotReturnedAsMetadata() {
        Path f = tmp.resolve("t.safetensors");
        SafeTensors.write(f, tensors(64), Map.of("step", "7"));
        assertTrue(SafeTensors.readHeader(f).metadata().containsKey(SafeTensors.CRC_KEY));
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(Map.of("step", "7"), c.metadata());
        assertEquals(3f, c.get("net/b").toFloatArray()[2]);
    }

    @Test
    void aCheckpointZeroedInTheMiddleFailsNamingTheTensor() throws IOException {
        Path f = tmp.resolve("checkpoint.safetensors");
        Checkpoint.builder().group("net", tensors(100_000)).meta("step", 50).save(f);
        long size = Files.size(f);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(size / 2);
            raf.write(new byte[64 * 1024]);
        }
        FormatException e = assertThrows(FormatException.class, () -> Checkpoint.load(f));
        assertTrue(e.getMessage().contains("tensor 'net/net/a' fails its CRC32C check") && e.getMessage().contains(f.toAbsolutePath().toString()), e.getMessage());
    }

    @Test
    void oneFlippedBitIsCaught() throws IOException {
        Path f = tmp.resolve("t.safetensors");
        SafeTensors.write(f, tensors(16), Map.of());
        byte[] b = Files.readAllBytes(f);
        b[b.length - 3] ^= 0x10; // inside net/b, the last tensor
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(b, "flipped", null));
        assertTrue(e.getMessage().contains("'net/b' fails its CRC32C"), e.getMessage());
    }

    @Test
    void filesWithoutChecksumsStillLoad() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/fixtures/conv2d.safetensors")) {
            byte[] b = in.readAllBytes();
            SafeTensors.Contents c = SafeTensors.read(b, "python-written fixture", null);
            assertFalse(c.tensors().isEmpty());
            assertFalse(c.metadata().containsKey(SafeTensors.CRC_KEY));
        }
    }

    @Test
    void nonFiniteWeightsAreRefusedNamingTheTensor() {
        Map<String, Tensor> m = tensors(8);
        m.put("net/bad", Tensor.of(new float[] {0, Float.NaN, Float.POSITIVE_INFINITY}, 3));
        SafeTensors.Contents c = SafeTensors.read(SafeTensors.toBytes(m, Map.of()), "nan.safetensors", null);
        FormatException e = assertThrows(FormatException.class, () -> c.requireFinite("model nan.safetensors"));
        assertTrue(e.getMessage().contains("model nan.safetensors: tensor 'net/bad' holds 2 non-finite value(s) of 3 (first at index 1: NaN)"), e.getMessage());
        SafeTensors.read(SafeTensors.toBytes(tensors(8), Map.of()), "ok", null).requireFinite("ok");
    }

    @Test
    void numelIsOverflowChecked() {
        SafeTensors.TensorInfo huge = new SafeTensors.TensorInfo("w", "F32", new long[] {1L << 40, 1L << 40}, 0, 0);
        FormatException e = assertThrows(FormatException.class, huge::numel);
        assertTrue(e.getMessage().contains("tensor 'w'"), e.getMessage());
        assertEquals(0, new SafeTensors.TensorInfo("z", "F32", new long[] {1L << 40, 1L << 40, 0}, 0, 0).numel());
        assertEquals(24, new SafeTensors.TensorInfo("s", "F32", new long[] {2, 3, 4}, 0, 96).numel());
    }
}
