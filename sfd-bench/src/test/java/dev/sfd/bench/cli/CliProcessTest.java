package dev.sfd.bench.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.io.ImageGrid;
import dev.sfd.io.Json;
import dev.sfd.io.SafeTensors;
import dev.sfd.models.Classifier;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.models.data.FashionMnist;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a separate process ({@code java ... dev.sfd.bench.cli.SfdCli}, what the {@code ./sfd} launcher runs):
 * exit codes 0 / 1 / 2, and runs killed with SIGKILL after their first checkpoint that continue with
 * {@code --resume} and end bit-identical to an uninterrupted run (relearn, baseline retrain), on a tiny random
 * SongUNet with tiny budgets.
 */
class CliProcessTest {
    @TempDir
    static Path dir;
    static Path teacher;
    static Path classifier;
    static Path aux;

    /** 32x32x1, 10 labels, label dropout 0.1, 8 channels. */
    static final SongUnetConfig SMALL = new SongUnetConfig(32, 1, 1, 10, 0, 8, new int[] {1, 2}, 2, 1, new int[] {16}, 0, 0.1, 1);

    @BeforeAll
    static void assets() throws IOException {
        teacher = dir.resolve("teacher.safetensors");
        SongUnet.save(SongUnet.create(SMALL, 5), teacher, null);
        classifier = dir.resolve("classifier.safetensors");
        new Classifier(1, 4, 10, 6).save(classifier, null);
        aux = dir.resolve("aux");
        for (int c : new int[] {1, 2}) {
            Files.createDirectories(aux.resolve(Integer.toString(c)));
            for (int i = 0; i < 3; i++) ImageGrid.writeImage(Tensor.full(DType.FLOAT32, 0.1 * c + 0.05 * i, 1, 32, 32), aux.resolve(c + "/000" + i + ".png"));
        }
    }

    /** Starts the CLI in its own JVM (the test's class path, CPU backend), output to {@code log}. */
    static Process launch(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xss8m", "-Xmx1g", "-Dsfd.backend=cpu",
                "-cp", System.getProperty("java.class.path"), "dev.sfd.bench.cli.SfdCli"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Runs the CLI to its end in its own JVM and returns the exit code; the output goes to {@code log}. */
    static int run(Path log, String... args) throws Exception {
        Process p = launch(log, args);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "sfd " + String.join(" ", args) + " did not finish");
        return p.exitValue();
    }

    /** Starts the CLI, kills it (SIGKILL) as soon as {@code checkpoint} exists, and returns once it is dead. */
    static void killAfterCheckpoint(Path checkpoint, Path log, String... args) throws Exception {
        Process p = launch(log, args);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!Files.exists(checkpoint) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        boolean wasAlive = p.isAlive();
        p.destroyForcibly();
        p.waitFor(1, TimeUnit.MINUTES);
        assertTrue(wasAlive, "the run ended before its first checkpoint could be interrupted (exit " + p.exitValue() + "): " + Files.readString(log));
        assertTrue(Files.exists(checkpoint), "no checkpoint after the kill");
    }

