package dev.sfd.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.jr.ob.JSON;
import dev.sfd.FormatException;
import dev.sfd.SfdException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * JSON for reports, configs, checkpoints and the safetensors header, over jackson-jr. Values are plain
 * Java objects: {@code Map} (insertion-ordered on read), {@code List}, {@code String}, {@code Number},
 * {@code Boolean} and {@code null}; Java arrays and records can also be written.
 *
 * <p>Output is pretty-printed with two-space indentation. Non-finite numbers (a failed metric) are
 * written as the strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}, so the file stays
 * strict JSON for every other tool; {@link #toDouble(Object)} reads them back as numbers. The reader also
 * accepts the bare non-standard tokens {@code NaN}/{@code Infinity} that Python's {@code json} writes.
 */
public final class Json {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    private static final JSON PRETTY = JSON.builder(FACTORY)
            .enable(JSON.Feature.PRETTY_PRINT_OUTPUT, JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS,
                    JSON.Feature.WRITE_NULL_PROPERTIES)
            .build();
    private static final JSON STRICT = JSON.builder(new JsonFactory())
            .enable(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS)
            .build();

    private Json() {}

    /** Pretty-printed JSON text of a value (usually a {@code Map<String, Object>}), ending with a newline. */
    public static String write(Object value) {
        try {
            return PRETTY.asString(value) + "\n";
        } catch (IOException e) {
            throw new SfdException("cannot convert a " + value.getClass().getName() + " to JSON: " + e.getMessage(), e);
        }
    }

    /** Writes a value as pretty-printed JSON to a file, atomically (see {@link AtomicFiles}). */
    public static void write(Path file, Object value) {
        AtomicFiles.writeString(file, write(value));
    }

    /** Parses JSON text whose top level is an object. */
    public static Map<String, Object> parseMap(String text) {
        Object v = parse(text, "JSON text");
        if (!(v instanceof Map)) throw new FormatException("JSON text: expected an object at the top level, found " + kind(v));
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return m;
    }

    /** Parses any JSON value; duplicate keys and trailing content are errors. */
    public static Object parse(String text) {
        return parse(text, "JSON text");
    }

    /** Reads a JSON file whose top level is an object; the message of any error names the file. */
    public static Map<String, Object> readMap(Path file) {
        byte[] bytes = AtomicFiles.readAll(file, "JSON file");
        String what = "JSON file " + file.toAbsolutePath();
        Object v = parse(new String(bytes, StandardCharsets.UTF_8), what);
        if (!(v instanceof Map)) throw new FormatException(what + ": expected an object at the top level, found " + kind(v));
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return m;
    }

    private static Object parse(String text, String what) {
        try (JsonParser p = FACTORY.createParser(text)) {
            return readOne(PRETTY, p, what);
        } catch (JsonProcessingException e) {
            throw new FormatException(what + " is not valid JSON: " + e.getOriginalMessage() + location(e), e);
        } catch (IOException e) {
            throw new FormatException(what + ": " + e, e);
        }
    }

    /**
     * Strict parse of UTF-8 bytes for file headers: standard JSON only (no NaN), no duplicate keys, nothing
     * but whitespace after the value. Throws {@link FormatException} whose message starts with {@code what}.
     */
    static Object parseStrict(byte[] bytes, int off, int len, String what) {
        try (JsonParser p = STRICT_FACTORY.createParser(bytes, off, len)) {
            return readOne(STRICT, p, what);
        } catch (JsonProcessingException e) {
            throw new FormatException(what + " is not valid JSON: " + e.getOriginalMessage() + location(e), e);
        } catch (IOException e) {
            throw new FormatException(what + ": " + e, e);
        }
    }

    private static final JsonFactory STRICT_FACTORY = new JsonFactory();

    private static Object readOne(JSON json, JsonParser p, String what) throws IOException {
        if (p.nextToken() == null) throw new FormatException(what + " is empty (no JSON value)");
        Object v = json.anyFrom(p);
        JsonToken extra = p.nextToken();
        if (extra != null) {
            throw new FormatException(what + " has trailing content after the JSON value (" + extra + " at "
                    + p.currentLocation().offsetDescription() + ")");
        }
        return v;
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (at " + e.getLocation().offsetDescription() + ")";
    }

    /**
     * A parsed JSON value as a double: any {@link Number}, or one of the strings {@code "NaN"},
     * {@code "Infinity"}, {@code "-Infinity"} that {@link #write(Object)} uses for non-finite numbers.
     */
    public static double toDouble(Object v) {
        if (v instanceof Number) return ((Number) v).doubleValue();
        if ("NaN".equals(v)) return Double.NaN;
        if ("Infinity".equals(v)) return Double.POSITIVE_INFINITY;
        if ("-Infinity".equals(v)) return Double.NEGATIVE_INFINITY;
        throw new FormatException("expected a number, found " + kind(v));
    }

    /** A short description of a parsed JSON value's kind, for messages. */
    static String kind(Object v) {
        if (v == null) return "null";
        if (v instanceof Map) return "an object";
        if (v instanceof List) return "an array";
        if (v instanceof String) return "the string \"" + v + "\"";
        if (v instanceof Number || v instanceof Boolean) return v.toString();
        return v.getClass().getSimpleName();
    }
}
