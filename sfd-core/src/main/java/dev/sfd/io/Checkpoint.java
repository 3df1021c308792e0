package dev.sfd.io;

import dev.sfd.FormatException;
import dev.sfd.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training checkpoint: several named groups of tensors (network, EMA, optimiser moments, ...) plus string
 * metadata (step, RNG state, config), stored as one safetensors file whose tensor names are
 * {@code <group>/<name>}. Written atomically: a crash mid-write leaves the previous checkpoint intact.
 */
public final class Checkpoint {
    private final LinkedHashMap<String, Map<String, Tensor>> groups;
    private final Map<String, String> metadata;
    /** "checkpoint FILE" for a loaded checkpoint, "checkpoint" otherwise: the start of every message. */
    private final String what;

    public Checkpoint(LinkedHashMap<String, Map<String, Tensor>> groups, Map<String, String> metadata) {
        this(groups, metadata, "checkpoint");
    }

    private Checkpoint(LinkedHashMap<String, Map<String, Tensor>> groups, Map<String, String> metadata, String what) {
        this.groups = groups;
        this.metadata = metadata;
        this.what = what;
    }

    public static Checkpoint builder() { return new Checkpoint(new LinkedHashMap<>(), new LinkedHashMap<>()); }

    public Checkpoint group(String name, Map<String, Tensor> tensors) {
        groups.put(name, tensors);
        return this;
    }

    public Checkpoint meta(String key, Object value) {
        metadata.put(key, String.valueOf(value));
        return this;
    }

    public Map<String, Tensor> group(String name) {
        Map<String, Tensor> g = groups.get(name);
        if (g == null) throw new FormatException(what + " has no group '" + name + "' (groups: " + groups.keySet() + ")");
        return g;
    }

    public boolean hasGroup(String name) { return groups.containsKey(name); }

    public Map<String, String> metadata() { return metadata; }

    public String meta(String key) {
        String v = metadata.get(key);
        if (v == null) throw new FormatException(what + ": metadata lacks '" + key + "'");
        return v;
    }

    /** A metadata value as a long; a {@link FormatException} naming the key and the value when it is not an integer. */
    public long metaLong(String key) {
        String v = meta(key);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new FormatException(what + ": metadata '" + key + "' is '" + v + "', expected an integer (corrupt or edited header?)", e);
        }
    }

    /** A metadata value as a double; a {@link FormatException} naming the key and the value when it is not a number. */
    public double metaDouble(String key) {
        String v = meta(key);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new FormatException(what + ": metadata '" + key + "' is '" + v + "', expected a number (corrupt or edited header?)", e);
        }
    }

    /** Writes atomically (temp file, fsync, rename). */
    public void save(Path file) {
        LinkedHashMap<String, Tensor> flat = new LinkedHashMap<>();
        groups.forEach((g, m) -> m.forEach((k, t) -> flat.put(g + "/" + k, t)));
        SafeTensors.write(file, flat, metadata);
    }

    public static Checkpoint load(Path file) {
        if (!Files.isRegularFile(file)) throw new FormatException("checkpoint " + file + " does not exist");
        SafeTensors.Contents c = SafeTensors.read(file);
        LinkedHashMap<String, Map<String, Tensor>> groups = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
            String name = e.getKey();
            int slash = name.indexOf('/');
            if (slash < 0) throw new FormatException(file + " is not an sfd checkpoint: tensor '" + name + "' is not in a checkpoint group (expected <group>/<name>)");
            groups.computeIfAbsent(name.substring(0, slash), k -> new LinkedHashMap<>()).put(name.substring(slash + 1), e.getValue());
        }
        return new Checkpoint(groups, new LinkedHashMap<>(c.metadata() == null ? Map.of() : c.metadata()), "checkpoint " + file);
    }
}
