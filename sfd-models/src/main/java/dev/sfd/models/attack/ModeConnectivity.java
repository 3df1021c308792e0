package dev.sfd.models.attack;

import dev.sfd.SfdException;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.models.Classifier;
import dev.sfd.models.baselines.Baselines;
import dev.sfd.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Linear mode connectivity between two networks of the same architecture (Frankle et al., "Linear Mode
 * Connectivity and the Lottery Ticket Hypothesis", ICML 2020): the L2 distance of their weights and the
 * forgotten-class rate at {@code points} evenly spaced points {@code theta(a) = (1 - a) theta_from + a theta_to},
 * {@code a = 0, 1/(k-1), ..., 1}, of the straight line between them.
 *
 * <p>Read along teacher -> unlearned and unlearned -> attacked, it says how far unlearning moved the weights and
 * whether the attack only had to walk a short, monotone path back to a region where the class is drawn (a rate
 * rising smoothly along unlearned -> attacked), or had to cross a barrier.
 */
public final class ModeConnectivity {
    /**
     * @param points    points on the line, both ends included (>= 2)
     * @param samples   forgotten-label samples per point
     * @param heunSteps Heun steps of the diffusion-sampled rate
     * @param seed      Philox seed of the latents (the same at every point)
     */
    public record Settings(int points, int samples, int heunSteps, long seed) {
        public Settings {
            if (points < 2) throw new SfdException("mode connectivity: need at least 2 points on the line (both ends), got " + points);
            if (samples < 1 || heunSteps < 1) throw new SfdException("mode connectivity: samples and Heun steps must be >= 1");
        }

        public static Settings defaults() { return new Settings(5, 100, 18, 23); }

        public static Settings quick() { return new Settings(3, 16, 8, 23); }
    }

    /** One point of the line: position {@code alpha} in [0, 1] and the forgotten-class rates there (one-step NaN for a diffusion model). */
    public record Point(double alpha, double forgottenRate, double forgottenRateOneStep) {}

    /** The line from {@code from} to {@code to}: the L2 distance of the weights and the rate at each point. */
    public record Line(String from, String to, double l2Distance, double l2From, List<Point> points) {
        /** JSON-ready map (NaN one-step rates left out). */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("from", from);
            m.put("to", to);
            m.put("l2_distance", l2Distance);
            m.put("l2_norm_from", l2From);
            List<Map<String, Object>> pts = new ArrayList<>();
            for (Point p : points) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("alpha", p.alpha());
                e.put("forgotten_rate", p.forgottenRate());
                if (!Double.isNaN(p.forgottenRateOneStep())) e.put("forgotten_rate_one_step", p.forgottenRateOneStep());
                pts.add(e);
            }
            m.put("line", pts);
            return m;
        }
    }

    private ModeConnectivity() {}

    /** {@code ||theta_a - theta_b||_2} over all tensors of the state dict; throws unless the architectures match. */
    public static double l2Distance(ScoreNetwork a, ScoreNetwork b) {
        Map<String, Tensor> sa = a.stateDict(), sb = requireSameArchitecture(a, b);
        double sum = 0;
        for (String name : sa.keySet()) {
            float[] x = sa.get(name).toFloatArray(), y = sb.get(name).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                double d = (double) x[i] - y[i];
                sum += d * d;
            }
        }
        return Math.sqrt(sum);
    }

    /** A new network with weights {@code (1 - alpha) theta_a + alpha theta_b} (alpha 0 and 1 give exact copies). */
    public static ScoreNetwork interpolate(ScoreNetwork a, ScoreNetwork b, double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) throw new SfdException("mode connectivity: alpha must be in [0, 1], got " + alpha);
        Map<String, Tensor> sa = a.stateDict(), sb = requireSameArchitecture(a, b);
        Map<String, Tensor> mixed = new LinkedHashMap<>();
        for (String name : sa.keySet()) {
            Tensor ta = sa.get(name);
            float[] x = ta.toFloatArray(), y = sb.get(name).toFloatArray();
            float[] z = new float[x.length];
            for (int i = 0; i < z.length; i++) z[i] = alpha == 0 ? x[i] : alpha == 1 ? y[i] : (float) ((1 - alpha) * x[i] + alpha * y[i]);
            mixed.put(name, Tensor.of(z, ta.shape()).to(ta.dtype()));
        }
        ScoreNetwork out = a.copy();
        out.loadStateDict(mixed, true);
        out.requiresGrad(false).train(false);
        return out;
    }

    /**
     * The line from {@code from} to {@code to}, judged at every point with {@code judge}: Heun samples of label
     * {@code forget}, and one-step samples when {@code sigmaInit} is given.
     */
    public static Line along(ScoreNetwork from, String fromName, ScoreNetwork to, String toName, Double sigmaInit, int forget, Classifier judge,
                             Settings s) {
        Baselines.requireForgetLabel(from, forget, fromName);
        Baselines.requireForgetLabel(to, forget, toName);
        double dist = l2Distance(from, to);
        double norm = 0;
        for (Tensor t : from.stateDict().values()) for (float v : t.toFloatArray()) norm += (double) v * v;
        List<Point> pts = new ArrayList<>();
        for (int k = 0; k < s.points(); k++) {
            double alpha = (double) k / (s.points() - 1);
            double[] r = RelearnAttack.forgottenRates(interpolate(from, to, alpha), sigmaInit, forget, judge, s.samples(), s.heunSteps(), s.seed());
            pts.add(new Point(alpha, r[0], r[1]));
        }
        return new Line(fromName, toName, dist, Math.sqrt(norm), pts);
    }

    private static Map<String, Tensor> requireSameArchitecture(ScoreNetwork a, ScoreNetwork b) {
        Map<String, Tensor> sa = a.stateDict(), sb = b.stateDict();
        if (!sa.keySet().equals(sb.keySet())) {
            List<String> only = new ArrayList<>(sa.keySet());
            only.removeAll(sb.keySet());
            List<String> onlyB = new ArrayList<>(sb.keySet());
            onlyB.removeAll(sa.keySet());
            throw new SfdException("mode connectivity needs two networks of the same architecture: tensors only in the first " + head(only)
                    + ", only in the second " + head(onlyB));
        }
        for (String name : sa.keySet()) {
            if (!Arrays.equals(sa.get(name).shape(), sb.get(name).shape())) {
                throw new SfdException("mode connectivity needs two networks of the same architecture: " + name + " is "
                        + Arrays.toString(sa.get(name).shape()) + " in the first and " + Arrays.toString(sb.get(name).shape()) + " in the second");
            }
        }
        return sb;
    }

    private static String head(List<String> names) {
        return names.size() <= 3 ? names.toString() : names.subList(0, 3) + " and " + (names.size() - 3) + " more";
    }
}
