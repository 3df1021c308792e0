package dev.sfd.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.autograd.Grad;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The weights shipped in sfd-models load as what their model cards say, and produce finite output. */
class ShippedAssetsTest {
    @Test
    void teacherIsTheFmnistSSongUnetInEvalMode() {
        assertTrue(Models.shipped(Models.TEACHER), "the teacher resource is missing from the build");
        EdmPrecond t = Models.teacher();
        assertEquals(10, t.labelDim());
        assertEquals(1_753_345, t.parameterCount());
        assertEquals(1, t.imageShape()[0]);
        assertEquals(32, t.imageShape()[1]);
        RandomStream rng = new RandomStream(3);
        Tensor x = rng.normal(DType.FLOAT32, 2, 1, 32, 32);
        try (var g = Grad.disabled()) {
            Tensor d = t.denoise(Ops.mulScalar(x, 2.5), Tensor.of(new double[] {2.5, 2.5}, 2).to(DType.FLOAT32),
                    Ops.oneHot(new int[] {0, 7}, 10, DType.FLOAT32));
            for (float v : d.toFloatArray()) assertFalse(Float.isNaN(v) || Float.isInfinite(v), "non-finite denoiser output");
        }
    }

    @Test
    void classifierHasTenClasses() {
        assertTrue(Models.shipped(Models.CLASSIFIER));
        assertEquals(10, Models.classifier().numClasses());
    }

    /** The stored teacher evaluation is self-consistent: accuracies are the confusion diagonals, means are means. */
    @Test
    @SuppressWarnings("unchecked")
    void storedTeacherEvaluationIsConsistent() {
        java.util.Map<String, Object> e = Models.teacherEvaluation();
        org.junit.jupiter.api.Assumptions.assumeTrue(e != null, "this build ships no stored teacher evaluation");
        assertTrue(e.containsKey("protocol"), "the stored evaluation names its protocol");
        java.util.List<java.util.Map<String, Object>> per = (java.util.List<java.util.Map<String, Object>>) e.get("per_class");
        assertEquals(10, per.size());
        int images = (int) dev.sfd.io.Json.toDouble(e.get("images"));
        double acc = 0, fd = 0;
        for (int c = 0; c < 10; c++) {
            java.util.List<Object> row = (java.util.List<Object>) per.get(c).get("predicted");
            double n = 0;
            for (Object o : row) n += dev.sfd.io.Json.toDouble(o);
            assertEquals(images / 10.0, n, 0.0, "images of class " + c);
            assertEquals(dev.sfd.io.Json.toDouble(row.get(c)) / n, dev.sfd.io.Json.toDouble(per.get(c).get("accuracy")), 1e-12);
            acc += dev.sfd.io.Json.toDouble(per.get(c).get("accuracy")) / 10;
            fd += dev.sfd.io.Json.toDouble(per.get(c).get("fd")) / 10;
        }
        assertEquals(acc, dev.sfd.io.Json.toDouble(e.get("mean_accuracy")), 1e-9);
        assertEquals(fd, dev.sfd.io.Json.toDouble(e.get("mean_fd")), 1e-9);
    }

    /** The shipped retrain baseline: the teacher's architecture, trained without class 0, with its provenance in the metadata. */
    @Test
    void retrainBaselineWithoutClass0HasTheTeachersArchitecture() {
        assertTrue(Models.shippedRetrain(0), "the retrain-0 resource is missing from the build");
        Models.Shipped r = Models.retrain(0);
        assertEquals(Models.teacher().parameterCount(), r.network().parameterCount());
        assertEquals("retrain", r.metadata().get("sfd.method"));
        assertEquals("0", r.metadata().get("sfd.forget"));
        assertTrue(Double.parseDouble(r.metadata().get("sfd.train_hours")) > 0, "training time recorded");
        assertEquals(r.network().parameterCount(), Models.denoiser("retrain-0").parameterCount());
        assertTrue(Models.isShippedSpec("retrain-0") && Models.isShippedSpec("teacher") && !Models.isShippedSpec("runs/x.safetensors"));
    }

    @Test
    void missingRetrainBaselineNamesTheClassAndTheCommand() {
        assertFalse(Models.shippedRetrain(3));
        dev.sfd.SfdException e = org.junit.jupiter.api.Assertions.assertThrows(dev.sfd.SfdException.class, () -> Models.denoiser("retrain-3"));
        assertTrue(e.getMessage().contains("without class 3") && e.getMessage().contains("baseline retrain --forget 3"), e.getMessage());
    }
}
