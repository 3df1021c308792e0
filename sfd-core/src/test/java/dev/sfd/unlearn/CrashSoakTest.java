package dev.sfd.unlearn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sfd.diffusion.EdmPrecond;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interrupts a tiny SFD run at 24 random points and checks that the resumed run ends bit-identical to the
 * uninterrupted one. Half of the interruptions happen after a checkpoint; the other half inside the next
 * checkpoint write, emulated by what a killed writer leaves on disk: the previous checkpoint intact beside a
 * partial temporary file of the new one, last modified before this process started. The next checkpoint write
 * must remove that temporary file. (The interruption is in-process; the on-disk state is the one kill -9 leaves,
 * because the target file is only ever replaced by an atomic rename.)
 */
class CrashSoakTest {
    @TempDir Path dir;

    static final int POINTS = 24;

    static SfdConfig cfg() { return SfdCheckpointTest.cfg().iterations(30).checkpointEvery(1); }

    @Test
    void everyInterruptedRunResumesBitIdentically() throws IOException {
        EdmPrecond t = SfdCheckpointTest.teacher();
        SplittableRandom rnd = new SplittableRandom(2026);
        Path ckpt = dir.resolve("checkpoint.safetensors");
        try (var straight = new ScoreForgettingDistillation(t, SfdCheckpointTest.plan(), cfg())) {
            straight.run();
            long step = 0;
            int stops = 0;
            while (stops < POINTS) {
                long stopAt = Math.min(cfg().iterations(), step + 1 + rnd.nextInt(3));
                try (var leg = new ScoreForgettingDistillation(t, SfdCheckpointTest.plan(), cfg())) {
                    if (step > 0) leg.resume(ckpt);
                    assertEquals(step, leg.step());
                    leg.runUntil(stopAt, ckpt);
                    step = leg.step();
                    if (step == cfg().iterations()) {
                        SfdCheckpointTest.assertSameWeights(straight, leg);
                        step = 0; // start another interrupted run from scratch
                        Files.delete(ckpt);
                    }
                }
                stops++;
                if (step > 0 && rnd.nextBoolean()) {
                    // killed inside the next checkpoint write: a partial temporary file beside the intact checkpoint
                    byte[] whole = Files.readAllBytes(ckpt);
                    Path tmp = dir.resolve(".checkpoint.safetensors." + (1_000_000 + rnd.nextInt(1_000_000)) + ".tmp");
                    Files.write(tmp, java.util.Arrays.copyOf(whole, rnd.nextInt(whole.length)));
                    Files.setLastModifiedTime(tmp, FileTime.fromMillis(0));
                }
            }
            // finish the last interrupted run
            try (var last = new ScoreForgettingDistillation(t, SfdCheckpointTest.plan(), cfg())) {
                if (step > 0) last.resume(ckpt);
                last.run(ckpt);
                SfdCheckpointTest.assertSameWeights(straight, last);
            }
            try (var files = Files.list(dir)) {
                assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporaries of interrupted writes are cleaned");
            }
        }
    }
}
