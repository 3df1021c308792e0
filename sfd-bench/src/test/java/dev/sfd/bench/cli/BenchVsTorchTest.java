package dev.sfd.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the side-by-side tooling outside Maven relies on: tools/bench_torch_sfd.py prints the names {@code sfd bench
 * sfd-step --json} prints (tools/bench-vs-torch.sh joins the two by name).
 */
class BenchVsTorchTest {
    static final Path ROOT = ReadmeFiguresTest.root();

    @Test
    void sfdStepJsonNamesAreThePyTorchReferenceNames() throws IOException {
        CliFixtures.Ran r = CliFixtures.finished("bench", "sfd-step", "--config", "tiny", "--size", "1,2", "--model-runs", "1", "--json");
        String line = r.out().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        Map<String, Object> ours = Json.parseMap(line);

        String py = Files.readString(ROOT.resolve("tools/bench_torch_sfd.py"));
        Matcher fields = Pattern.compile("(?m)^FIELDS = \\(([^)]*)\\)").matcher(py);
        assertTrue(fields.find(), "tools/bench_torch_sfd.py: no FIELDS = (...) line");
        List<String> theirs = new ArrayList<>();
        for (String f : fields.group(1).split(",")) theirs.add(f.trim().replace("\"", ""));
        assertEquals(theirs, new ArrayList<>(ours.keySet()), "JSON names of `sfd bench sfd-step` vs FIELDS of tools/bench_torch_sfd.py");

        Matcher name = Pattern.compile("(?m)^BENCH_NAME = \"([^\"]*)\"").matcher(py);
        assertTrue(name.find(), "tools/bench_torch_sfd.py: no BENCH_NAME line");
        assertEquals(ours.get("bench"), name.group(1).replace("{config}", "tiny").replace("{remain}", "1").replace("{forget}", "2"));
        assertEquals("iterations/s", ours.get("unit"));
        assertTrue(py.contains("\"iterations/s\""), "the PyTorch reference must report iterations/s too");
    }
}
