package dev.sfd.bench.cli;

import static dev.sfd.bench.cli.CliEndToEndTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.io.SafeTensors;
import dev.sfd.models.Classifier;
import dev.sfd.models.SongUnet;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.OneStepGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options and files that cannot do what was asked are refused before anything is written (usage errors: exit 2). */
class NonsenseRefusedCliTest {
    @TempDir static Path dir;
    static Path teacher;
    static Path classifier;

    @BeforeAll
    static void assets() {
        teacher = dir.resolve("teacher.safetensors");
        SongUnet.save(SongUnet.create(CliEndToEndTest.SMALL, 5), teacher, Map.of("sfd.kind", "edm-denoiser"));
        classifier = dir.resolve("classifier.safetensors");
        new Classifier(1, 4, 10, 6).save(classifier, null);
    }

    static String[] forget(Path out, String... extra) {
        String[] base = {"forget", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--iterations", "2",
            "--batch-remain", "2", "--out", out.toString()};
        String[] a = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, a, base.length, extra.length);
        return a;
    }

    @Test
    void optionCombinationsThatCannotWorkAreUsageErrorsAndWriteNothing() {
        Path out = dir.resolve("never");
        assertMessage(2, "forget batch is 0", forget(out, "--plan", "0->1", "--batch-forget", "0"));
        assertMessage(2, "empty entry", forget(out, "--plan", ","));
        assertMessage(2, "--eval-every (0 = no quick evaluations) must be >= 0, got -5", forget(out, "--eval-every", "-5"));
        assertMessage(2, "--eval-samples must be positive, got 0", forget(out, "--eval-samples", "0"));
        assertMessage(2, "--eval-per-class must be positive, got 0", forget(out, "--eval-per-class", "0"));
        assertMessage(2, "forget weight is 0", forget(out, "--forget-weight", "0"));
        assertMessage(2, "contradict", forget(out, "--resume", "--overwrite"));
        assertMessage(2, "--override-mode: override mode 'sometimes' is not one of fixed, random, classifier", forget(out, "--override-mode", "sometimes"));
        assertMessage(2, "the label tie", forget(out, "--override-mode", "random", "--robust"));
        assertMessage(2, "the label tie", forget(out, "--override-mode", "classifier", "--robust"));
        long t0 = System.nanoTime();
        assertMessage(1, "lower --batch-remain / --batch-forget", forget(out, "--plan", "0->1", "--batch-forget", "2000000"));
        assertTrue((System.nanoTime() - t0) / 1e9 < 20, "refused before allocating");
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void anOutOfMemoryErrorIsOneLineAndExitOne() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx96m",
                "-cp", System.getProperty("java.class.path"), SfdCli.class.getName(),
                "sample", "--model", teacher.toString(), "--per-class", "2000000", "--out", dir.resolve("oom").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        org.junit.jupiter.api.Assertions.assertEquals(1, p.waitFor(), out);
        assertTrue(out.contains("sfd: error: out of memory (heap limit") && !out.contains("\tat "), out);
    }

    @Test
    void wrongOrCorruptModelFilesAreRefusedAtLoad() {
        Path gen = dir.resolve("generator.safetensors");
        new OneStepGenerator(SongUnet.create(CliEndToEndTest.SMALL, 5), 2.5).save(gen);
        Path out = dir.resolve("never2");
        String[] a = forget(out);
        a[2] = gen.toString();
        assertMessage(1, "is a one-step generator", a);

        Map<String, Tensor> sd = new LinkedHashMap<>(SafeTensors.read(teacher).tensors());
        sd.replaceAll((k, t) -> Tensor.full(dev.sfd.tensor.DType.FLOAT32, Double.NaN, t.shape()));
        Path nan = dir.resolve("nan.safetensors");
        SafeTensors.write(nan, sd, SafeTensors.readHeader(teacher).metadata());
        assertMessage(1, "non-finite", "sample", "--model", nan.toString(), "--out", out.toString());
        assertFalse(Files.exists(out), "nothing written");
    }
}
