package dev.sfd.io;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sfd.SfdException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutation fuzzing of the safetensors reader, the checkpoint loader and the JSON reader over files of the committed
 * corpus of {@link ReaderFuzzTest} ({@code src/test/resources/dev/sfd/io/ReaderFuzzTestInputs/}: a checkpoint with
 * CRCs, a weights file, a file written by the Python reference library, a manifest). It is not coverage-guided but
 * applies format-aware mutations (edge-value header lengths, JSON digits) to every run of {@code mvn test}. Each mutant (bit flips, byte overwrites, a rewritten header length, truncation, insertion,
 * duplication, digit changes inside the JSON header) must load or fail with an {@link SfdException}; anything else
 * (an unchecked Java exception, an error, a hang) is a finding and fails the test, printing the seed and the mutant.
 *
 * <p>Budget: {@code -Dsfd.fuzz.seconds} per target (default 4) and at most {@code -Dsfd.fuzz.mutants} mutants
 * (default 20000), seeded by {@code -Dsfd.fuzz.seed} (default 20) so a run is reproducible.
 */
class FormatFuzzTest {
    static final double SECONDS = Double.parseDouble(System.getProperty("sfd.fuzz.seconds", "4"));
    static final int MAX_MUTANTS = Integer.getInteger("sfd.fuzz.mutants", 20_000);
    static final long SEED = Long.getLong("sfd.fuzz.seed", 20);

    @TempDir Path tmp;

    interface Target {
        void accept(byte[] input) throws Exception;
    }

    /** A file of {@link ReaderFuzzTest}'s seed corpus: {@code target} is the fuzz test method, e.g. "jsonReader". */
    static byte[] corpus(String target, String name) throws IOException {
        String path = "ReaderFuzzTestInputs/" + target + "/" + name;
        try (InputStream in = FormatFuzzTest.class.getResourceAsStream(path)) {
            if (in == null) throw new IOException("corpus file " + path + " is missing");
            return in.readAllBytes();
        }
    }

    @Test
    void safetensorsReaderFailsOnlyWithNamedExceptions() throws IOException {
        List<byte[]> seeds = List.of(corpus("checkpointLoader", "checkpoint.safetensors"), corpus("safetensorsReader", "weights.safetensors"), corpus("safetensorsReader", "python-posemb.safetensors"));
        fuzz("safetensors", seeds, b -> SafeTensors.read(b, "fuzz", null).requireFinite("fuzz"));
    }

    @Test
    void checkpointLoaderFailsOnlyWithNamedExceptions() throws IOException {
        Path f = tmp.resolve("checkpoint.safetensors");
        fuzz("checkpoint", List.of(corpus("checkpointLoader", "checkpoint.safetensors")), b -> {
            Files.write(f, b);
            Checkpoint.load(f);
        });
    }

    @Test
    void jsonReaderFailsOnlyWithNamedExceptions() throws IOException {
        fuzz("json", List.of(corpus("jsonReader", "manifest.json")), b -> Json.parse(new String(b, StandardCharsets.UTF_8)));
    }

    static void fuzz(String target, List<byte[]> seeds, Target t) {
        int[] stats = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds((long) (SECONDS * 3 + 30)), () -> {
            for (byte[] s : seeds) t.accept(s); // the corpus itself is valid
            SplittableRandom rnd = new SplittableRandom(SEED);
            long end = System.nanoTime() + (long) (SECONDS * 1e9);
            for (int i = 0; i < MAX_MUTANTS && System.nanoTime() < end; i++) {
                byte[] seed = seeds.get(rnd.nextInt(seeds.size()));
                byte[] m = mutate(seed, rnd);
                try {
                    t.accept(m);
                    stats[0]++;
                } catch (SfdException expected) {
                    stats[1]++;
                } catch (Throwable e) {
                    fail(target + " finding at mutant " + i + " (seed " + SEED + "): " + e + "\nmutant (base64): "
                            + java.util.Base64.getEncoder().encodeToString(m), e);
                }
            }
        }, target + ": a mutant hung the reader");
        System.err.printf("fuzz %s: %d mutants loaded, %d refused with a named exception%n", target, stats[0], stats[1]);
        assertTrue(stats[1] > 0, "the mutations never produced a refused input: the fuzzer is not mutating");
    }

    /** One to three mutations of a copy of {@code seed}. */
    static byte[] mutate(byte[] seed, SplittableRandom rnd) {
        byte[] b = seed.clone();
        int n = 1 + rnd.nextInt(3);
        for (int k = 0; k < n; k++) b = mutateOnce(b, rnd);
        return b;
    }

    static byte[] mutateOnce(byte[] b, SplittableRandom rnd) {
        if (b.length == 0) return new byte[] {(byte) rnd.nextInt(256)};
        switch (rnd.nextInt(8)) {
            case 0 -> b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
            case 1 -> b[rnd.nextInt(b.length)] = (byte) (rnd.nextBoolean() ? 0 : rnd.nextInt(256));
            case 2 -> {
                if (b.length >= 8) {
                    long[] edge = {0, 1, 2, 7, 8, b.length, b.length - 8, b.length - 7, Long.MAX_VALUE, -1, 1L << 31, 100L * 1024 * 1024};
                    long v = rnd.nextBoolean() ? edge[rnd.nextInt(edge.length)] : rnd.nextLong(0, Math.max(1, b.length * 2L));
                    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
                }
            }
            case 3 -> b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
            case 4 -> {
                int at = rnd.nextInt(b.length + 1);
                byte[] ins = new byte[1 + rnd.nextInt(16)];
                rnd.nextBytes(ins);
                byte[] c = new byte[b.length + ins.length];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(ins, 0, c, at, ins.length);
                System.arraycopy(b, at, c, at + ins.length, b.length - at);
                b = c;
            }
            case 5 -> {
                int from = rnd.nextInt(b.length), len = Math.min(b.length - from, 1 + rnd.nextInt(32)), to = rnd.nextInt(b.length);
                byte[] c = new byte[b.length + len];
                System.arraycopy(b, 0, c, 0, to);
                System.arraycopy(b, from, c, to, len);
                System.arraycopy(b, to, c, to + len, b.length - to);
                b = c;
            }
            default -> { // change a digit or a structural character of the JSON part
                List<Integer> at = new ArrayList<>();
                for (int i = 0; i < Math.min(b.length, 4096); i++) {
                    byte c = b[i];
                    if ((c >= '0' && c <= '9') || c == '[' || c == ']' || c == '"' || c == ',' || c == ':' || c == '{' || c == '}') at.add(i);
                }
                if (!at.isEmpty()) {
                    String pick = "0123456789999999999[]\",:{}-.eE";
                    b[at.get(rnd.nextInt(at.size()))] = (byte) pick.charAt(rnd.nextInt(pick.length()));
                }
            }
        }
        return b;
    }
}
