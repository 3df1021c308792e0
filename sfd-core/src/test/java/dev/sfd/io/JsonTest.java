package dev.sfd.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.FormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {
    @TempDir Path dir;

    @Test
    void prettyRoundTripKeepsOrderAndTypes() throws Exception {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("zeta", 1);
        report.put("alpha", 2.5);
        report.put("classes", List.of("T-shirt/top", "Trouser"));
        report.put("ua", new double[] {0.1, 0.2});
        report.put("nested", Map.of("ok", true));
        report.put("missing", null);
        report.put("fd", Double.NaN);
        String text = Json.write(report);
        assertTrue(text.contains("\n  \"zeta\""), text);
        Path f = dir.resolve("r/report.json");
        Json.write(f, report);
        assertEquals(text, Files.readString(f));
        Map<String, Object> back = Json.readMap(f);
        assertEquals(List.of("zeta", "alpha", "classes", "ua", "nested", "missing", "fd"), List.copyOf(back.keySet()));
        assertEquals(1, back.get("zeta"));
        assertEquals(2.5, back.get("alpha"));
        assertEquals(List.of(0.1, 0.2), back.get("ua"));
        assertEquals(Map.of("ok", true), back.get("nested"));
        assertTrue(back.containsKey("missing") && back.get("missing") == null);
        assertTrue(text.contains("\"fd\" : \"NaN\""), text);
        assertTrue(Double.isNaN(Json.toDouble(back.get("fd"))));
        assertEquals(Double.NEGATIVE_INFINITY, Json.toDouble(Json.parseMap("{\"x\": -Infinity}").get("x")));
        assertEquals(3.0, Json.toDouble(3));
    }

    @Test
    void errorsNameTheFileAndProblem() throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"a\": 1,}");
        FormatException e = assertThrows(FormatException.class, () -> Json.readMap(f));
        assertTrue(e.getMessage().contains(f.toAbsolutePath().toString()) && e.getMessage().contains("not valid JSON"), e.getMessage());
        Files.writeString(f, "[1]");
        e = assertThrows(FormatException.class, () -> Json.readMap(f));
        assertTrue(e.getMessage().contains("expected an object"), e.getMessage());
        e = assertThrows(FormatException.class, () -> Json.readMap(dir.resolve("none.json")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        e = assertThrows(FormatException.class, () -> Json.parse("{} {}"));
        assertTrue(e.getMessage().contains("trailing content"), e.getMessage());
        e = assertThrows(FormatException.class, () -> Json.parse("{\"a\":1,\"a\":2}"));
        assertTrue(e.getMessage().contains("Duplicate"), e.getMessage());
        assertEquals(Map.of("k", "v"), Json.parseMap(" {\"k\": \"v\"} \n"));
    }

    @Test
    void messagesSayWhatWasFoundInsteadOfAnObjectOrANumber() {
        assertEquals(List.of(1, 2), Json.parse("[1, 2]"));
        String[][] cases = {{"[1]", "found an array"}, {"\"x\"", "found the string \"x\""}, {"3", "found 3"},
                {"true", "found true"}, {"null", "found null"}};
        for (String[] c : cases) {
            FormatException e = assertThrows(FormatException.class, () -> Json.parseMap(c[0]), c[0]);
            assertTrue(e.getMessage().endsWith("expected an object at the top level, " + c[1]), e.getMessage());
        }
        assertEquals(Double.POSITIVE_INFINITY, Json.toDouble("Infinity"));
        assertEquals(Double.NEGATIVE_INFINITY, Json.toDouble("-Infinity"));
        assertEquals(-1.5, Json.toDouble(-1.5f));
        FormatException e = assertThrows(FormatException.class, () -> Json.toDouble("fast"));
        assertEquals("expected a number, found the string \"fast\"", e.getMessage());
        e = assertThrows(FormatException.class, () -> Json.toDouble(Map.of()));
        assertTrue(e.getMessage().endsWith("found an object"), e.getMessage());
        e = assertThrows(FormatException.class, () -> Json.toDouble(new StringBuilder("1")));
        assertTrue(e.getMessage().endsWith("found StringBuilder"), e.getMessage());
        e = assertThrows(FormatException.class, () -> Json.toDouble(null));
        assertTrue(e.getMessage().endsWith("found null"), e.getMessage());
        e = assertThrows(FormatException.class, () -> Json.parse("{\"a\": [1, }"));
        assertTrue(e.getMessage().contains("not valid JSON") && e.getMessage().contains("(at "), e.getMessage());
    }

    @Test
    void strictHeaderParsingReadsStandardJsonOnlyWithinItsBytes() {
        byte[] b = "xx{\"a\": [1, 2.5]}  yy".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(Map.of("a", List.of(1, 2.5)), Json.parseStrict(b, 2, b.length - 4, "header of f"));
        FormatException e = assertThrows(FormatException.class, () -> Json.parseStrict(b, 2, b.length - 2, "header of f"));
        assertTrue(e.getMessage().startsWith("header of f ") && e.getMessage().contains("not valid JSON"), e.getMessage());
        byte[] nan = "{\"a\": NaN}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        e = assertThrows(FormatException.class, () -> Json.parseStrict(nan, 0, nan.length, "header of g"));
        assertTrue(e.getMessage().startsWith("header of g is not valid JSON"), e.getMessage());
        byte[] two = "{} []".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        e = assertThrows(FormatException.class, () -> Json.parseStrict(two, 0, two.length, "header of h"));
        assertTrue(e.getMessage().contains("trailing content"), e.getMessage());
        e = assertThrows(FormatException.class, () -> Json.parseStrict(two, 0, 0, "header of i"));
        assertEquals("header of i is empty (no JSON value)", e.getMessage());
    }
}
