package dev.sfd.models;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.models.train.TeacherConfig;
import dev.sfd.models.train.TeacherTrainer;
import dev.sfd.models.data.SyntheticDataset;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.OneStepGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 4's bad-input contract: wrong files, mismatched state dicts and out-of-range classes name the problem. */
class BadInputTest {
    @TempDir
    Path dir;

    static final SongUnetConfig SMALL = new SongUnetConfig(32, 1, 1, 10, 0, 8, new int[] {1, 2}, 2, 1, new int[] {16}, 0, 0, 1);

    static void assertMessage(Runnable r, String... fragments) {
        SfdException e = assertThrows(SfdException.class, r::run);
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
    }

    @Test
    void wrongFilesAreNamed() throws Exception {
        Path cls = dir.resolve("classifier.safetensors");
        new Classifier(1, 4, 10, 1).save(cls, null);
        assertMessage(() -> SongUnet.load(cls), cls.toString(), "not a SongUNet");
        assertMessage(() -> Models.denoiser(dir.resolve("nope.safetensors").toString()), "does not exist");
        Path garbage = dir.resolve("garbage.safetensors");
        Files.writeString(garbage, "this is not safetensors");
        assertMessage(() -> Models.denoiser(garbage.toString()), garbage.toString());
        assertMessage(() -> Models.generator(cls), "not a one-step generator");
    }

    @Test
    void mismatchedStateDictNamesTheEntries() {
        EdmPrecond net = SongUnet.create(SMALL, 1);
        Map<String, Tensor> state = new LinkedHashMap<>(net.stateDict());
        state.remove("model.map_layer0.bias");
        state.put("model.enc.32x32_conv.weight", Tensor.zeros(DType.FLOAT32, 8, 1, 5, 5));
        state.put("model.extra", Tensor.zeros(DType.FLOAT32, 1));
        SfdException e = assertThrows(SfdException.class, () -> SongUnet.create(SMALL, 2).loadStateDict(state, true));
        assertTrue(e.getMessage().contains("model.map_layer0.bias"), e.getMessage());
        assertTrue(e.getMessage().contains("model.enc.32x32_conv.weight [8, 1, 5, 5] (expected [8, 1, 3, 3])"), e.getMessage());
        assertTrue(e.getMessage().contains("model.extra"), e.getMessage());
    }

    @Test
    void classIdsOutOfRange() {
        OneStepGenerator g = new OneStepGenerator(SongUnet.create(SMALL, 1), 2.5);
        assertMessage(() -> g.sample(new int[] {3, 10}, 1), "class id 10 out of range");
        assertMessage(() -> new SyntheticDataset(20, 10, 1).indicesOf(11), "class id 11 out of range");
    }

    @Test
    void teacherResumeRejectsForeignCheckpoints() throws Exception {
        SyntheticDataset data = new SyntheticDataset(32, 10, 1);
        TeacherTrainer t = new TeacherTrainer(SMALL, new TeacherConfig(2, 4, 1e-3, 0, 1000, 0, 1, 1), data);
        Path cls = dir.resolve("c.safetensors");
        new Classifier(1, 4, 10, 1).save(cls, null);
        assertMessage(() -> t.resume(cls), "is not an sfd checkpoint");
        assertMessage(() -> t.resume(dir.resolve("missing.safetensors")), "does not exist");
    }
}
