package dev.sfd.models.baselines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import dev.sfd.autograd.Grad;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.models.data.Dataset;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DiMUM on a tiny SongUNet: the forgotten label learns the memorised images; resume is bit-identical; bad input fails. */
class DimumTest {
    static final Dataset DATA = BaselinesTest.DATA;

    /** Mean squared error of D(y + sigma n; sigma, label) against y over the images, at fixed noise. */
    static double denoiseError(ScoreNetwork net, Tensor y, int label, double sigma) {
        int n = y.dim(0);
        int[] lab = new int[n];
        Arrays.fill(lab, label);
        double[] s = new double[n];
        Arrays.fill(s, sigma);
        try (var g = Grad.disabled()) {
            Tensor x = Ops.add(y, Ops.mulScalar(new RandomStream(77).normal(DType.FLOAT32, y.shape()), sigma));
            Tensor d = net.denoise(x, Tensor.of(s, n).to(DType.FLOAT32), Ops.oneHot(lab, 10, DType.FLOAT32));
            return Ops.meanAll(Ops.square(Ops.sub(d, y))).item();
        }
    }

    /** Column {@code c} of map_label.weight: only images trained under label c move it (eval mode, no label dropout). */
    static float[] labelColumn(ScoreNetwork net, int c) {
        Tensor w = net.namedParameters().get("model.map_label.weight").data();
        float[] v = w.toFloatArray();
        float[] col = new float[w.dim(0)];
        for (int r = 0; r < col.length; r++) col[r] = v[r * w.dim(1) + c];
        return col;
    }

    @Test
    void forgottenLabelMemorisesTheOverrideImages() {
        EdmPrecond t = BaselinesTest.teacher();
        var s = new Dimum.Settings(25, 2, 2, 2e-3, 1.0, 2, 1, 1, 100, 3);
        var dimum = Dimum.withData(t, 4, 6, DATA, s);
        Tensor memorised = DATA.batch(Arrays.copyOf(DATA.indicesOf(6), 2)).images();
        double before = denoiseError(t, memorised, 4, 1.0);
        var r = dimum.run(null);
        double after = denoiseError(r.model(), memorised, 4, 1.0);
        assertTrue(after < 0.7 * before, "label 4 denoises the memorised class-6 images: error " + before + " -> " + after);
        assertTrue(!Arrays.equals(labelColumn(t, 4), labelColumn(r.model(), 4)), "the memorised images are trained under label 4");
        assertEquals(6, r.settings().get("override"));
        assertTrue(String.valueOf(r.settings().get("data")).contains("memorised as class 4"));
    }

    @Test
    void interruptedRunResumesBitIdentically(@TempDir Path dir) {
        var s = new Dimum.Settings(5, 2, 2, 1e-3, 1.0, 2, 1, 1, 2, 3);
        var whole = Dimum.withData(BaselinesTest.teacher(), 4, 6, DATA, s).run(null);
        Path ckpt = dir.resolve("dimum.ckpt.safetensors");
        List<Long> saved = new ArrayList<>();
        TrainingListener killAt4 = new TrainingListener() {
            @Override
            public void onStep(long step, long total, Map<String, Double> f) {
                if (step == 4) throw new IllegalStateException("killed");
            }

            @Override
            public void onCheckpoint(long step, Path file) { saved.add(step); }
        };
        assertThrows(IllegalStateException.class, () -> Dimum.withData(BaselinesTest.teacher(), 4, 6, DATA, s).run(killAt4, ckpt));
        assertEquals(List.of(2L), saved, "checkpoint every 2 steps");
        List<Long> resumedSteps = new ArrayList<>();
        var resumed = Dimum.withData(BaselinesTest.teacher(), 4, 6, DATA, s).run(new TrainingListener() {
            @Override
            public void onStep(long step, long total, Map<String, Double> f) { resumedSteps.add(step); }
        }, ckpt);
        assertEquals(List.of(3L, 4L, 5L), resumedSteps);
        var a = whole.model().stateDict();
        var b = resumed.model().stateDict();
        for (String name : a.keySet()) assertArrayEquals(a.get(name).toFloatArray(), b.get(name).toFloatArray(), name);
        SfdException e = assertThrows(SfdException.class, () -> Dimum.withData(BaselinesTest.teacher(), 4, 7, DATA, s).run(null, ckpt));
        assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    }

    @Test
    void dataFreeMemorisesTeacherSamplesAndCachesThem(@TempDir Path dir) {
        EdmPrecond t = BaselinesTest.teacher();
        var s = new Dimum.Settings(1, 2, 2, 1e-3, 1.0, 3, 1, 1, 10, 3);
        var r = Dimum.dataFree(t, 2, 5, s, dir).run(null);
        assertTrue(Files.isRegularFile(dir.resolve("dimum-memorised.safetensors")));
        assertTrue(Files.isRegularFile(dir.resolve("dimum-retain.safetensors")));
        assertTrue(BaselinesTest.changedWeights(t, r.model()) > 0);
        assertTrue(String.valueOf(r.settings().get("data")).contains("teacher samples of class 5"), String.valueOf(r.settings().get("data")));
    }

    @Test
    void badInputIsRejected() {
        EdmPrecond t = BaselinesTest.teacher();
        var s = Dimum.Settings.quick();
        SfdException e = assertThrows(SfdException.class, () -> Dimum.withData(t, 4, 4, DATA, s));
        assertTrue(e.getMessage().contains("other than the forgotten class 4"), e.getMessage());
        e = assertThrows(SfdException.class, () -> Dimum.withData(t, 10, 1, DATA, s));
        assertTrue(e.getMessage().contains("has no label 10"), e.getMessage());
        e = assertThrows(SfdException.class, () -> new Dimum(t, 4, 6, DATA.withClasses(6), DATA, s, "test"));
        assertTrue(e.getMessage().contains("retain set") && e.getMessage().contains("forgotten class 4"), e.getMessage());
        e = assertThrows(SfdException.class, () -> Dimum.withData(t, 4, 6, DATA, new Dimum.Settings(1, 2, 2, 1e-3, 1, 50, 1, 1, 1, 3)));
        assertTrue(e.getMessage().contains("asked for 50 images of class 6"), e.getMessage());
    }
}
