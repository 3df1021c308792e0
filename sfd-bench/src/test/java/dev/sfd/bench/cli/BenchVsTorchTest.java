package dev.sfd.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.io.Json;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.unlearn.MemoryEstimate;
import dev.sfd.unlearn.SfdConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the side-by-side tooling outside Maven relies on: tools/bench_torch_sfd.py prints the names {@code sfd bench
 * sfd-step --json} prints (tools/bench-vs-torch.sh joins the two by name), and the {@code ./sfd} launcher's default
 * heap for demo and forget covers the library's own estimate ({@link MemoryEstimate}) at the recipe's batches, which
 * both commands check before they start, so their default run is never refused, and stays small enough for 2 GB of RSS.
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

    @Test
    void launcherDefaultHeapCoversTheEstimateOfTheDefaultRuns() throws IOException {
        String launcher = Files.readString(ROOT.resolve("sfd"));
        var teacher = SongUnet.create(SongUnetConfig.named("fmnist-s"), 1);
        // demo and forget check the estimate before they start: the recipe's 8 + 8 images (SfdConfig.defaults())
        long demo = MemoryEstimate.of(teacher, SfdConfig.defaults()).peakBytes();
        for (String command : new String[] {"demo", "forget"}) {
            long heap = defaultHeap(launcher, command);
            assertTrue(heap >= demo, command + ": launcher heap " + (heap >> 20) + " MiB < estimate " + (demo >> 20) + " MiB");
            assertTrue(heap <= 1536L << 20, command + ": launcher heap " + (heap >> 20) + " MiB leaves no room under 2 GB of RSS");
        }
    }

    /** The -Xmx the launcher's per-command table gives {@code command}, in bytes. */
    static long defaultHeap(String launcher, String command) {
        Matcher m = Pattern.compile("(?m)^\\s*([a-z|-]+)\\) heap=\"(\\d+)([mg])\" ;;").matcher(launcher);
        while (m.find()) {
            if (Arrays.asList(m.group(1).split("\\|")).contains(command)) {
                return Long.parseLong(m.group(2)) << (m.group(3).equals("g") ? 30 : 20);
            }
        }
        throw new AssertionError("the launcher has no default heap for '" + command + "'");
    }
}
