package dev.sfd.io;

import dev.sfd.FormatException;
import dev.sfd.SfdException;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Shapes;
import dev.sfd.tensor.Tensor;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reader and writer for the <a href="https://github.com/huggingface/safetensors">safetensors</a> format:
 * an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * ({@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}}),
 * then the data section, which the tensors' byte ranges must cover exactly (no overlap, no hole, nothing
 * after the last tensor). Values are little-endian, row-major.
 *
 * <p>Reading converts F32, F16 and BF16 to FLOAT32 and keeps F64 as FLOAT64 (or converts everything to a
 * requested dtype). The header is validated before any tensor data is touched, and every kind of
 * corruption gives a {@link FormatException} whose message names the file, the tensor and the problem.
 * Files are read through a positional {@link FileChannel} in bounded chunks rather than mapped, so no
 * mapping outlives the call (a live mapping would keep Windows from replacing the file atomically).
 *
 * <p>Writing stores FLOAT32 as F32 and FLOAT64 as F64 in the map's iteration order, pads the header with
 * spaces to a multiple of 8 bytes (as the reference implementation does) and replaces the file atomically
 * through {@link AtomicFiles}.
 *
 * <p>Integrity: the writer stores a CRC32C of every tensor's bytes in the metadata key {@value #CRC_KEY} (a JSON
 * object from tensor name to 8 hex digits; other safetensors readers ignore it). The reader verifies every tensor
 * against it and throws a {@link FormatException} naming the tensor when the bytes changed (a zeroed block, a
 * flipped bit); files without the key (written by other tools) load unchecked. The key is not part of the
 * metadata the reader returns.
 */
public final class SafeTensors {
    /** Header lengths above this are rejected as corrupt rather than allocated. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    /** The reserved header key holding string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";
    /** Metadata key holding the per-tensor CRC32C checksums. */
    public static final String CRC_KEY = "sfd.crc32c";

    private static final int CHUNK_BYTES = 1 << 22;

    private SafeTensors() {}

    /**
     * The tensors of a file, in file order (by data offset), and its {@code __metadata__} map (empty when
     * the file has none).
     */
    public record Contents(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {
        /** The named tensor; a {@link FormatException} listing a few available names when absent. */
        public Tensor get(String name) {
            Tensor t = tensors.get(name);
            if (t == null) {
                List<String> names = new ArrayList<>(tensors.keySet());
                String shown = names.size() <= 8 ? names.toString() : names.subList(0, 8) + " and " + (names.size() - 8) + " more";
                throw new FormatException("no tensor named '" + name + "'; the file holds " + shown);
            }
            return t;
        }

        /**
         * Throws a {@link FormatException} naming {@code source}, the tensor and the first bad value when any tensor
         * holds NaN or an infinity (corrupt weights or a diverged training run); returns this otherwise.
         */
        public Contents requireFinite(String source) {
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                double[] v = e.getValue().toDoubleArray();
                int bad = 0, first = -1;
                for (int i = 0; i < v.length; i++) {
                    if (!Double.isFinite(v[i])) {
                        if (first < 0) first = i;
                        bad++;
                    }
                }
                if (bad > 0) {
                    throw new FormatException(source + ": tensor '" + e.getKey() + "' holds " + bad + " non-finite value(s) of " + v.length
                            + " (first at index " + first + ": " + v[first] + "); the weights are corrupt or come from a diverged run");
                }
            }
            return this;
        }
    }

    /**
     * One header entry, as stored: {@code dtype} is the safetensors name ({@code "F32"}, {@code "BF16"}, ...),
     * {@code begin}/{@code end} are byte offsets relative to the start of the data section.
     */
    public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {
        /** Number of elements (product of the shape); a {@link FormatException} naming the tensor when it overflows a long. */
        public long numel() {
            long n = 1;
            try {
                for (long d : shape) n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                if (Arrays.stream(shape).anyMatch(d -> d == 0)) return 0;
                throw new FormatException("tensor '" + name + "' of shape " + Arrays.toString(shape) + " has more elements than a 64-bit count holds");
            }
            return n;
        }

        @Override
        public String toString() {
            return name + ": " + dtype + Arrays.toString(shape) + " @[" + begin + ", " + end + ")";
        }
    }

    /**
     * A validated header: tensors in file order, metadata, and where the data section starts
     * ({@code 8 + headerLength}) in a file of {@code fileSize} bytes.
     */
    public record Header(List<TensorInfo> tensors, Map<String, String> metadata, long headerLength, long fileSize) {
        /** Absolute file position of the data section. */
        public long dataStart() { return 8 + headerLength; }
    }

