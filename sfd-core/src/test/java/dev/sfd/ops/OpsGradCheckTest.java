package dev.sfd.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.autograd.GradCheck;
import dev.sfd.backend.Backends;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Central-difference gradient checks (FLOAT64) for every op in {@link Ops#OP_NAMES}. */
class OpsGradCheckTest {

    record Case(Function<Tensor[], Tensor> f, Tensor[] inputs) {}

    private static long seed = 1;

    static Tensor rnd(int... shape) {
        return Ops.randn(Backends.current(), DType.FLOAT64, 99, (seed++) * 1000, shape);
    }

    static Tensor pos(int... shape) { return Ops.addScalar(Ops.abs(rnd(shape)), 0.5); }

    /** Values kept away from kinks (|x| >= 0.2) for abs/relu/clamp/max checks. */
    static Tensor awayFromZero(int... shape) {
        Tensor r = rnd(shape);
        double[] d = r.toDoubleArray();
        for (int i = 0; i < d.length; i++) d[i] = d[i] >= 0 ? d[i] + 0.2 : d[i] - 0.2;
        return Tensor.of(d, shape);
    }

    static Map<String, Case> cases() {
        Map<String, Case> m = new LinkedHashMap<>();
        m.put("copy", new Case(x -> Ops.contiguousCopy(Ops.permute(x[0], 1, 0)), new Tensor[] {rnd(3, 4)}));
        m.put("cast", new Case(x -> Ops.cast(x[0], DType.FLOAT64), new Tensor[] {rnd(5)}));
        m.put("add", new Case(x -> Ops.add(x[0], x[1]), new Tensor[] {rnd(2, 3, 4), rnd(3, 1)}));
        m.put("sub", new Case(x -> Ops.sub(x[0], x[1]), new Tensor[] {rnd(2, 1, 4), rnd(3, 4)}));
        m.put("mul", new Case(x -> Ops.mul(x[0], x[1]), new Tensor[] {rnd(2, 3, 4), rnd(1, 3, 1)}));
        m.put("div", new Case(x -> Ops.div(x[0], x[1]), new Tensor[] {rnd(2, 3), pos(3)}));
        m.put("maximum", new Case(x -> Ops.maximum(x[0], x[1]), new Tensor[] {awayFromZero(3, 4), Tensor.zeros(DType.FLOAT64, 4)}));
        m.put("minimum", new Case(x -> Ops.minimum(x[0], x[1]), new Tensor[] {awayFromZero(3, 4), Tensor.zeros(DType.FLOAT64, 1)}));
        m.put("addScalar", new Case(x -> Ops.addScalar(x[0], 1.5), new Tensor[] {rnd(4)}));
        m.put("mulScalar", new Case(x -> Ops.mulScalar(x[0], -2.5), new Tensor[] {rnd(4)}));
        m.put("powScalar", new Case(x -> Ops.powScalar(x[0], 2.5), new Tensor[] {pos(6)}));
        m.put("neg", new Case(x -> Ops.neg(x[0]), new Tensor[] {rnd(5)}));
        m.put("exp", new Case(x -> Ops.exp(x[0]), new Tensor[] {rnd(5)}));
        m.put("log", new Case(x -> Ops.log(x[0]), new Tensor[] {pos(5)}));
        m.put("sqrt", new Case(x -> Ops.sqrt(x[0]), new Tensor[] {pos(5)}));
        m.put("rsqrt", new Case(x -> Ops.rsqrt(x[0]), new Tensor[] {pos(5)}));
        m.put("square", new Case(x -> Ops.square(x[0]), new Tensor[] {rnd(5)}));
        m.put("reciprocal", new Case(x -> Ops.reciprocal(x[0]), new Tensor[] {pos(5)}));
        m.put("abs", new Case(x -> Ops.abs(x[0]), new Tensor[] {awayFromZero(7)}));
        m.put("sin", new Case(x -> Ops.sin(x[0]), new Tensor[] {rnd(5)}));
        m.put("cos", new Case(x -> Ops.cos(x[0]), new Tensor[] {rnd(5)}));
        m.put("tanh", new Case(x -> Ops.tanh(x[0]), new Tensor[] {rnd(5)}));
        m.put("sigmoid", new Case(x -> Ops.sigmoid(x[0]), new Tensor[] {rnd(5)}));
        m.put("silu", new Case(x -> Ops.silu(x[0]), new Tensor[] {rnd(2, 5)}));
        m.put("relu", new Case(x -> Ops.relu(x[0]), new Tensor[] {awayFromZero(7)}));
        m.put("clamp", new Case(x -> Ops.clamp(x[0], -0.5, 0.7), new Tensor[] {awayFromZero(9)}));
        m.put("sum", new Case(x -> Ops.sum(x[0], new int[] {0, 2}, false), new Tensor[] {rnd(2, 3, 4)}));
        m.put("reshape", new Case(x -> Ops.reshape(x[0], 4, -1), new Tensor[] {rnd(2, 3, 4)}));
        m.put("permute", new Case(x -> Ops.permute(x[0], 2, 0, 1), new Tensor[] {rnd(2, 3, 4)}));
        m.put("narrow", new Case(x -> Ops.narrow(x[0], 1, 1, 2), new Tensor[] {rnd(2, 4, 3)}));
        m.put("concat", new Case(x -> Ops.concat(1, x[0], x[1]), new Tensor[] {rnd(2, 2, 3), rnd(2, 1, 3)}));
        m.put("matmul", new Case(x -> Ops.matmul(x[0], x[1]), new Tensor[] {rnd(2, 3, 4), rnd(1, 4, 5)}));
        m.put("conv2d", new Case(x -> Ops.conv2d(x[0], x[1], x[2], 1), new Tensor[] {rnd(2, 2, 5, 4), rnd(3, 2, 3, 3), rnd(3)}));
        m.put("groupNorm", new Case(x -> Ops.groupNorm(x[0], 2, x[1], x[2], 1e-6), new Tensor[] {rnd(2, 4, 3, 3), rnd(4), rnd(4)}));
        m.put("groupNormSilu", new Case(x -> Ops.groupNormSilu(x[0], 2, x[1], x[2], 1e-6), new Tensor[] {rnd(2, 4, 3, 3), rnd(4), rnd(4)}));
        m.put("softmax", new Case(x -> Ops.softmax(x[0]), new Tensor[] {rnd(3, 5)}));
        m.put("upsample2x", new Case(x -> Ops.upsample2x(x[0]), new Tensor[] {rnd(1, 2, 3, 2)}));
        m.put("avgPool2x", new Case(x -> Ops.avgPool2x(x[0]), new Tensor[] {rnd(1, 2, 4, 6)}));
        m.put("dropout", new Case(x -> Ops.dropout(x[0], 0.3, 5, 0), new Tensor[] {rnd(4, 6)}));
        m.put("sidLoss", sidLossWithFrozenOmega());
        m.put("where", new Case(x -> Ops.where(Tensor.of(new double[] {1, 0, 1, 0}, 4), x[0], x[1]), new Tensor[] {rnd(3, 4), rnd(4)}));
        return m;
    }

    /**
     * SiD's omega is a stop-gradient (SPEC-SFD section 17, check 4). Central differences would also move omega,
     * so the checked function is sidLoss * omega(inputs) / omega(base) with the factor computed without grad:
     * numerically this is S / omega(base), analytically dS / omega(base).
     */
    static Case sidLossWithFrozenOmega() {
        Tensor[] in = {rnd(3, 2, 2, 2), rnd(3, 2, 2, 2), rnd(3, 2, 2, 2)};
        Tensor omega0 = omega(in[0], in[1]);
        return new Case(x -> {
            Tensor factor;
            try (var g = dev.sfd.autograd.Grad.disabled()) {
                factor = Ops.div(omega(x[0], x[1]), omega0);
            }
            return Ops.mul(Ops.sidLoss(x[0], x[1], x[2], 1.2), factor.detach());
        }, in);
    }

    static Tensor omega(Tensor xg, Tensor yReal) {
        try (var g = dev.sfd.autograd.Grad.disabled()) {
            return Ops.clamp(Ops.mean(Ops.abs(Ops.sub(yReal.detach(), xg.detach())), new int[] {1, 2, 3}, false), 1e-5, Double.MAX_VALUE);
        }
    }

    @Test
    void castGradientReturnsInTheInputDtype() {
        Tensor x = rnd(4).requiresGrad(true);
        Ops.sumAll(Ops.mulScalar(Ops.cast(x, DType.FLOAT32), 3.0)).backward();
        assertEquals(DType.FLOAT64, x.grad().dtype());
        for (double v : x.grad().toDoubleArray()) assertEquals(3.0, v, 0.0);
    }

    static Stream<Arguments> all() {
        return cases().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void gradientMatchesCentralDifferences(String op, Case c) {
        GradCheck.Result r = GradCheck.check(c.f(), c.inputs());
        assertTrue(r.passed(), op + ": " + r.worst() + " (max abs error " + r.maxAbsError() + ")");
    }

    @Test
    void everyOpHasAGradientCheck() {
        TreeSet<String> missing = new TreeSet<>(Arrays.asList(Ops.OP_NAMES));
        missing.removeAll(cases().keySet());
        assertEquals(new TreeSet<>(), missing, "ops without a gradient check");
    }

    @Test
    void gradCheckDetectsAWrongGradient() {
        // a deliberately wrong backward: forward x^2 but gradient recorded as identity
        Function<Tensor[], Tensor> wrong = x -> {
            Tensor y;
            try (var g = dev.sfd.autograd.Grad.disabled()) {
                y = Ops.square(x[0]);
            }
            return y.detach().recordOp("wrong", new Tensor[] {x[0]}, g -> new Tensor[] {g});
        };
        assertTrue(!GradCheck.check(wrong, rnd(4)).passed());
    }
}
