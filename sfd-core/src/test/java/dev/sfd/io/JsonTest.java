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
}
