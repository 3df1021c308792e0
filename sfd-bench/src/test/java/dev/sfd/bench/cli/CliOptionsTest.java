package dev.sfd.bench.cli;

import static dev.sfd.bench.cli.CliEndToEndTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sfd.models.Classifier;
import dev.sfd.models.SongUnet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Option validation of every command that takes numbers: each bad value is a usage error (exit 2) whose message names
 * the option, and the output folder is not created. Tiny random teacher and classifier; nothing trains.
 */
class CliOptionsTest {
    @TempDir static Path dir;
    static Path teacher;
    static Path classifier;
    static final AtomicInteger CASE = new AtomicInteger();

    @BeforeAll
    static void assets() {
        teacher = dir.resolve("teacher.safetensors");
        SongUnet.save(SongUnet.create(CliEndToEndTest.SMALL, 5), teacher, null);
        classifier = dir.resolve("classifier.safetensors");
        new Classifier(1, 4, 10, 6).save(classifier, null);
    }

    /** A case: the message fragment that must appear, then the command line without --out. */
    static Arguments bad(String fragment, String... args) { return Arguments.of(fragment, args); }

    static Stream<Arguments> badValues() {
        String t = "@teacher", c = "@classifier";
        return Stream.of(
                // forget (and the SFD options it shares with demo)
                bad("--iterations must be positive, got 0", "forget", "--teacher", t, "--classifier", c, "--iterations", "0"),
                bad("--max-iterations must be positive, got 0", "forget", "--teacher", t, "--classifier", c, "--max-iterations", "0"),
                bad("--max-iterations 2 is below --iterations 3", "forget", "--teacher", t, "--classifier", c, "--iterations", "3", "--max-iterations", "2"),
                bad("--two-stage (stage-1 iterations) must be positive, got 0", "forget", "--teacher", t, "--classifier", c, "--two-stage", "0"),
                bad("--from-stage1 and --two-stage both give stage 1", "forget", "--teacher", t, "--classifier", c, "--two-stage", "2", "--from-stage1", "shipped"),
                bad("--batch-remain must be positive, got 0", "forget", "--teacher", t, "--classifier", c, "--batch-remain", "0"),
                bad("--batch-forget must be >= 0, got -1", "forget", "--teacher", t, "--classifier", c, "--batch-forget", "-1"),
                bad("--lr must be a positive finite number, got -1.0", "forget", "--teacher", t, "--classifier", c, "--lr", "-1"),
                bad("--lr must be a positive finite number, got Infinity", "forget", "--teacher", t, "--classifier", c, "--lr", "Infinity"),
                bad("--forget-weight must be a finite number >= 0, got -0.5", "forget", "--teacher", t, "--classifier", c, "--forget-weight", "-0.5"),
                bad("--keep must be a finite number >= 0, got NaN", "forget", "--teacher", t, "--classifier", c, "--keep", "NaN"),
                bad("--checkpoint-every must be positive, got 0", "forget", "--teacher", t, "--classifier", c, "--checkpoint-every", "0"),
                bad("--eval-every (0 = no quick evaluations) must be >= 0, got -1", "forget", "--teacher", t, "--classifier", c, "--eval-every", "-1"),
                bad("--eval-samples must be positive, got 0", "forget", "--teacher", t, "--classifier", c, "--eval-samples", "0"),
                bad("--eval-per-class must be positive, got -3", "forget", "--teacher", t, "--classifier", c, "--eval-per-class", "-3"),
                bad("Adam betas must be in [0, 1)", "forget", "--teacher", t, "--classifier", c, "--adam-beta1", "1.5"),
                bad("Invalid value for option '--iterations'", "forget", "--teacher", t, "--iterations", "ten"),
                bad("contradict", "forget", "--teacher", t, "--classifier", c, "--resume", "--overwrite"),
                // demo: the same options through the main job
                bad("--iterations must be positive, got 0", "demo", "--teacher", t, "--iterations", "0"),
                bad("--eval-samples must be positive, got 0", "demo", "--teacher", t, "--eval-samples", "0"),
                bad("contradict", "demo", "--teacher", t, "--resume", "--overwrite"),
                // sample
                bad("--per-class must be positive, got 0", "sample", "--model", t, "--per-class", "0"),
                bad("--steps must be positive, got -2", "sample", "--model", t, "--steps", "-2"),
                bad("--sampler: unknown sampler 'rk4' (heun, euler)", "sample", "--model", t, "--sampler", "rk4"),
                bad("--guidance (1 = off) must be a finite number >= 0, got -1.0", "sample", "--model", t, "--guidance", "-1"),
                bad("Invalid value for option '--per-class'", "sample", "--model", t, "--per-class", "2.5"),
                // baseline
                bad("--steps must be positive, got 0", "baseline", "esd", "--teacher", t, "--steps", "0"),
                bad("--batch must be positive, got 0", "baseline", "esd", "--teacher", t, "--batch", "0"),
                bad("--lr must be a positive finite number, got -1.0", "baseline", "salun", "--teacher", t, "--lr", "-1"),
                bad("ESD eta must be a finite number >= 0, got -1.0", "baseline", "esd", "--teacher", t, "--eta", "-1"),
                bad("maskFraction must be in (0, 1], got 2.0", "baseline", "salun", "--teacher", t, "--mask-fraction", "2"),
                bad("Invalid value for option '--mask-mode'", "baseline", "salun", "--teacher", t, "--mask-mode", "LOCAL"),
                bad("--steps must be positive, got 0", "baseline", "retrain", "--teacher", t, "--steps", "0"),
                bad("--batch must be positive, got -4", "baseline", "retrain", "--teacher", t, "--batch", "-4"),
                bad("contradict", "baseline", "esd", "--teacher", t, "--resume", "--overwrite"),
                // relearn
                bad("--steps must be positive, got 0", "relearn", "--model", t, "--classifier", c, "--steps", "0"),
                bad("--every must be positive, got 0", "relearn", "--model", t, "--classifier", c, "--every", "0"),
                bad("--batch must be positive, got 0", "relearn", "--model", t, "--classifier", c, "--batch", "0"),
                bad("--lr must be a positive finite number, got 0.0", "relearn", "--model", t, "--classifier", c, "--lr", "0"),
                bad("--eval-samples must be positive, got 0", "relearn", "--model", t, "--classifier", c, "--eval-samples", "0"),
                bad("--heun-steps must be positive, got 0", "relearn", "--model", t, "--classifier", c, "--heun-steps", "0"),
                bad("--targeted 0: give the number of forgotten-class images (>= 1)", "relearn", "--model", t, "--classifier", c, "--targeted", "0"),
                bad("--aux-per-class must be positive, got 0", "relearn", "--model", t, "--classifier", c, "--aux", "generated-self", "--aux-per-class", "0"),
                bad("--diagnose-points must be >= 2", "relearn", "--model", t, "--classifier", c, "--diagnose", "--diagnose-points", "1"),
                bad("contradict", "relearn", "--model", t, "--classifier", c, "--resume", "--overwrite"),
                // training commands: checked before the training set is read or the folder claimed
                bad("--iterations must be positive, got 0", "train-teacher", "--iterations", "0"),
                bad("--batch must be positive, got 0", "train-teacher", "--batch", "0"),
                bad("--lr must be a positive finite number, got -0.001", "train-teacher", "--lr", "-0.001"),
                bad("--checkpoint-every must be positive, got 0", "train-teacher", "--checkpoint-every", "0"),
                bad("--epochs must be positive, got 0", "train-classifier", "--epochs", "0"),
                bad("--batch must be positive, got 0", "train-classifier", "--batch", "0"),
                bad("--width must be positive, got 0", "train-classifier", "--width", "0"),
                bad("--lr must be a positive finite number, got 0.0", "train-classifier", "--lr", "0"),
                // commands without numbers to check still refuse what picocli can see
                bad("Missing required option: '--checkpoint=<checkpoint>'", "export-stage1"),
                bad("--runs must be >= 1, got 0", "profile", "gemm", "--runs", "0"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badValues")
    void aBadValueIsAUsageErrorNamingTheOptionAndWritesNothing(String fragment, String[] args) {
        Path out = dir.resolve("out-" + CASE.incrementAndGet());
        List<String> a = new ArrayList<>();
        for (String s : args) a.add(s.equals("@teacher") ? teacher.toString() : s.equals("@classifier") ? classifier.toString() : s);
        if (!a.get(0).equals("profile")) a.addAll(List.of("--out", out.toString()));
        assertMessage(2, fragment, a.toArray(new String[0]));
        assertFalse(Files.exists(out), "nothing written for " + a);
    }
}
