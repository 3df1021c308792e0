package dev.sfd.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sfd.SfdException;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.SfdConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Coverage-guided fuzz tests (Jazzer, {@link FuzzTest}) of the three readers that take bytes from disk: the
 * safetensors reader, the checkpoint loader with the stored SFD configuration (JSON of version 2 or the version-1
 * text, which migrates) and the JSON reader. The property is the same for all three: any input either loads or is
 * refused with an {@link SfdException} (the project's named exceptions: {@code FormatException},
 * {@code ConfigException}, ...) whose message is not blank. Anything else (a {@code NullPointerException}, an index
 * out of bounds, a JDK {@code IllegalArgumentException}, an {@code OutOfMemoryError}) is a finding, and so is an
 * input that runs longer than the {@link Timeout} (a hang). What loads must also survive a round trip through the
 * project's own writer, where no exception at all is allowed.
 *
 * <p>{@code mvn test} replays the committed corpus ({@code src/test/resources/dev/sfd/io/ReaderFuzzTestInputs/<method>/},
 * Jazzer's regression mode). With {@code JAZZER_FUZZ=1} one of the methods is fuzzed for its {@code maxDuration}
 * (docs/testing.md, "Fuzzing"); a crashing input is written into that folder, so it becomes a regression input.
 */
@Timeout(5)
class ReaderFuzzTest {
    /** The checkpoint loader reads a file; every input goes through this one. */
    private static Path checkpointFile;

    @FuzzTest(maxDuration = "15s")
    void safetensorsReader(byte[] data) {
        SafeTensors.Contents c = loadedOrRefused(() -> SafeTensors.read(data, "fuzz input", null));
        if (c == null) return;
        // what loads is written back by the project's writer and reads back equal (no exception allowed here)
        SafeTensors.Contents back = SafeTensors.read(SafeTensors.toBytes(c.tensors(), c.metadata()), "round trip", null);
        assertEquals(new ArrayList<>(c.tensors().keySet()), new ArrayList<>(back.tensors().keySet()));
        for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
            Tensor a = e.getValue(), b = back.tensors().get(e.getKey());
            assertArrayEquals(a.shape(), b.shape(), e.getKey());
            assertEquals(a.dtype(), b.dtype(), e.getKey());
            assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0, e.getKey());
        }
        assertEquals(c.metadata(), back.metadata());
        loadedOrRefused(() -> c.requireFinite("fuzz input"));
    }

    @FuzzTest(maxDuration = "15s")
    void checkpointLoader(byte[] data) {
        SfdConfig stored = loadedOrRefused(() -> {
            Path f = checkpointFile();
            Files.write(f, data);
            Checkpoint c = Checkpoint.load(f);
            // what the resumes of ScoreForgettingDistillation and the trainers read
            for (String key : c.metadata().keySet()) c.meta(key);
            for (String key : new String[] {"step", "adam_generator_step", "adam_fake_step", "adam_step", "rng_seed", "rng_counter"}) {
                if (c.metadata().containsKey(key)) c.metaLong(key);
            }
            for (String key : new String[] {"seconds", "sigma_init"}) {
                if (c.metadata().containsKey(key)) c.metaDouble(key);
            }
            for (String g : new String[] {"generator", "fake", "ema", "anchor", "adam", "adam_generator", "adam_fake"}) {
                if (c.hasGroup(g)) c.group(g).forEach((name, t) -> t.toDoubleArray());
            }
            if ("sfd-checkpoint".equals(c.metadata().get("sfd.kind"))) c.meta("plan");
            if (!c.metadata().containsKey("config")) return null;
            SfdConfig.storedValues(c.meta("config"));
            return SfdConfig.fromStored(c.meta("config"));
        });
        // a configuration that loaded (migrated or not) is stored again as version-2 JSON and reads back equal
        if (stored != null) assertEquals(stored, SfdConfig.fromStored(stored.toJson()), "the stored configuration changes on a round trip");
    }

    @FuzzTest(maxDuration = "15s")
    void jsonReader(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        loadedOrRefused(() -> {
            Object lenient = Json.parse(text);
            if (lenient instanceof Map<?, ?> || lenient instanceof List<?>) Json.parseMap(text);
            else Json.toDouble(lenient);
            return lenient;
        });
        Object v = loadedOrRefused(() -> Json.parseStrict(data, 0, data.length, "fuzz input"));
        // the writer's text reads back as the same value (non-finite numbers come back as their strings)
        if (v != null) assertEquals(nonFiniteAsString(v), nonFiniteAsString(Json.parse(Json.write(v))));
    }

    interface Load<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code load} and returns what it loaded; null when it was refused with an {@link SfdException} that has a
     * message (the allowed outcome). Anything else escapes and is a finding.
     */
    static <T> T loadedOrRefused(Load<T> load) {
        try {
            return load.run();
        } catch (SfdException refused) {
            if (refused.getMessage() == null || refused.getMessage().isBlank()) throw new AssertionError("refusal without a message", refused);
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("fuzz harness: " + e, e);
        }
    }

    static synchronized Path checkpointFile() throws IOException {
        if (checkpointFile == null) {
            Path shm = Path.of("/dev/shm"); // memory-backed where there is one: every input is written to this file
            checkpointFile = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempFile(shm, "sfd-fuzz-checkpoint", ".safetensors")
                    : Files.createTempFile("sfd-fuzz-checkpoint", ".safetensors");
            checkpointFile.toFile().deleteOnExit();
        }
        return checkpointFile;
    }

    /** The value with every non-finite Double replaced by the string {@link Json#write} stores for it. */
    static Object nonFiniteAsString(Object v) {
        if (v instanceof Double d && !Double.isFinite(d)) return d.isNaN() ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
        if (v instanceof Float f && !Float.isFinite(f)) return nonFiniteAsString((double) f);
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k, nonFiniteAsString(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object x : l) out.add(nonFiniteAsString(x));
            return out;
        }
        return v;
    }

    // ------------------------------------------------------------------ the committed seed corpus

    /**
     * Writes the generated part of the seed corpus (files the project's writers produce, and hand-made edge cases)
     * into the folder named by {@code -Dsfd.fuzz.writeSeeds} (normally
     * {@code sfd-core/src/test/resources/dev/sfd/io/ReaderFuzzTestInputs}); off in a normal test run.
     */
    @Test
    @EnabledIfSystemProperty(named = "sfd.fuzz.writeSeeds", matches = ".+")
    void writeSeeds() throws IOException {
        Path root = Path.of(System.getProperty("sfd.fuzz.writeSeeds"));
        Path st = Files.createDirectories(root.resolve("safetensorsReader"));
        Path ck = Files.createDirectories(root.resolve("checkpointLoader"));
        Path js = Files.createDirectories(root.resolve("jsonReader"));

        // safetensors: the other dtypes, a scalar and an empty tensor, by hand (the writer stores F32 and F64 only)
        Files.write(st.resolve("dtypes.safetensors"), raw("{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]},\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[8,16]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[3,0],\"data_offsets\":[16,16]}}",
                bytes(0x00, 0x3c, 0x00, 0xc0, 0x80, 0x3f, 0x00, 0x7f, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f)));
        Files.write(st.resolve("int-dtype.safetensors"), raw("{\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}", bytes(1, 0, 0, 0)));
        Files.write(st.resolve("header-length-2pow40.safetensors"), lengthThen(1L << 40, "{}"));
        Files.write(st.resolve("header-length-past-end.safetensors"), lengthThen(64, "{}"));
        Files.write(st.resolve("header-length-negative.safetensors"), lengthThen(-1, "{}"));
        Files.write(st.resolve("shape-overflow.safetensors"), raw("{\"z\":{\"dtype\":\"F32\",\"shape\":[0,4294967296,4294967296],\"data_offsets\":[0,0]},"
                + "\"w\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904,2],\"data_offsets\":[0,0]}}", new byte[0]));
        Files.write(st.resolve("overlap.safetensors"), raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]));
        Files.write(st.resolve("metadata-number.safetensors"), raw("{\"__metadata__\":{\"n\":1},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]));
        byte[] nan = SafeTensors.toBytes(Map.of("x", Tensor.wrap(new float[] {1f, Float.NaN}, 2)), Map.of("k", "v"));
        Files.write(st.resolve("non-finite.safetensors"), nan);
        byte[] crc = nan.clone();
        crc[crc.length - 8] ^= 1;
        Files.write(st.resolve("crc-mismatch.safetensors"), crc);

        // checkpoints as ScoreForgettingDistillation writes them: the version-2 JSON configuration and the version-1 text
        SfdConfig cfg = SfdConfig.defaults().iterations(6).batch(4, 4).seed(11).checkpointEvery(2);
        Files.write(ck.resolve("sfd-checkpoint-v2.safetensors"), sfdCheckpoint(cfg.toJson(), "0->1"));
        String v1 = "{iterations=6, batch_remain=4, batch_forget=4, lr_generator=0.001, lr_fake=0.001, keep=1.0, alpha=1.2, "
                + "sigma_init=2.5, lambda_r=1.0, lambda_f=0.1, lambda_fake_r=1.0, lambda_fake_f=0.1, generator_t_max=0.8, fake_p_mean=-1.2, "
                + "fake_p_std=1.2, adam_beta1=0.0, adam_beta2=0.999, adam_eps=1.0E-8, clip=NONE, clip_value=1.0, sanitize=true, "
                + "generator_loss_scale=1.0, ema=HALF_LIFE, ema_half_life_images=500000.0, ema_rampup=0.5, ema_decay=0.9999, "
                + "guidance_train_fake=1.0, guidance_eval_fake=1.0, guidance_teacher=1.0, seed=11, checkpoint_every=2}";
        Files.write(ck.resolve("sfd-checkpoint-v1.safetensors"), sfdCheckpoint(v1, ""));
        Files.write(ck.resolve("sfd-checkpoint-retired-knob.safetensors"), sfdCheckpoint(v1.replace("clip=NONE", "clip=NORM"), ""));

        // JSON: what the project writes (a configuration, a report with non-finite numbers) and what Python writes
        Files.writeString(js.resolve("sfd-config.json"), cfg.toJson());
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("plan", "0->1");
        report.put("fid", Double.NaN);
        report.put("loss", List.of(1.5, Double.POSITIVE_INFINITY, -0.0, 1e-300));
        report.put("steps", 9_007_199_254_740_993L);
        report.put("nested", Map.of("ok", true, "none", List.of()));
        Files.writeString(js.resolve("report.json"), Json.write(report));
        Files.writeString(js.resolve("python.json"), "{\"a\": NaN, \"b\": [Infinity, -Infinity, 1e400, 123456789012345678901234567890],"
                + " \"s\": \"\\u00e9\\ud83d\\ude00\\n\", \"n\": null}");
        Files.writeString(js.resolve("deep.json"), "[".repeat(1001) + "]".repeat(1001)); // deeper than jackson's nesting limit
    }

    /** An SFD checkpoint of two tiny groups with the metadata ScoreForgettingDistillation#save writes. */
    private static byte[] sfdCheckpoint(String config, String plan) {
        LinkedHashMap<String, Tensor> t = new LinkedHashMap<>();
        t.put("generator/w", Tensor.wrap(new float[] {0.5f, -1f, 2f, 0f}, 2, 2));
        t.put("adam_generator/m", Tensor.wrap(new double[] {1e-3, 0}, 2));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("sfd.kind", "sfd-checkpoint");
        meta.put("step", "2");
        meta.put("seconds", "0.75");
        meta.put("adam_generator_step", "2");
        meta.put("adam_fake_step", "2");
        meta.put("rng_seed", "11");
        meta.put("rng_counter", "4096");
        meta.put("plan", plan);
        meta.put("sigma_init", "2.5");
        meta.put("config", config);
        return SafeTensors.toBytes(t, meta);
    }

    private static byte[] raw(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(h.length).put(h).put(data).array();
    }

    private static byte[] lengthThen(long n, String rest) {
        byte[] r = rest.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + r.length).order(ByteOrder.LITTLE_ENDIAN).putLong(n).put(r).array();
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }
}
