package dev.sfd.io;

import dev.sfd.SfdException;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A folder of finished runs keyed by what made them: {@link #folder} maps a prefix, the hash of the input (for example
 * the teacher's weights) and the settings to {@code ROOT/prefix-<hash>}; {@link #get} loads the run's result from that
 * folder when it is complete ({@code run.json} is written last) and otherwise computes it there and writes
 * {@code run.json} with its time and settings. A run killed before {@code run.json} is computed again (its own
 * checkpoints in the folder may let it resume).
 */
public final class RunCache {
    /** The file that marks a finished run: {@code {"seconds": ..., "settings": {...}}}. */
    public static final String RUN_JSON = "run.json";
    private final Path root;

    public RunCache(Path root) {
        if (root == null) throw new SfdException("RunCache: root folder is null");
        this.root = root;
    }

    public Path root() { return root; }

    /** Loads a finished run's result from its folder. */
    @FunctionalInterface
    public interface Loader<T> { T load(Path folder) throws IOException; }

    /** Computes a run in its (existing) folder; writes whatever {@link Loader} reads back. */
    @FunctionalInterface
    public interface Computer<T> { Computed<T> compute(Path folder) throws IOException; }

    /** A freshly computed result, its wall time and the settings to record. */
    public record Computed<T>(T value, double seconds, Map<String, Object> settings) {}

    /** A result, the wall time of the run that made it, and whether it came from the cache. */
    public record Entry<T>(T value, double seconds, boolean cached, Map<String, Object> settings) {}

    /** {@code ROOT/prefix-<first 12 hex of SHA-256(input + settings)>}. */
    public Path folder(String prefix, String input, Map<String, Object> settings) {
        return root.resolve(prefix + "-" + sha((input + settings).getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether {@code folder} holds a finished run whose result file is {@code file}. */
    public static boolean finished(Path folder, String file) {
        return Files.isRegularFile(folder.resolve(file)) && Files.isRegularFile(folder.resolve(RUN_JSON));
    }

    /** The finished run in {@code folder} (result file {@code file}), or a new one computed there. */
    public <T> Entry<T> get(Path folder, String file, Loader<T> load, Computer<T> compute) throws IOException {
        if (finished(folder, file)) {
            Map<String, Object> run = Json.readMap(folder.resolve(RUN_JSON));
            @SuppressWarnings("unchecked")
            Map<String, Object> settings = run.get("settings") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
            return new Entry<>(load.load(folder), Json.toDouble(run.get("seconds")), true, settings);
        }
        Files.createDirectories(folder);
        Computed<T> c = compute.compute(folder);
        if (!Files.isRegularFile(folder.resolve(file))) {
            throw new SfdException("RunCache: the run in " + folder + " finished without writing " + file);
        }
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("seconds", c.seconds());
        run.put("settings", c.settings());
        Json.write(folder.resolve(RUN_JSON), run);
        return new Entry<>(c.value(), c.seconds(), false, c.settings());
    }

    /** The first 12 hex digits of the SHA-256 of {@code bytes}. */
    public static String sha(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes)).substring(0, 12);
    }

    /** Hash of all weights of a network, names included (the cache key of runs made from it). */
    public static String weightsHash(ScoreNetwork net) {
        MessageDigest md = digest();
        for (Map.Entry<String, Tensor> e : net.stateDict().entrySet()) {
            md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            float[] v = e.getValue().toFloatArray();
            ByteBuffer b = ByteBuffer.allocate(v.length * 4);
            b.asFloatBuffer().put(v);
            md.update(b.array());
        }
        return HexFormat.of().formatHex(md.digest()).substring(0, 12);
    }

    /** Hash of a file's bytes. */
    public static String fileHash(Path file) {
        try {
            return sha(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
