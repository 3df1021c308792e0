package dev.sfd.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.FormatException;
import dev.sfd.tensor.CpuStorage;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir Path dir;

    /**
     * Bytes laid out exactly as safetensors' Rust serializer (behind {@code safetensors.torch.save_file})
     * writes them: {@code __metadata__} first, tensors sorted by dtype size then name, contiguous data,
     * header padded with spaces to a multiple of 8. Written by {@code tools/safetensors_golden.py} (standard
     * library only, from the format's specification); values exact in their dtype, F16 includes a subnormal and
     * the largest finite value.
     */
    private static final Path PYTORCH_LAYOUT = Path.of("src/test/resources/golden/pytorch_layout.safetensors");

    // ------------------------------------------------------------------ reading real layouts

    @Test
    void readsPyTorchLayoutWithAllFloatDtypes() throws IOException {
        Path f = dir.resolve("torch.safetensors");
        Files.copy(PYTORCH_LAYOUT, f);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(List.of("model.sigma", "model.enc.32x32_conv.weight", "b", "h"), List.copyOf(c.tensors().keySet()));
        assertEquals(Map.of("format", "pt"), c.metadata());

        Tensor sigma = c.get("model.sigma");
        assertEquals(DType.FLOAT64, sigma.dtype());
        assertArrayEquals(new double[] {0.002, 80.0, -1.5}, doubles(sigma));

        Tensor w = c.get("model.enc.32x32_conv.weight");
        assertEquals(DType.FLOAT32, w.dtype());
        assertArrayEquals(new int[] {2, 1, 1, 2}, w.shape());
        assertArrayEquals(new float[] {0.25f, -0.5f, 1.0f, 3.5f}, floats(w));

        assertArrayEquals(new float[] {1.0f, -2.5f, 3.140625f}, floats(c.get("b")));
        Tensor h = c.get("h");
        assertArrayEquals(new int[] {2, 2}, h.shape());
        assertArrayEquals(new float[] {0.5f, 5.960464477539063e-08f, 65504.0f, -2.0f}, floats(h));

        SafeTensors.Contents asF32 = SafeTensors.read(f, DType.FLOAT32);
        assertEquals(DType.FLOAT32, asF32.get("model.sigma").dtype());
        assertArrayEquals(new float[] {0.002f, 80f, -1.5f}, floats(asF32.get("model.sigma")));
        SafeTensors.Contents asF64 = SafeTensors.read(f, DType.FLOAT64);
        assertEquals(DType.FLOAT64, asF64.get("h").dtype());
        assertArrayEquals(new double[] {0.5, 5.960464477539063e-08, 65504.0, -2.0}, doubles(asF64.get("h")));

        SafeTensors.Header hd = SafeTensors.readHeader(f);
        assertEquals(4, hd.tensors().size());
        assertEquals("BF16", hd.tensors().get(2).dtype());
        assertEquals(0, hd.dataStart() % 8, "header padded to 8 bytes");
    }

    /** Every fixture written by {@code tools/make_fixtures.py} (PyTorch values, numpy writer) reads and round-trips. */
    @Test
    void readsToolFixturesAndRoundTripsThem() throws Exception {
        java.net.URL url = SafeTensorsTest.class.getResource("/fixtures");
        Assumptions.assumeTrue(url != null, "no fixtures under src/test/resources/fixtures yet (tools/make_fixtures.sh writes them)");
        List<Path> files;
        try (var s = Files.list(Path.of(url.toURI()))) {
            files = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().collect(java.util.stream.Collectors.toList());
        }
        Assumptions.assumeFalse(files.isEmpty(), "no .safetensors fixtures present");
        for (Path f : files) {
            SafeTensors.Contents c = SafeTensors.read(f);
            assertTrue(c.metadata().containsKey("generator"), f + " has __metadata__.generator");
            assertTrue(!c.tensors().isEmpty(), f + " holds tensors");
            Path copy = dir.resolve("copy-" + f.getFileName());
            SafeTensors.write(copy, c.tensors(), c.metadata());
            SafeTensors.Contents back = SafeTensors.read(copy);
            assertEquals(List.copyOf(c.tensors().keySet()), List.copyOf(back.tensors().keySet()), f.toString());
            assertEquals(c.metadata(), back.metadata());
            for (String name : c.tensors().keySet()) {
                Tensor a = c.get(name);
                Tensor b = back.get(name);
                assertEquals(a.dtype(), b.dtype(), name);
                assertArrayEquals(a.shape(), b.shape(), name);
                assertArrayEquals(doubles(a), doubles(b), f.getFileName() + ":" + name);
            }
        }
    }

    @Test
    void fileOrderFollowsOffsetsNotHeaderOrder() throws IOException {
        byte[] data = new byte[12];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, 1f).putFloat(4, 2f).putFloat(8, 3f);
        Path f = write("order", "{\"z\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]},"
                + "\"empty\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[12,12]}}", data);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(List.of("z", "a", "empty"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(new float[] {2f, 3f}, floats(c.get("a")));
        assertEquals(0, c.get("empty").numel());
        assertEquals(Map.of(), c.metadata());
    }

    // ------------------------------------------------------------------ round trips

    @Test
    void roundTripPreservesOrderValuesDtypesAndMetadata() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("net.w", Tensor.wrap(new float[] {1.5f, -2f, Float.MIN_VALUE, Float.MAX_VALUE, -0f, 7f}, 2, 3));
        m.put("net.a_double", Tensor.wrap(new double[] {Math.PI, -1e-300, 1e300}, 3));
        m.put("scalar", Tensor.wrap(new float[] {42f}));
        m.put("empty", Tensor.wrap(new float[0], 0, 4));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("step", "1200");
        meta.put("config", "{\"lr\": 0.001}");
        Path f = dir.resolve("sub/rt.safetensors");
        SafeTensors.write(f, m, meta);

        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(List.copyOf(m.keySet()), List.copyOf(c.tensors().keySet()));
        assertEquals(meta, c.metadata());
        assertArrayEquals(floats(m.get("net.w")), floats(c.get("net.w")));
        assertArrayEquals(new int[] {2, 3}, c.get("net.w").shape());
        assertEquals(DType.FLOAT64, c.get("net.a_double").dtype());
        assertArrayEquals(doubles(m.get("net.a_double")), doubles(c.get("net.a_double")));
        assertArrayEquals(new int[0], c.get("scalar").shape());
        assertArrayEquals(new int[] {0, 4}, c.get("empty").shape());
        assertEquals(0, SafeTensors.readHeader(f).dataStart() % 8);
    }

    @Test
    void writesNonContiguousViewsInLogicalOrder() {
        // [[0,1,2],[3,4,5]] transposed -> [[0,3],[1,4],[2,5]], plus an offset slice of a larger buffer
        float[] base = {0, 1, 2, 3, 4, 5};
        Tensor t = new Tensor(new CpuStorage(base), new int[] {3, 2}, new int[] {1, 3}, 0);
        Tensor slice = new Tensor(new CpuStorage(new double[] {9, 8, 7, 6}), new int[] {2}, new int[] {1}, 2);
        byte[] bytes = SafeTensors.toBytes(Map.of("t", t), Map.of());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, floats(SafeTensors.read(bytes, "mem", null).get("t")));
        bytes = SafeTensors.toBytes(Map.of("s", slice), Map.of());
        assertArrayEquals(new double[] {7, 6}, doubles(SafeTensors.read(bytes, "mem", null).get("s")));
    }

    @Test
    void largeTensorCrossesReadChunks() {
        int n = (1 << 22) / 4 * 2 + 123; // more than two read chunks
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i * 0.5f;
        Path f = dir.resolve("big.safetensors");
        SafeTensors.write(f, Map.of("big", Tensor.wrap(v, n)));
        assertArrayEquals(v, floats(SafeTensors.read(f).get("big")));
    }

    @Test
    void missingTensorNameIsNamed() {
        byte[] bytes = SafeTensors.toBytes(Map.of("a", Tensor.wrap(new float[] {1}, 1)), Map.of());
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(bytes, "mem", null).get("nope"));
        assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("[a]"), e.getMessage());
    }

    // ------------------------------------------------------------------ corruptions, one per kind

    private static final String OK_A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @Test
    void missingFile() {
        assertCorrupt(dir.resolve("nope.safetensors"), "does not exist");
    }

    @Test
    void shorterThanEightBytes() throws IOException {
        assertCorrupt(raw("empty", new byte[0]), "0 bytes long", "shorter than the 8-byte header length");
        assertCorrupt(raw("five", new byte[] {1, 2, 3, 4, 5}), "5 bytes long");
    }

    @Test
    void headerLengthLargerThanFile() throws IOException {
        byte[] good = SafeTensors.toBytes(Map.of("a", Tensor.wrap(new float[] {1, 2}, 2)), Map.of());
        byte[] cut = java.util.Arrays.copyOf(good, 20); // truncated inside the header
        assertCorrupt(raw("cut", cut), "header length", "larger than the 12 bytes that follow it");
    }

    @Test
    void absurdHeaderLength() throws IOException {
        byte[] b = new byte[64];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 200L * 1024 * 1024);
        assertCorrupt(raw("absurd", b), "header length 209715200 is absurd");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L); // 2^64-1 unsigned
        assertCorrupt(raw("absurd2", b), "header length 18446744073709551615 is absurd");
    }

    @Test
    void invalidJson() throws IOException {
        assertCorrupt(write("json1", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]", new byte[8]), "header is not valid JSON");
        assertCorrupt(write("json2", "{\"a\":{\"dtype\":F32}}", new byte[0]), "header is not valid JSON");
        assertCorrupt(write("notobj", "[1, 2, 3]", new byte[0]), "does not start with '{'");
        assertCorrupt(write("dup", "{" + OK_A + "," + OK_A + "}", new byte[8]), "not valid JSON", "Duplicate");
        assertCorrupt(write("trail", "{" + OK_A + "} {}", new byte[8]), "trailing content after the JSON value");
        assertCorrupt(write("trailx", "{" + OK_A + "} x", new byte[8]), "not valid JSON", "'x'");
        // invalid UTF-8 inside a string
        byte[] h = ("{\"a\u00ff\":1}").getBytes(StandardCharsets.ISO_8859_1);
        assertCorrupt(rawHeader("utf8", h, new byte[0]), "not valid JSON");
    }

    @Test
    void missingFields() throws IOException {
        assertCorrupt(write("nodtype", "{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]), "tensor 'w'", "no \"dtype\"");
        assertCorrupt(write("noshape", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", new byte[8]), "tensor 'w'", "no \"shape\"");
        assertCorrupt(write("nooff", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", new byte[8]), "tensor 'w'", "no \"data_offsets\"");
        assertCorrupt(write("notmap", "{\"w\":[1,2]}", new byte[0]), "tensor 'w'", "expected an object");
        assertCorrupt(write("badoff", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", new byte[8]),
                "tensor 'w'", "expected [begin, end]");
        assertCorrupt(write("floatdim", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor 'w'", "shape entry 0", "expected an integer");
    }

    @Test
    void unknownDtype() throws IOException {
        assertCorrupt(write("dtype", "{\"w\":{\"dtype\":\"F17\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor 'w'", "unknown dtype \"F17\"");
    }

    @Test
    void validButUnsupportedDtypeIsNamedAtLoad() throws IOException {
        Path f = write("i64", "{\"steps\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]);
        assertEquals("I64", SafeTensors.readHeader(f).tensors().get(0).dtype());
        assertCorrupt(f, "tensor 'steps'", "dtype I64", "cannot load");
    }

    @Test
    void negativeOrOverflowingShape() throws IOException {
        assertCorrupt(write("neg", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,-4],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor 'w'", "negative dimension -4");
        assertCorrupt(write("ovf", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor 'w'", "overflows 64 bits");
        assertCorrupt(write("ovf2", "{\"w\":{\"dtype\":\"F64\",\"shape\":[2305843009213693952],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor 'w'", "overflows 64 bits");
        assertCorrupt(write("huge", "{\"w\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor 'w'", "overflows a 64-bit size");
    }

    @Test
    void byteSizeNotNumelTimesDtypeSize() throws IOException {
        assertCorrupt(write("size", "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor 'w'", "span 8 bytes", "needs 12 bytes");
        assertCorrupt(write("bf16", "{\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor 'w'", "needs 4 bytes");
    }

    @Test
    void offsetsOutsideDataSection() throws IOException {
        assertCorrupt(write("out", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[8]),
                "tensor 'w'", "outside the data section of 8 bytes");
        assertCorrupt(write("negoff", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", new byte[8]),
                "tensor 'w'", "negative data offset");
        assertCorrupt(write("rev", "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", new byte[8]),
                "tensor 'w'", "end before they begin");
        // a real file truncated inside its data section
        Path f = dir.resolve("trunc.safetensors");
        Map<String, Tensor> two = new LinkedHashMap<>();
        two.put("first", Tensor.wrap(new float[4], 4));
        two.put("second", Tensor.wrap(new float[4], 4));
        SafeTensors.write(f, two);
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 3));
        assertCorrupt(f, "tensor 'second'", "outside the data section");
    }

    @Test
    void overlappingTensors() throws IOException {
        assertCorrupt(write("overlap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]),
                "'a' [0, 8)", "'b' [4, 12)", "overlap");
        assertCorrupt(write("same", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]),
                "'a'", "'b'", "overlap");
    }

    @Test
    void holesInDataSection() throws IOException {
        assertCorrupt(write("hole", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[12]),
                "bytes [4, 8)", "between 'a' and 'b'", "belong to no tensor");
        assertCorrupt(write("hole0", "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]),
                "bytes [0, 4)", "before the first tensor 'b'");
    }

    @Test
    void trailingGarbage() throws IOException {
        Path f = dir.resolve("trail.safetensors");
        SafeTensors.write(f, Map.of("w", Tensor.wrap(new float[] {1, 2}, 2)));
        Files.write(f, new byte[] {0x42, 0x42, 0x42}, java.nio.file.StandardOpenOption.APPEND);
        assertCorrupt(f, "3 trailing bytes after the last tensor 'w'");
    }

    @Test
    void badMetadata() throws IOException {
        assertCorrupt(write("meta", "{\"__metadata__\":{\"step\":12}," + OK_A + "}", new byte[8]),
                "metadata value for key 'step'", "must be strings");
        assertCorrupt(write("meta2", "{\"__metadata__\":[1]," + OK_A + "}", new byte[8]), "\"__metadata__\" is an array");
    }

    @Test
    void resourcesAndStreamsReportTheirName() {
        FormatException e = assertThrows(FormatException.class,
                () -> SafeTensors.read(new java.io.ByteArrayInputStream(new byte[3]), "resource teacher.safetensors", null));
        assertTrue(e.getMessage().startsWith("safetensors resource teacher.safetensors: file is 3 bytes long"), e.getMessage());
    }

    // ------------------------------------------------------------------ helpers

    private void assertCorrupt(Path f, String... fragments) {
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(f));
        String msg = e.getMessage();
        assertTrue(msg.contains(f.toAbsolutePath().toString()), "message names the file: " + msg);
        for (String s : fragments) assertTrue(msg.contains(s), "message contains <" + s + ">: " + msg);
    }

    /** A file with the given header text (space-padded to 8 bytes) and data section. */
    private Path write(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) & ~7;
        byte[] hp = java.util.Arrays.copyOf(h, padded);
        java.util.Arrays.fill(hp, h.length, padded, (byte) ' ');
        return rawHeader(name, hp, data);
    }

    private Path rawHeader(String name, byte[] header, byte[] data) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        bos.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length).array());
        bos.write(header);
        bos.write(data);
        return raw(name, bos.toByteArray());
    }

    private Path raw(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name + ".safetensors");
        Files.write(f, bytes);
        return f;
    }

    static float[] floats(Tensor t) { return HostData.floats(t); }

    static double[] doubles(Tensor t) { return HostData.doubles(t); }
}
