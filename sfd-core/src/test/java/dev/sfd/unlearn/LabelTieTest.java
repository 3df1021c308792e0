package dev.sfd.unlearn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import dev.sfd.diffusion.EdmLoss;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.diffusion.LabelEmbedding;
import dev.sfd.ops.Ops;
import dev.sfd.optim.Adam;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The label tie that makes forgetting survive fine-tuning without the forgotten class. */
class LabelTieTest {
    private static final ForgetPlan PLAN = ForgetPlan.classes().forget(0).overrideWith(1);

    private static EdmPrecond net(long seed) { return new EdmPrecond(new MlpNoiseNet(3, 16, seed)); }

    private static float[] denoise(EdmPrecond n, int label) {
        Tensor x = new RandomStream(3).normal(DType.FLOAT32, 5, 2, 1, 1);
        Tensor sigma = Tensor.of(new double[] {0.1, 0.5, 1, 2, 10}, 5).to(DType.FLOAT32);
        return n.denoise(x, sigma, Ops.oneHot(new int[] {label, label, label, label, label}, 3, DType.FLOAT32)).toFloatArray();
    }

    private static double[] column(EdmPrecond n, int c) {
        LabelEmbedding e = n.labelEmbedding();
        Tensor w = e.weight().data();
        double[] all = w.toDoubleArray();
        double[] col = new double[w.dim(0)];
        for (int r = 0; r < col.length; r++) col[r] = all[r * w.dim(1) + e.column(c)];
        return col;
    }

    @Test
    void tiedForgottenLabelDenoisesExactlyAsItsOverride() {
        EdmPrecond n = net(1);
        assertFalse(LabelTie.isTied(n, PLAN));
        assertFalse(java.util.Arrays.equals(denoise(n, 0), denoise(n, 1)), "an untied net must answer labels 0 and 1 differently");
        double[] class2 = column(n, 2);
        LabelTie.apply(n, PLAN);
        assertTrue(LabelTie.isTied(n, PLAN));
        assertArrayEquals(denoise(n, 1), denoise(n, 0));
        assertArrayEquals(class2, column(n, 2), "only the forgotten column may change");
    }

    /** Fine-tunes with the EDM loss on points of the given classes and returns the forgotten column before and after. */
    private static double[][] fineTune(int[] classes) {
        EdmPrecond n = net(2);
        LabelTie.apply(n, PLAN);
        double[] before0 = column(n, 0);
        double[] before1 = column(n, 1);
        Adam adam = new Adam(n.parameters(), 1e-2, 0.9, 0.999);
        RandomStream rng = new RandomStream(4);
        Random rnd = new Random(4);
        EdmLoss loss = new EdmLoss();
        for (int step = 0; step < 20; step++) {
            int[] labels = new int[16];
            double[] pts = new double[32];
            for (int i = 0; i < 16; i++) {
                labels[i] = classes[rnd.nextInt(classes.length)];
                pts[2 * i] = labels[i] - 1 + 0.1 * rnd.nextGaussian();
                pts[2 * i + 1] = 0.1 * rnd.nextGaussian();
            }
            adam.zeroGrad();
            Ops.meanAll(loss.perSample(n, Tensor.of(pts, 16, 2, 1, 1).to(DType.FLOAT32), Ops.oneHot(labels, 3, DType.FLOAT32), rng)).backward();
            adam.step();
        }
        return new double[][] {before0, column(n, 0), before1, column(n, 1)};
    }

    @Test
    void fineTuningWithoutTheForgottenClassCannotMoveItsColumn() {
        double[][] r = fineTune(new int[] {1, 2});
        assertArrayEquals(r[0], r[1], 0.0, "the forgotten column got an update from data without its class");
        assertFalse(java.util.Arrays.equals(r[2], r[3]), "the override's column must train (else the check above proves nothing)");
    }

    @Test
    void fineTuningWithTheForgottenClassMovesItsColumn() { // negative control for the test above
        double[][] r = fineTune(new int[] {0, 1, 2});
        assertFalse(java.util.Arrays.equals(r[0], r[1]));
    }

    @Test
    void sfdWithTheTieKeepsGeneratorAndEmaTied() {
        EdmPrecond teacher = net(5);
        SfdConfig cfg = SfdConfig.defaults().iterations(3).batch(4, 4).seed(3).tieForgotten(true);
        try (var sfd = new ScoreForgettingDistillation(teacher, PLAN, cfg)) {
            sfd.run();
            assertTrue(LabelTie.isTied(sfd.rawGenerator().network(), PLAN));
            assertTrue(LabelTie.isTied(sfd.generator().network(), PLAN));
            assertArrayEquals(sfd.generator().sample(new int[] {1, 1, 1}, 9).toFloatArray(),
                    sfd.generator().sample(new int[] {0, 0, 0}, 9).toFloatArray());
            assertFalse(LabelTie.isTied(teacher, PLAN), "the teacher must stay untouched");
        }
    }

    @Test
    void theTieIsPartOfTheConfigurationAndAPlainPlanIgnoresIt() {
        assertEquals(true, SfdConfig.defaults().tieForgotten(true).toMap().get("tie_forgotten"));
        assertFalse(SfdConfig.defaults().toMap().containsKey("tie_forgotten"));
        try (var sfd = new ScoreForgettingDistillation(net(6), ForgetPlan.none(), SfdConfig.defaults().iterations(1).batch(2, 0).tieForgotten(true))) {
            sfd.run(); // stage 1 of a robust two-stage run: nothing to tie, no error
        }
    }

    @Test
    void refusesANetworkWithoutLinearLabelEmbedding() {
        var gm = new GaussianMixtureTeacher(GaussianMixtureSfdTest.MODES, 0.05);
        SfdException e = assertThrows(SfdException.class, () -> LabelTie.apply(gm, PLAN));
        assertTrue(e.getMessage().contains("no linear label embedding"), e.getMessage());
        SfdException cls = assertThrows(SfdException.class, () -> LabelTie.apply(net(1), ForgetPlan.classes().forget(0).overrideWith(7)));
        assertTrue(cls.getMessage().contains("7"), cls.getMessage());
    }
}
