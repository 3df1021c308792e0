package dev.sfd.models.attack;

import dev.sfd.ConfigException;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.models.Classifier;
import dev.sfd.models.data.Dataset;
import dev.sfd.unlearn.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Targeted relearning as the comparison table measures it: how many fine-tuning steps an attacker who holds
 * {@code n} REAL images of the forgotten class (the first {@code n} of the training split, {@link AuxData#firstOfClass})
 * needs until the forgotten label's samples are the forgotten class again at a rate of at least {@code rate}
 * ({@link RelearnAttack#targeted}, the relearning test of "Towards Irreversible Machine Unlearning for Diffusion
 * Models"). A retrain, which never saw the class, is the reference for learning it from scratch.
 *
 * <p>The attack is evaluated at step 0 and after the steps of a 1-2-5 series (10, 20, 50, 100, 200, 500, 1000, ...)
 * up to the budget ({@link Settings#evaluationSteps}), and stops at the first evaluation that reaches the rate (both
 * rates for a one-step generator). The reported number is that evaluated step: the class came back somewhere after
 * the previous evaluated step and at most at this one. A model that does not reach the rate within the budget is
 * reported as {@code ">budget"} ({@link Outcome#label}).
 *
 * <pre>{@code
 * var s = TargetedRelearning.Settings.defaults();
 * for (int n : s.images()) {
 *     TargetedRelearning.Outcome o = TargetedRelearning.run(unlearned, null, trainSet, 0, judge, n, s, null, null);
 *     System.out.println(n + " images: " + o.label());
 * }
 * }</pre>
 */
public final class TargetedRelearning {
    private TargetedRelearning() {}

    /**
     * @param images      the attacker's image counts, one attack each (e.g. 10 and 100)
     * @param rate        the forgotten-class rate that counts as relearnt
     * @param steps       the step budget of each attack
     * @param batch       images per step (drawn with replacement from the attacker's images)
     * @param lr          Adam learning rate
     * @param evalSamples forgotten-label samples per evaluation
     * @param heunSteps   Heun steps of the diffusion-sampled rate
     * @param seed        Philox seed of the attack (batches, noise; the evaluation latents use seed + 1)
     */
    public record Settings(List<Integer> images, double rate, int steps, int batch, double lr, int evalSamples, int heunSteps, long seed) {
        public Settings {
            if (images == null || images.isEmpty()) throw new ConfigException("targeted relearning: give at least one image count (e.g. 10,100)");
            for (Integer n : images) {
                if (n == null || n < 1) {
                    throw new ConfigException("targeted relearning: the number of real forgotten-class images must be >= 1, got " + n + " in " + images);
                }
            }
            images = List.copyOf(images);
            if (!(rate > 0 && rate <= 1)) throw new ConfigException("targeted relearning: the rate must be in (0, 1], got " + rate);
            if (steps < 1) throw new ConfigException("targeted relearning: the step budget must be >= 1, got " + steps);
            ConfigException.requirePositive("targeted relearning batch", batch);
            ConfigException.requirePositive("targeted relearning learning rate", lr);
            ConfigException.requirePositive("targeted relearning evaluation samples", evalSamples);
            ConfigException.requirePositive("targeted relearning Heun steps", heunSteps);
        }

        /**
         * The full table's budget: 10 and 100 images, rate 0.5, up to 1,000 steps (twice the default relearning
         * attack, so that a retrain learning the class from scratch has room to get there) of the default attack's
         * batch 16 and lr 1e-4, 100 samples per evaluation at Heun 18, evaluated at 0, 10, 20, 50, 100, 200, 500, 1000.
         */
        public static Settings defaults() { return new Settings(List.of(10, 100), 0.5, 1000, 16, 1e-4, 100, 18, 21); }

        /** The {@code table --quick} budget: 10 and 100 images, rate 0.5, 10 steps of batch 8, 16 samples per evaluation at Heun 8. */
        public static Settings quick() { return new Settings(List.of(10, 100), 0.5, 10, 8, 1e-4, 16, 8, 21); }

        /** The same settings with another budget of steps. */
        public Settings withSteps(int n) { return new Settings(images, rate, n, batch, lr, evalSamples, heunSteps, seed); }

        /** The same settings with other image counts. */
        public Settings withImages(List<Integer> counts) { return new Settings(counts, rate, steps, batch, lr, evalSamples, heunSteps, seed); }

        /** The same settings with another batch, evaluation sample count and Heun steps. */
        public Settings withEvaluation(int batchSize, int samples, int heun) { return new Settings(images, rate, steps, batchSize, lr, samples, heun, seed); }

        /** The evaluated steps after step 0: 10, 20, 50, 100, 200, 500, ... below the budget, then the budget itself. */
        public long[] evaluationSteps() {
            List<Long> out = new ArrayList<>();
            long[] mant = {1, 2, 5};
            outer:
            for (long decade = 10; decade > 0; decade *= 10) {
                for (long m : mant) {
                    long step = m * decade;
                    if (step >= steps) break outer;
                    out.add(step);
                }
            }
            out.add((long) steps);
            long[] a = new long[out.size()];
            for (int i = 0; i < a.length; i++) a[i] = out.get(i);
            return a;
        }

        /** The attack settings of one attack (its own evaluation interval is unused: {@link #evaluationSteps} decides). */
        public RelearnAttack.Settings attack() { return new RelearnAttack.Settings(steps, steps, batch, lr, evalSamples, heunSteps, seed); }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("images", images);
            m.put("rate", rate);
            m.put("steps", steps);
            m.put("batch", batch);
            m.put("lr", lr);
            m.put("eval_samples", evalSamples);
            m.put("heun_steps", heunSteps);
            m.put("eval_steps", java.util.Arrays.toString(evaluationSteps()));
            m.put("seed", seed);
            m.put("data", "the first N training images of the forgotten class, under the forgotten label");
            m.put("loss", "EDM (log-normal sigma -1.2/1.2, EDM weighting), Adam (0.9, 0.999), no EMA; stops at the first evaluation reaching the rate");
            return m;
        }
    }

    /**
     * One targeted attack: the first evaluated step whose Heun rate reached {@code rate} (empty if none within the
     * {@code budget}), the same for one-step samples (empty for a diffusion model or when not reached), the curve and
     * the attack's wall time.
     */
    public record Outcome(int images, double rate, int budget, OptionalLong heun, OptionalLong oneStep, boolean generator,
                          List<RelearnAttack.Point> curve, double seconds) {
        /** {@code "50"} or {@code ">1000"}; for a generator {@code "50 (Heun); 20 (one-step)"}. */
        public String label() {
            String h = steps(heun, budget);
            return generator ? h + " (Heun); " + steps(oneStep, budget) + " (one-step)" : h;
        }

        /** The step as text, or {@code ">budget"} when not reached. */
        public static String steps(OptionalLong step, int budget) { return step.isPresent() ? Long.toString(step.getAsLong()) : ">" + budget; }

        /** From a finished attack's result. */
        public static Outcome of(int images, Settings s, boolean generator, RelearnAttack.Result r) {
            return new Outcome(images, s.rate(), s.steps(), r.firstStepReaching(s.rate()), generator ? r.firstStepReachingOneStep(s.rate()) : OptionalLong.empty(),
                    generator, r.curve(), r.seconds());
        }
    }

    /**
     * Attacks {@code model} (for a one-step generator: its network, with {@code sigmaInit}) with the first
     * {@code images} images of class {@code forget} of {@code train}. With a {@code checkpoint} file the attack
     * continues an interrupted run of the same settings and model (see {@link RelearnAttack#run(TrainingListener, Path)});
     * the caller deletes the file when done.
     */
    public static Outcome run(ScoreNetwork model, Double sigmaInit, Dataset train, int forget, Classifier judge, int images, Settings s,
                              TrainingListener listener, Path checkpoint) {
        if (images < 1) throw new ConfigException("targeted relearning: the number of real forgotten-class images must be >= 1, got " + images);
        Dataset data = AuxData.firstOfClass(train, forget, images);
        RelearnAttack attack = RelearnAttack.targeted(model, sigmaInit, data, forget, judge, s.attack()).evaluatingAt(s.evaluationSteps()).stoppingAt(s.rate());
        return Outcome.of(images, s, sigmaInit != null, attack.run(listener, checkpoint));
    }
}
