package dev.sfd.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.FormatException;
import dev.sfd.SfdException;
import dev.sfd.io.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The judge ceiling's texts come from its stored pairs; its JSON reads back, old JSON included. */
class JudgeCeilingTest {
    static final String REAL = "real Fashion-MNIST test images";
    static final JudgeCeiling.Pair SANDAL_TO_PULLOVER = new JudgeCeiling.Pair(5, "Sandal", 2, "Pullover");
    static final JudgeCeiling.Pair COAT_TO_BAG = new JudgeCeiling.Pair(4, "Coat", 8, "Bag");

    @Test
    void theTextsNameThePairsFromTheirFields() {
        JudgeCeiling one = new JudgeCeiling(1.0, 0.909, 1.0, 0.856, 1000, REAL, List.of(SANDAL_TO_PULLOVER));
        assertEquals("real Fashion-MNIST test images of Pullover as not Sandal", one.description());
        assertEquals("the judges read 1.000 / 1.000 of real Fashion-MNIST test images of Pullover as not Sandal", one.uaText());
        assertEquals("the judges read 0.909 / 0.856 of real Fashion-MNIST test images of Pullover as the override", one.overrideText());

        JudgeCeiling two = new JudgeCeiling(0.99, 0.9, Double.NaN, Double.NaN, 900, REAL, List.of(SANDAL_TO_PULLOVER, COAT_TO_BAG));
        assertFalse(two.hasSecond());
        assertEquals("real Fashion-MNIST test images (lowest pair of Pullover as not Sandal, Bag as not Coat)", two.description());
        assertEquals("the judge reads 0.990 of real Fashion-MNIST test images (lowest pair of Pullover as not Sandal, Bag as not Coat)", two.uaText());
        assertEquals("the judge reads 0.900 of real Fashion-MNIST test images of each override class as that class (lowest pair)", two.overrideText());

        // names that contain the words of the description itself: nothing is parsed back out of a text
        JudgeCeiling odd = new JudgeCeiling(0.5, 0.5, Double.NaN, Double.NaN, 10, "real images", List.of(new JudgeCeiling.Pair(0, "a as not b", 1, "c (lowest pair of d)")));
        assertEquals("the judge reads 0.500 of real images of c (lowest pair of d) as the override", odd.overrideText());
        assertThrows(SfdException.class, () -> new JudgeCeiling(1, 1, 1, 1, 10, " ", List.of()));
        assertThrows(SfdException.class, () -> new JudgeCeiling.Pair(0, "", 1, "b"));
        SfdException noPairs = assertThrows(SfdException.class, () -> new JudgeCeiling(1, 1, 1, 1, 10, REAL, null));
        assertTrue(noPairs.getMessage().contains("pairs"), noPairs.getMessage());
    }

    @Test
    void jsonReadsBackAndKeepsTheOldKeys() {
        JudgeCeiling two = new JudgeCeiling(0.989, 0.981, 0.976, 0.97, 1000, REAL, List.of(SANDAL_TO_PULLOVER, COAT_TO_BAG));
        Map<String, Object> j = Json.parseMap(Json.write(two.toJson()));
        assertEquals(two, JudgeCeiling.fromJson(j, "test"));
        assertEquals(two.description(), j.get("description"), "readers of the old form still find the description");
        assertEquals(List.of("ua", "as_override", "second_ua", "second_as_override", "images", "description", "real_images", "pairs"),
                List.copyOf(j.keySet()));
        Map<String, Object> broken = Json.parseMap(Json.write(two.toJson()).replace("\"forget_name\"", "\"forgot\""));
        assertThrows(FormatException.class, () -> JudgeCeiling.fromJson(broken, "test"));
    }

    @Test
    void jsonWrittenBeforeThePairsWereStoredStillReads() {
        // judge_ceiling of /work/runs/sweep/cache/pair-5to2-*/row.json as the sweep wrote it
        String old = "{\"ua\" : 1.0, \"as_override\" : 0.909, \"second_ua\" : 1.0, \"second_as_override\" : 0.856, \"images\" : 1000, "
                + "\"description\" : \"real Fashion-MNIST test images of Pullover as not Sandal\"}";
        JudgeCeiling c = JudgeCeiling.fromJson(Json.parseMap(old), "old row");
        assertTrue(c.pairs().isEmpty());
        assertEquals(0.856, c.secondOverrideShare());
        assertEquals(1000, c.images());
        assertEquals("the judges read 1.000 / 1.000 of real Fashion-MNIST test images of Pullover as not Sandal", c.uaText());
        assertEquals("the judges read 0.909 / 0.856 of real Fashion-MNIST test images of Pullover as not Sandal (as the override)", c.overrideText());
        assertEquals(c, JudgeCeiling.fromJson(Json.parseMap(Json.write(c.toJson())), "again"));
    }
}