    // ------------------------------------------------------------------ reading

    /** Reads all tensors: F64 as FLOAT64, F32/F16/BF16 as FLOAT32. */
    public static Contents read(Path file) {
        return read(file, null);
    }

    /** Reads all tensors converted to {@code dtype} (null: F64 as FLOAT64, everything else as FLOAT32). */
    public static Contents read(Path file, DType dtype) {
        try (Source src = FileSource.open(file)) {
            return read(src, dtype);
        } catch (IOException e) {
            throw new FormatException("safetensors file " + file.toAbsolutePath() + ": read failed: " + e, e);
        }
    }

    /** Reads safetensors bytes held in memory; {@code sourceName} appears in error messages. */
    public static Contents read(byte[] bytes, String sourceName, DType dtype) {
        try (Source src = new BytesSource(bytes, sourceName)) {
            return read(src, dtype);
        } catch (IOException e) {
            throw new FormatException("safetensors " + sourceName + ": read failed: " + e, e);
        }
    }

    /** Reads a whole stream (e.g. a class-path resource); {@code sourceName} appears in error messages. */
    public static Contents read(InputStream in, String sourceName, DType dtype) {
        byte[] bytes;
        try {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new FormatException("safetensors " + sourceName + ": read failed: " + e, e);
        }
        return read(bytes, sourceName, dtype);
    }

    /** Reads and validates only the header (cheap even for large files). */
    public static Header readHeader(Path file) {
        try (Source src = FileSource.open(file)) {
            return parseHeader(src);
        } catch (IOException e) {
            throw new FormatException("safetensors file " + file.toAbsolutePath() + ": read failed: " + e, e);
        }
    }

    private static Contents read(Source src, DType dtype) throws IOException {
        Header h = parseHeader(src);
        Map<String, Long> crcs = checksums(src.what(), h);
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (TensorInfo info : h.tensors()) {
            java.util.zip.CRC32C crc = crcs == null ? null : new java.util.zip.CRC32C();
            out.put(info.name(), readTensor(src, h, info, dtype, crc));
            if (crc != null) {
                Long want = crcs.get(info.name());
                if (want == null) throw new FormatException(src.what() + ": tensor '" + info.name() + "' has no entry in the " + CRC_KEY + " checksums (edited header?)");
                if (crc.getValue() != want) {
                    throw new FormatException(src.what() + ": tensor '" + info.name() + "' fails its CRC32C check (stored " + String.format("%08x", want)
                            + ", computed " + String.format("%08x", crc.getValue()) + "): the file is corrupt (bytes in [" + (h.dataStart() + info.begin())
                            + ", " + (h.dataStart() + info.end()) + ") changed after it was written)");
                }
            }
        }
        Map<String, String> meta = new LinkedHashMap<>(h.metadata());
        meta.remove(CRC_KEY);
        return new Contents(out, Collections.unmodifiableMap(meta));
    }

