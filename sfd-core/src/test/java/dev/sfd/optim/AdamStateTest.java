package dev.sfd.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import dev.sfd.nn.Parameter;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Adam's checkpoint state: a run restored from it continues bit-identically, with or without the first moment. */
class AdamStateTest {
    private static final int STEPS = 6;

    /** Deterministic, step-dependent gradients for a quadratic-ish problem on two parameters. */
    private static void gradients(List<Parameter> ps, int step) {
        for (int k = 0; k < ps.size(); k++) {
            float[] d = ps.get(k).data().toFloatArray();
            double[] g = new double[d.length];
            for (int i = 0; i < d.length; i++) g[i] = d[i] * (1 + 0.1 * k) + Math.sin(0.7 * step + i + 3 * k);
            ps.get(k).data().setGrad(Tensor.of(g, d.length).to(DType.FLOAT32));
        }
    }

    private static List<Parameter> params() {
        return List.of(new Parameter(Tensor.of(new double[] {0.5, -1, 2}, 3).to(DType.FLOAT32)),
                new Parameter(Tensor.of(new double[] {1, 2, -3, 0.25}, 4).to(DType.FLOAT32)));
    }

    private static Parameter copy(Parameter p) {
        float[] f = p.data().toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return new Parameter(Tensor.of(d, d.length).to(DType.FLOAT32));
    }

    private static void check(double beta1) {
        List<Parameter> straight = params();
        Adam a = new Adam(straight, 1e-2, beta1, 0.999);
        for (int s = 0; s < STEPS; s++) { gradients(straight, s); a.step(); }

        List<Parameter> resumed = params();
        Adam b = new Adam(resumed, 1e-2, beta1, 0.999);
        for (int s = 0; s < STEPS / 2; s++) { gradients(resumed, s); b.step(); }
        Map<String, Tensor> state = b.state();
        assertEquals(beta1 != 0, state.containsKey("m.0"), "first moment stored only when beta1 != 0 (beta1 = " + beta1 + ")");
        assertTrue(state.containsKey("v.1"));
        List<Parameter> fresh = List.of(copy(resumed.get(0)), copy(resumed.get(1)));
        Adam c = new Adam(fresh, 1e-2, beta1, 0.999);
        c.restore(state, b.stepCount());
        for (int s = STEPS / 2; s < STEPS; s++) { gradients(fresh, s); c.step(); }
        for (int k = 0; k < fresh.size(); k++) {
            assertArrayEquals(straight.get(k).data().toFloatArray(), fresh.get(k).data().toFloatArray(), 0f,
                    "parameter " + k + " after restore, beta1 = " + beta1);
        }
    }

    @Test
    void restoreContinuesBitIdentically() {
        check(0.0);
        check(0.9);
    }

    @Test
    void missingMomentsAreNamed() {
        Adam withMomentum = new Adam(params(), 1e-2, 0.9, 0.999);
        Map<String, Tensor> noM = new java.util.HashMap<>(new Adam(params(), 1e-2, 0.0, 0.999).state());
        SfdException e = assertThrows(SfdException.class, () -> withMomentum.restore(noM, 1));
        assertTrue(e.getMessage().contains("first moment for parameter 0"), e.getMessage());
        noM.remove("v.1");
        Adam plain = new Adam(params(), 1e-2, 0.0, 0.999);
        e = assertThrows(SfdException.class, () -> plain.restore(noM, 1));
        assertTrue(e.getMessage().contains("second moment for parameter 1"), e.getMessage());
        assertFalse(plain.state().containsKey("m.1"));
    }
}
