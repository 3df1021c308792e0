package dev.sfd.models.baselines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import dev.sfd.autograd.Grad;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.models.data.Dataset;
import dev.sfd.models.data.SyntheticDataset;
import dev.sfd.models.train.TeacherConfig;
import dev.sfd.nn.Parameter;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each baseline runs a couple of steps on a tiny random SongUNet and synthetic images; bad input fails clearly. */
class BaselinesTest {
    /** 32x32, 1 channel, 10 labels, 8 channels, label dropout 0.1 (so the zero label is an unconditional branch). */
    static final SongUnetConfig SMALL = new SongUnetConfig(32, 1, 1, 10, 0, 8, new int[] {1, 2}, 2, 1, new int[] {16}, 0, 0.1, 1);
    static final Dataset DATA = new SyntheticDataset(60, 1);

    static EdmPrecond teacher() { return SongUnet.create(SMALL, 5); }

    static long changedWeights(ScoreNetwork a, ScoreNetwork b) {
        List<Parameter> pa = a.parameters(), pb = b.parameters();
        long n = 0;
        for (int i = 0; i < pa.size(); i++) {
            float[] x = pa.get(i).data().toFloatArray(), y = pb.get(i).data().toFloatArray();
            for (int j = 0; j < x.length; j++) if (x[j] != y[j]) n++;
        }
        return n;
    }

    /** Column {@code label} of the label embedding {@code map_label.weight} [channels, labels]. */
    static float[] labelColumn(ScoreNetwork net, int label) {
        Parameter w = net.namedParameters().entrySet().stream().filter(e -> e.getKey().endsWith("map_label.weight"))
                .findFirst().orElseThrow().getValue();
        int labels = w.shape()[1], rows = w.shape()[0];
        float[] v = w.data().toFloatArray(), col = new float[rows];
        for (int i = 0; i < rows; i++) col[i] = v[i * labels + label];
        return col;
    }

    @Test
    void retrainTrainsOnTheRetainSetOnly() {
        assertEquals(54, DATA.withoutClasses(3).size());
        // the forgotten label's embedding column gets no gradient, so Adam leaves it bit-identical; columns of
        // labels in the batches move (32 draws: every other class appears)
        var trainer = Retrain.trainer(SMALL, new TeacherConfig(2, 16, 1e-3, 0, 1000, 0.05, 1, 10), DATA, 3);
        float[][] before = new float[10][];
        for (int c = 0; c < 10; c++) before[c] = labelColumn(trainer.network(), c);
        trainer.train(2, null, null);
        assertArrayEquals(before[3], labelColumn(trainer.network(), 3), "the forgotten label's column was trained");
        int moved = 0;
        for (int c = 0; c < 10; c++) if (c != 3 && !java.util.Arrays.equals(before[c], labelColumn(trainer.network(), c))) moved++;
        assertEquals(9, moved, "columns of the retained labels that moved");
        var r = Retrain.run(SMALL, new TeacherConfig(2, 4, 1e-3, 0, 1000, 0.05, 1, 10), DATA, 3, null, false, null);
        assertEquals(2, r.steps());
        assertEquals(10, r.model().labelDim());
        assertEquals("retrain", r.settings().get("method"));
        // stopped early on a longer schedule (a retrain matched to a teacher shipped before the end of its run)
        var early = Retrain.run(SMALL, new TeacherConfig(5, 4, 1e-3, 40, 1000, 0.05, 1, 10), DATA, 3, null, false, null, 2);
        assertEquals(2, early.steps());
        assertEquals(2L, early.settings().get("iterations"));
        assertEquals(5L, early.settings().get("schedule_iterations"));
        assertThrows(SfdException.class, () -> Retrain.run(SMALL, new TeacherConfig(5, 4, 1e-3, 40, 1000, 0.05, 1, 10), DATA, 3, null,
                false, null, 6));
        SfdException e = assertThrows(SfdException.class, () -> Retrain.trainer(SMALL, TeacherConfig.cpuRecipe(2), DATA, 10));
        assertTrue(e.getMessage().contains("no label 10"), e.getMessage());
        SfdException empty = assertThrows(SfdException.class, () -> Retrain.trainer(SMALL, TeacherConfig.cpuRecipe(2), DATA.withClasses(3), 3));
        assertTrue(empty.getMessage().contains("no image outside class 3"), empty.getMessage());
    }

