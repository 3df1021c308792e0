package dev.sfd.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sfd.unlearn.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The baselines' loss log survives a kill up to the last checkpoint and keeps earlier legs when resumed. */
class LossLogTest {
    static final TrainingListener NOTHING = new TrainingListener() {
        @Override
        public void onStep(long step, long total, Map<String, Double> figures) {}
    };

    @Test
    void flushedAtCheckpointsAndAppendedOnResume(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("loss.csv");
        BaselineCommand.LossLog first = new BaselineCommand.LossLog(csv, NOTHING, false);
        first.onStep(1, 4, Map.of("loss", 3.0));
        first.onStep(2, 4, Map.of("loss", 2.0));
        first.onCheckpoint(2, dir.resolve("checkpoint.safetensors"));
        // killed here: never closed; the lines up to the checkpoint are on disk
        assertEquals(List.of("step,loss", "1,3.0", "2,2.0"), Files.readAllLines(csv));
        try (BaselineCommand.LossLog resumed = new BaselineCommand.LossLog(csv, NOTHING, true)) {
            resumed.onStep(3, 4, Map.of("loss", 1.5));
        }
        assertEquals(List.of("step,loss", "1,3.0", "2,2.0", "3,1.5"), Files.readAllLines(csv));
        try (BaselineCommand.LossLog fresh = new BaselineCommand.LossLog(csv, NOTHING, false)) {
            fresh.onStep(1, 4, Map.of("loss", 9.0));
        }
        assertEquals(List.of("step,loss", "1,9.0"), Files.readAllLines(csv), "a new run starts a new log");
    }
}