    /** The per-tensor checksums the header stores, or null when the file has none. */
    private static Map<String, Long> checksums(String what, Header h) {
        String json = h.metadata().get(CRC_KEY);
        if (json == null) return null;
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (SfdException e) {
            throw new FormatException(what + ": metadata " + CRC_KEY + " is not JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> m)) throw new FormatException(what + ": metadata " + CRC_KEY + " is " + Json.kind(parsed) + ", expected an object");
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String v = String.valueOf(e.getValue());
            if (!v.matches("[0-9a-f]{8}")) throw new FormatException(what + ": " + CRC_KEY + " entry for '" + e.getKey() + "' is '" + v + "', expected 8 hex digits");
            out.put(String.valueOf(e.getKey()), Long.parseLong(v, 16));
        }
        return out;
    }

    private static Tensor readTensor(Source src, Header h, TensorInfo info, DType want, java.util.zip.CRC32C crc) throws IOException {
        StType st = StType.valueOf(info.dtype());
        if (!st.floating) {
            throw new FormatException(src.what() + ": tensor '" + info.name() + "' has dtype " + info.dtype()
                    + ", which sfd cannot load (supported: F64, F32, F16, BF16)");
        }
        int[] shape = new int[info.shape().length];
        for (int i = 0; i < shape.length; i++) {
            if (info.shape()[i] > Integer.MAX_VALUE) throw tooLarge(src, info);
            shape[i] = (int) info.shape()[i];
        }
        if (info.numel() > Integer.MAX_VALUE) throw tooLarge(src, info);
        int n = (int) info.numel();
        DType target = want != null ? want : (st == StType.F64 ? DType.FLOAT64 : DType.FLOAT32);
        float[] f = target == DType.FLOAT32 ? new float[n] : null;
        double[] d = target == DType.FLOAT64 ? new double[n] : null;
        int perChunk = CHUNK_BYTES / st.bytes;
        long pos = h.dataStart() + info.begin();
        for (int done = 0; done < n; ) {
            int k = Math.min(perChunk, n - done);
            ByteBuffer b = src.read(pos, k * st.bytes);
            if (crc != null) crc.update(b.duplicate());
            decode(st, b, k, f, d, done);
            done += k;
            pos += (long) k * st.bytes;
        }
        return f != null ? Tensor.wrap(f, shape) : Tensor.wrap(d, shape);
    }

    private static FormatException tooLarge(Source src, TensorInfo info) {
        return new FormatException(src.what() + ": tensor '" + info.name() + "' of shape " + Arrays.toString(info.shape())
                + " has more than 2^31-1 elements, which an sfd tensor cannot hold");
    }

    /** Converts {@code k} little-endian values of type {@code st} into f or d at {@code off}. */
    private static void decode(StType st, ByteBuffer b, int k, float[] f, double[] d, int off) {
        switch (st) {
            case F32:
                if (f != null) {
                    b.asFloatBuffer().get(f, off, k);
                } else {
                    for (int i = 0; i < k; i++) d[off + i] = b.getFloat(4 * i);
                }
                break;
            case F64:
                if (d != null) {
                    b.asDoubleBuffer().get(d, off, k);
                } else {
                    for (int i = 0; i < k; i++) f[off + i] = (float) b.getDouble(8 * i);
                }
                break;
            case F16:
                for (int i = 0; i < k; i++) {
                    float v = Half.toFloat(b.getShort(2 * i));
                    if (f != null) f[off + i] = v; else d[off + i] = v;
                }
                break;
            case BF16:
                for (int i = 0; i < k; i++) {
                    float v = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                    if (f != null) f[off + i] = v; else d[off + i] = v;
                }
                break;
            default:
                throw new IllegalStateException(st.name());
        }
    }

    // ------------------------------------------------------------------ header validation

    private static Header parseHeader(Source src) throws IOException {
        long size = src.size();
        String what = src.what();
        if (size < 8) {
            throw new FormatException(what + ": file is " + size + " bytes long, shorter than the 8-byte header length"
                    + " (empty or truncated file)");
        }
        long n = src.read(0, 8).getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new FormatException(what + ": header length " + Long.toUnsignedString(n) + " is absurd (limit "
                    + MAX_HEADER_BYTES + " bytes); the file is not safetensors or its first 8 bytes are corrupt");
        }
        if (n > size - 8) {
            throw new FormatException(what + ": header length " + n + " is larger than the " + (size - 8)
                    + " bytes that follow it (truncated file?)");
        }
        if (n < 2) throw new FormatException(what + ": header length " + n + " is too small to hold a JSON object");
        byte[] hb = new byte[(int) n];
        src.read(8, (int) n).get(hb);
        if (hb[0] != '{') {
            throw new FormatException(what + ": header does not start with '{' (first byte 0x"
                    + String.format("%02x", hb[0] & 0xff) + "); not a safetensors file");
        }
        Object json = Json.parseStrict(hb, 0, hb.length, what + ": header");
        if (!(json instanceof Map)) throw new FormatException(what + ": header is " + Json.kind(json) + ", expected a JSON object");
        Map<?, ?> root = (Map<?, ?>) json;
        long dataSize = size - 8 - n;

        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> infos = new ArrayList<>();
        for (Map.Entry<?, ?> e : root.entrySet()) {
            String name = (String) e.getKey();
            if (METADATA_KEY.equals(name)) {
                readMetadata(what, e.getValue(), metadata);
                continue;
            }
            infos.add(parseEntry(what, name, e.getValue(), dataSize));
        }
        // File order; zero-length tensors sort before a tensor starting at the same offset, header order otherwise.
        List<TensorInfo> sorted = new ArrayList<>(infos);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expected = 0;
        TensorInfo prev = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < expected) {
                throw new FormatException(what + ": tensors '" + prev.name() + "' [" + prev.begin() + ", " + prev.end()
                        + ") and '" + t.name() + "' [" + t.begin() + ", " + t.end() + ") overlap in the data section");
            }
            if (t.begin() > expected) {
                throw new FormatException(what + ": bytes [" + expected + ", " + t.begin() + ") of the data section belong to no tensor"
                        + " (hole " + (prev == null ? "before the first tensor '" : "between '" + prev.name() + "' and '") + t.name()
                        + "'); safetensors requires the data section to be fully covered");
            }
            expected = t.end();
            prev = t;
        }
        if (expected != dataSize) {
            throw new FormatException(what + ": " + (dataSize - expected) + " trailing bytes after the last tensor"
                    + (prev == null ? "" : " '" + prev.name() + "'") + " (data section is " + dataSize
                    + " bytes, tensors cover " + expected + "); trailing garbage or a wrong header");
        }
        return new Header(Collections.unmodifiableList(sorted), Collections.unmodifiableMap(metadata), n, size);
    }

    private static void readMetadata(String what, Object v, Map<String, String> out) {
        if (!(v instanceof Map)) {
            throw new FormatException(what + ": \"" + METADATA_KEY + "\" is " + Json.kind(v) + ", expected an object of strings");
        }
        for (Map.Entry<?, ?> m : ((Map<?, ?>) v).entrySet()) {
            if (!(m.getValue() instanceof String)) {
                throw new FormatException(what + ": metadata value for key '" + m.getKey() + "' is " + Json.kind(m.getValue())
                        + "; safetensors metadata values must be strings");
            }
            out.put((String) m.getKey(), (String) m.getValue());
        }
    }

    private static TensorInfo parseEntry(String what, String name, Object v, long dataSize) {
        String at = what + ": tensor '" + name + "'";
        if (!(v instanceof Map)) throw new FormatException(at + ": header entry is " + Json.kind(v) + ", expected an object");
        Map<?, ?> m = (Map<?, ?>) v;
        for (String key : new String[] {"dtype", "shape", "data_offsets"}) {
            if (!m.containsKey(key)) throw new FormatException(at + ": header entry has no \"" + key + "\"");
        }
        Object dt = m.get("dtype");
        if (!(dt instanceof String)) throw new FormatException(at + ": \"dtype\" is " + Json.kind(dt) + ", expected a string");
        StType st = StType.parse((String) dt);
        if (st == null) {
            throw new FormatException(at + ": unknown dtype \"" + dt + "\" (safetensors dtypes: " + Arrays.toString(StType.values()) + ")");
        }
        Object sh = m.get("shape");
        if (!(sh instanceof List)) throw new FormatException(at + ": \"shape\" is " + Json.kind(sh) + ", expected an array of integers");
        List<?> shList = (List<?>) sh;
        long[] shape = new long[shList.size()];
        long numel = 1;
        boolean overflow = false;
        for (int i = 0; i < shape.length; i++) {
            Object d = shList.get(i);
            if (!(d instanceof Integer || d instanceof Long || d instanceof BigInteger)) {
                throw new FormatException(at + ": shape entry " + i + " is " + Json.kind(d) + ", expected an integer");
            }
            BigInteger big = d instanceof BigInteger ? (BigInteger) d : BigInteger.valueOf(((Number) d).longValue());
            if (big.signum() < 0) throw new FormatException(at + ": negative dimension " + big + " in shape " + shList);
            if (big.bitLength() > 63) {
                throw new FormatException(at + ": dimension " + big + " in shape " + shList + " overflows a 64-bit size");
            }
            shape[i] = big.longValue();
            if (!overflow) {
                try {
                    numel = Math.multiplyExact(numel, shape[i]);
                } catch (ArithmeticException ex) {
                    overflow = true;
                }
            }
        }
        long nbytes = 0;
        if (!overflow) {
            try {
                nbytes = Math.multiplyExact(numel, (long) st.bytes);
            } catch (ArithmeticException ex) {
                overflow = true;
            }
        }
        if (overflow) {
            boolean zero = Arrays.stream(shape).anyMatch(x -> x == 0);
            if (!zero) throw new FormatException(at + ": shape " + shList + " of dtype " + st + " has an element count or byte size that overflows 64 bits");
            nbytes = 0;
            numel = 0;
        }
        Object off = m.get("data_offsets");
        if (!(off instanceof List) || ((List<?>) off).size() != 2) {
            throw new FormatException(at + ": \"data_offsets\" is " + Json.kind(off) + ", expected [begin, end]");
        }
        long[] be = new long[2];
        for (int i = 0; i < 2; i++) {
            Object o = ((List<?>) off).get(i);
            if (!(o instanceof Integer || o instanceof Long || o instanceof BigInteger)) {
                throw new FormatException(at + ": data_offsets entry " + i + " is " + Json.kind(o) + ", expected an integer");
            }
            BigInteger big = o instanceof BigInteger ? (BigInteger) o : BigInteger.valueOf(((Number) o).longValue());
            if (big.signum() < 0) throw new FormatException(at + ": negative data offset " + big + " in data_offsets " + off);
            if (big.compareTo(BigInteger.valueOf(dataSize)) > 0) {
                throw new FormatException(at + ": data_offsets " + off + " lie outside the data section of " + dataSize
                        + " bytes (truncated file or wrong offsets)");
            }
            be[i] = big.longValue();
        }
        if (be[1] < be[0]) throw new FormatException(at + ": data_offsets " + off + " end before they begin");
        if (be[1] - be[0] != nbytes) {
            throw new FormatException(at + ": data_offsets " + off + " span " + (be[1] - be[0]) + " bytes but shape " + shList
                    + " of dtype " + st + " needs " + nbytes + " bytes (" + numel + " elements x " + st.bytes + ")");
        }
        return new TensorInfo(name, st.name(), shape, be[0], be[1]);
    }

    // ------------------------------------------------------------------ writing

    /** Writes tensors (FLOAT32 as F32, FLOAT64 as F64) in iteration order, atomically. */
    public static void write(Path file, Map<String, Tensor> tensors) {
        write(file, tensors, Map.of());
    }

    /** Writes tensors and a {@code __metadata__} map (omitted when empty), atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        byte[] header = header(tensors, metadata, "safetensors file " + file.toAbsolutePath());
        AtomicFiles.write(file, out -> writeTo(out, header, tensors));
    }

    /** The complete file content in memory (for tests, fixtures and class-path resources). */
    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
        byte[] header = header(tensors, metadata, "safetensors");
        java.io.ByteArrayOutputStream bos = new java.io.ByteArrayOutputStream();
        try {
            writeTo(bos, header, tensors);
        } catch (IOException e) {
            throw new SfdException("safetensors: cannot serialise: " + e, e);
        }
        return bos.toByteArray();
    }

    private static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata, String what) {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        if (metadata != null) {
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) throw new SfdException(what + ": metadata keys and values must not be null");
                if (!CRC_KEY.equals(e.getKey())) meta.put(e.getKey(), e.getValue());
            }
        }
        if (!tensors.isEmpty()) meta.put(CRC_KEY, checksumJson(tensors));
        if (!meta.isEmpty()) root.put(METADATA_KEY, meta);
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || METADATA_KEY.equals(name)) throw new SfdException(what + ": invalid tensor name " + name);
            Tensor t = e.getValue();
            if (t == null) throw new SfdException(what + ": tensor '" + name + "' is null");
            StType st = t.dtype() == DType.FLOAT64 ? StType.F64 : StType.F32;
            long end = offset + (long) t.numel() * st.bytes;
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", st.name());
            List<Integer> shape = new ArrayList<>();
            for (int d : t.shape()) shape.add(d);
            entry.put("shape", shape);
            entry.put("data_offsets", List.of(offset, end));
            root.put(name, entry);
            offset = end;
        }
        byte[] json;
        try {
            json = COMPACT.asString(root).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SfdException(what + ": cannot build header: " + e, e);
        }
        int padded = (json.length + 7) & ~7;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static final com.fasterxml.jackson.jr.ob.JSON COMPACT = com.fasterxml.jackson.jr.ob.JSON.std;

    /** {"name": "8 hex digits", ...}: the CRC32C of each tensor's bytes as {@link #writeTo} writes them. */
    private static String checksumJson(Map<String, Tensor> tensors) {
        Map<String, String> sums = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getValue() == null) continue; // reported by the caller with the tensor's name
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            try {
                writeTensor(new OutputStream() {
                    @Override public void write(int b) { crc.update(b); }
                    @Override public void write(byte[] b, int off, int len) { crc.update(b, off, len); }
                }, e.getValue(), new byte[CHUNK_BYTES]);
            } catch (IOException ex) {
                throw new IllegalStateException("a checksum stream does not fail", ex);
            }
            sums.put(e.getKey(), String.format("%08x", crc.getValue()));
        }
        try {
            return COMPACT.asString(sums);
        } catch (IOException ex) {
            throw new SfdException("safetensors: cannot encode checksums: " + ex, ex);
        }
    }

    private static void writeTo(OutputStream out, byte[] header, Map<String, Tensor> tensors) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
        out.write(len.array());
        out.write(header);
        byte[] chunk = new byte[CHUNK_BYTES];
        for (Tensor t : tensors.values()) writeTensor(out, t, chunk);
    }

    /** A tensor's bytes, little-endian, through {@code chunk}. */
    private static void writeTensor(OutputStream out, Tensor t, byte[] chunk) throws IOException {
        ByteBuffer cb = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        if (t.dtype() == DType.FLOAT64) {
            double[] d = HostData.doubles(t);
            for (int i = 0; i < d.length; ) {
                int k = Math.min(CHUNK_BYTES / 8, d.length - i);
                cb.clear();
                cb.asDoubleBuffer().put(d, i, k);
                out.write(chunk, 0, k * 8);
                i += k;
            }
        } else {
            float[] f = HostData.floats(t);
            for (int i = 0; i < f.length; ) {
                int k = Math.min(CHUNK_BYTES / 4, f.length - i);
                cb.clear();
                cb.asFloatBuffer().put(f, i, k);
                out.write(chunk, 0, k * 4);
                i += k;
            }
        }
    }

    // ------------------------------------------------------------------ dtypes and sources

    /** Safetensors dtypes with their element size in bytes; {@code floating} marks those sfd can load. */
    private enum StType {
        BOOL(1, false), U8(1, false), I8(1, false), F8_E5M2(1, false), F8_E4M3(1, false), F8_E8M0(1, false),
        I16(2, false), U16(2, false), F16(2, true), BF16(2, true),
        I32(4, false), U32(4, false), F32(4, true),
        I64(8, false), U64(8, false), F64(8, true), C64(8, false);

        final int bytes;
        final boolean floating;

        StType(int bytes, boolean floating) {
            this.bytes = bytes;
            this.floating = floating;
        }

        static StType parse(String s) {
            for (StType t : values()) if (t.name().equals(s)) return t;
            return null;
        }
    }

    /** Random access to the bytes of a file or an in-memory copy. */
    private interface Source extends Closeable {
        /** "safetensors file /abs/path" or "safetensors NAME": the prefix of every message. */
        String what();

        long size() throws IOException;

        /** {@code len} bytes at {@code pos} as a little-endian buffer positioned at 0; valid until the next call. */
        ByteBuffer read(long pos, int len) throws IOException;
    }

    private static final class FileSource implements Source {
        private final FileChannel ch;
        private final String what;
        private ByteBuffer buf = ByteBuffer.allocate(0);

        private FileSource(FileChannel ch, String what) {
            this.ch = ch;
            this.what = what;
        }

        static FileSource open(Path file) {
            String what = "safetensors file " + file.toAbsolutePath();
            try {
                return new FileSource(FileChannel.open(file, StandardOpenOption.READ), what);
            } catch (NoSuchFileException e) {
                throw new FormatException(what + " does not exist");
            } catch (IOException e) {
                throw new FormatException(what + ": cannot open: " + e, e);
            }
        }

        @Override public String what() { return what; }

        @Override public long size() throws IOException { return ch.size(); }

        @Override
        public ByteBuffer read(long pos, int len) throws IOException {
            if (buf.capacity() < len) buf = ByteBuffer.allocate(Math.max(len, Math.min(CHUNK_BYTES, 2 * buf.capacity())));
            buf.clear().limit(len);
            while (buf.hasRemaining()) {
                int r = ch.read(buf, pos + buf.position());
                if (r < 0) throw new EOFException(what + " ended at byte " + (pos + buf.position()) + " while reading (did it shrink?)");
            }
            buf.flip();
            return buf.slice().order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override public void close() throws IOException { ch.close(); }
    }

    private static final class BytesSource implements Source {
        private final byte[] bytes;
        private final String what;

        BytesSource(byte[] bytes, String name) {
            this.bytes = bytes;
            this.what = "safetensors " + name;
        }

        @Override public String what() { return what; }

        @Override public long size() { return bytes.length; }

        @Override
        public ByteBuffer read(long pos, int len) {
            return ByteBuffer.wrap(bytes, (int) pos, len).slice().order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override public void close() {}
    }
}