    @Test
    void esdTargetIsNegativeGuidanceOfTheFrozenTeacher() {
        EdmPrecond t = teacher();
        var esd = new EsdErasure(t, 2, new EsdErasure.Settings(2, 2, 1e-3, 1.5, 4, 1.0, 3));
        Tensor x = new RandomStream(9).normal(DType.FLOAT32, 2, 1, 32, 32);
        Tensor sigma = Tensor.of(new double[] {0.7, 0.7}, 2).to(DType.FLOAT32);
        float[] got = esd.target(x, sigma).toFloatArray();
        try (var g = Grad.disabled()) {
            float[] dc = t.denoise(x, sigma, Ops.oneHot(new int[] {2, 2}, 10, DType.FLOAT32)).toFloatArray();
            float[] du = t.denoise(x, sigma, Tensor.zeros(DType.FLOAT32, 2, 10)).toFloatArray();
            for (int i = 0; i < got.length; i++) assertEquals(du[i] - 1.5f * (dc[i] - du[i]), got[i], 1e-4);
        }
        var r = esd.run(null);
        assertTrue(changedWeights(t, r.model()) > 0, "ESD changed no weight");
        assertEquals(1.5, r.settings().get("eta"));
        assertTrue(!r.settings().containsKey("warning"));
    }

    @Test
    void esdWarnsWithoutAnUnconditionalBranch() {
        var r = new EsdErasure(SongUnet.create(SMALL.withDropout(0, 0), 5), 0, new EsdErasure.Settings(1, 1, 1e-3, 1, 2, 1, 3)).run(null);
        assertTrue(String.valueOf(r.settings().get("warning")).contains("label dropout"));
    }

    @Test
    void saliencyThresholdKeepsExactlyTheTopFraction() {
        // |g| = {0.1, 0.5, 0.3} and {0.5, 0.0}: top 2 of 5 (fraction 0.4 -> floor 2) are both 0.5 values
        boolean[][] k = SalUn.topFraction(new float[][] {{0.1f, 0.5f, 0.3f}, {0.5f, 0f}}, 0.4);
        assertArrayEquals(new boolean[] {false, true, false}, k[0]);
        assertArrayEquals(new boolean[] {true, false}, k[1]);
        // fraction 0.6 -> 3 weights: 0.5, 0.5, 0.3
        k = SalUn.topFraction(new float[][] {{0.1f, 0.5f, 0.3f}, {0.5f, 0f}}, 0.6);
        assertArrayEquals(new boolean[] {false, true, true}, k[0]);
        // ties at the threshold are taken in order: four equal values, fraction 0.5 -> first two
        k = SalUn.topFraction(new float[][] {{1f, 1f, 1f, 1f}}, 0.5);
        assertArrayEquals(new boolean[] {true, true, false, false}, k[0]);
    }

    @Test
    void salunTrainsOnlyMaskedWeights() {
        EdmPrecond t = teacher();
        var s = new SalUn.Settings(2, 2, 2, 1e-3, 1.0, 0.5, SalUn.MaskMode.GLOBAL, 1, 3, 1.0, true, 4);
        var r = new SalUn(t, 4, DATA, s).run(null);
        assertEquals(r.totalWeights() / 2, r.trainedWeights());
        long changed = changedWeights(t, r.model());
        assertTrue(changed > 0 && changed <= r.trainedWeights(), "changed " + changed + " of " + r.trainedWeights() + " masked");
        var perTensor = new SalUn(t, 4, DATA, new SalUn.Settings(1, 2, 0, 1e-3, 1.0, 0.25, SalUn.MaskMode.PER_TENSOR, 1, 2, 0, false, 4)).run(null);
        assertTrue(changedWeights(t, perTensor.model()) <= perTensor.trainedWeights());
        assertNotEquals(0, perTensor.trainedWeights());
    }

    @Test
    void badInputIsRejectedWithAMessage() {
        EdmPrecond t = teacher();
        SfdException e = assertThrows(SfdException.class, () -> new EsdErasure(t, 10, EsdErasure.Settings.quick()));
        assertTrue(e.getMessage().contains("has no label 10") && e.getMessage().contains("label_dim 10"), e.getMessage());
        e = assertThrows(SfdException.class, () -> new SalUn(t, 4, DATA.withoutClasses(4), SalUn.Settings.quick()));
        assertTrue(e.getMessage().contains("needs images of the forgotten class 4"), e.getMessage());
        e = assertThrows(SfdException.class, () -> Baselines.requireName("negative-guidance"));
        assertTrue(e.getMessage().contains("unknown baseline method") && e.getMessage().contains("retrain, esd, salun"), e.getMessage());
        e = assertThrows(SfdException.class, () -> new SalUn(t, 1, new SyntheticDataset(20, 5, 1), SalUn.Settings.quick()));
        assertTrue(e.getMessage().contains("label_dim 10"), e.getMessage());
    }
}