    /**
     * Shows that {@code --resume} reads the checkpoint left by the kill: with its bytes damaged the resumed run
     * fails (exit 1, naming the file) instead of starting afresh; the checkpoint is then put back.
     */
    static void resumeReadsTheCheckpoint(Path checkpoint, String... resumeArgs) throws IOException {
        byte[] good = Files.readAllBytes(checkpoint);
        byte[] bad = good.clone();
        for (int i = 8; i < 24; i++) bad[i] = (byte) '#';
        Files.write(checkpoint, bad);
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        int code;
        try {
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            code = SfdCli.execute(resumeArgs);
        } finally {
            System.setErr(saved);
        }
        String msg = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, code, "resume from a damaged checkpoint: " + msg);
        assertTrue(msg.contains(checkpoint.getFileName().toString()), msg);
        Files.write(checkpoint, good);
    }

    /** Every tensor of two safetensors files, bit for bit. */
    static void assertSameTensors(Path want, Path got) {
        SafeTensors.Contents a = SafeTensors.read(want), b = SafeTensors.read(got);
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        for (String k : a.tensors().keySet()) assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), 0.0f, k);
    }

    @Test
    void exitCodesThroughTheLauncherProcess() throws Exception {
        Path log0 = dir.resolve("exit0.log"), log1 = dir.resolve("exit1.log"), log2 = dir.resolve("exit2.log");
        assertEquals(0, run(log0, "baseline", "esd", "--teacher", teacher.toString(), "--forget", "3", "--steps", "1", "--batch", "1",
                "--sample-steps", "1", "--grid-per-class", "0", "--out", dir.resolve("esd").toString()), Files.readString(log0));
        assertTrue(Files.isRegularFile(dir.resolve("esd/model.safetensors")));
        assertEquals(1, run(log1, "baseline", "esd", "--teacher", teacher.toString(), "--forget", "10", "--out", dir.resolve("esd-bad").toString()));
        assertTrue(Files.readString(log1).contains("sfd: error: ") && Files.readString(log1).contains("has no label 10"), Files.readString(log1));
        assertEquals(2, run(log2, "baseline", "esd", "--no-such-option"));
        assertTrue(Files.readString(log2).contains("Unknown option: '--no-such-option'"), Files.readString(log2));
    }

    @Test
    void killedRelearnAttackResumesBitIdentically() throws Exception {
        String[] common = {"relearn", "--model", teacher.toString(), "--classifier", classifier.toString(), "--aux", aux.toString(), "--forget", "0",
            "--steps", "12", "--every", "2", "--batch", "2", "--eval-samples", "2", "--heun-steps", "2"};
        Path whole = dir.resolve("relearn-whole"), cut = dir.resolve("relearn-cut");
        assertEquals(0, SfdCli.execute(with(common, "--out", whole.toString())));
        killAfterCheckpoint(cut.resolve("checkpoint.safetensors"), dir.resolve("relearn-cut.log"), with(common, "--out", cut.toString()));
        resumeReadsTheCheckpoint(cut.resolve("checkpoint.safetensors"), with(common, "--out", cut.toString(), "--resume"));
        assertEquals(0, SfdCli.execute(with(common, "--out", cut.toString(), "--resume")));
        assertSameTensors(whole.resolve("attacked.safetensors"), cut.resolve("attacked.safetensors"));
        assertEquals(curveWithoutTimes(whole), curveWithoutTimes(cut));
        assertTrue(!Files.exists(cut.resolve("checkpoint.safetensors")), "the finished attack removes its checkpoint");
    }

    @Test
    void killedRetrainBaselineResumesBitIdentically() throws Exception {
        Assumptions.assumeTrue(FashionMnist.isAvailable(), FashionMnist.installHint());
        String[] common = {"baseline", "retrain", "--teacher", teacher.toString(), "--forget", "3", "--steps", "12", "--batch", "2",
            "--checkpoint-every", "2", "--grid-per-class", "0", "--sample-steps", "1"};
        Path whole = dir.resolve("retrain-whole"), cut = dir.resolve("retrain-cut");
        assertEquals(0, SfdCli.execute(with(common, "--out", whole.toString())));
        killAfterCheckpoint(cut.resolve("checkpoint.safetensors"), dir.resolve("retrain-cut.log"), with(common, "--out", cut.toString()));
        resumeReadsTheCheckpoint(cut.resolve("checkpoint.safetensors"), with(common, "--out", cut.toString(), "--resume"));
        assertEquals(0, SfdCli.execute(with(common, "--out", cut.toString(), "--resume")));
        assertSameTensors(whole.resolve("model.safetensors"), cut.resolve("model.safetensors"));
    }

    static String[] with(String[] base, String... more) {
        String[] a = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, a, base.length, more.length);
        return a;
    }

    /** relearn.json's curve with the wall-clock fields removed. */
    static List<Map<String, Object>> curveWithoutTimes(Path out) throws IOException {
        List<Map<String, Object>> curve = new ArrayList<>();
        for (Object o : (List<?>) Json.readMap(out.resolve("relearn.json")).get("curve")) {
            Map<String, Object> p = new java.util.TreeMap<>();
            ((Map<?, ?>) o).forEach((k, v) -> { if (!String.valueOf(k).contains("second")) p.put(String.valueOf(k), v); });
            curve.add(p);
        }
        return curve;
    }
}
