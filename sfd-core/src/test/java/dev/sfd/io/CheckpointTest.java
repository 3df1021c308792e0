package dev.sfd.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.FormatException;
import dev.sfd.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir Path tmp;

    @Test
    void numericMetadataThatIsNotANumberIsAFormatErrorNamingFileKeyAndValue() {
        Path f = tmp.resolve("c.safetensors");
        Checkpoint.builder().group("g", Map.of("w", Tensor.wrap(new float[] {1f}, 1)))
                .meta("step", "7").meta("seconds", "0.5").meta("rng_counter", "12x").meta("lr", "0*75").save(f);
        Checkpoint c = Checkpoint.load(f);
        assertEquals(7, c.metaLong("step"));
        assertEquals(0.5, c.metaDouble("seconds"));
        // found by ReaderFuzzTest#checkpointLoader: these threw NumberFormatException
        FormatException l = assertThrows(FormatException.class, () -> c.metaLong("rng_counter"));
        assertTrue(l.getMessage().contains(f.toString()) && l.getMessage().contains("'rng_counter' is '12x'"), l.getMessage());
        FormatException d = assertThrows(FormatException.class, () -> c.metaDouble("lr"));
        assertTrue(d.getMessage().contains("'lr' is '0*75'"), d.getMessage());
        FormatException missing = assertThrows(FormatException.class, () -> c.metaLong("absent"));
        assertTrue(missing.getMessage().contains(f.toString()) && missing.getMessage().contains("lacks 'absent'"), missing.getMessage());
        assertEquals(1f, c.group("g").get("w").toDoubleArray()[0]);
    }
}
