package dev.sfd.models;

import dev.sfd.diffusion.Denoiser;
import dev.sfd.diffusion.Sampler;
import dev.sfd.eval.ClassTable;
import dev.sfd.eval.Figures;
import dev.sfd.eval.FrechetDistance;
import dev.sfd.eval.JudgeCeiling;
import dev.sfd.eval.Metrics;
import dev.sfd.models.data.Dataset;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.Judge;
import dev.sfd.unlearn.OneStepGenerator;
import dev.sfd.unlearn.OverrideMode;
import dev.sfd.unlearn.StopRule;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one evaluator of generated images: the classifier judges them (per-class accuracy, the Frechet distance of
 * classifier features against real test images per class, UA and the override share of forgotten labels) and the
 * result is a {@link Figures}. {@link #figures} is the full evaluation of a generator, {@link #quick} the cheap one a
 * forgetting run's {@link StopRule} decides on ({@link #quickJudge}), {@link #figuresOf} the same figures from images
 * drawn elsewhere (for example a diffusion model's Heun samples) and {@link #table} the per-class table of any images.
 */
public final class Evaluator {
    private final Classifier classifier;
    private final Dataset real;
    private final Map<Integer, FrechetDistance.Stats> realStats = new LinkedHashMap<>();

    /** {@code real} (usually the Fashion-MNIST test split) supplies the reference features; may be null (no FD). */
    public Evaluator(Classifier classifier, Dataset real) {
        this.classifier = classifier;
        this.real = real;
    }

    public Classifier classifier() { return classifier; }

    private Classifier second;
    private String secondName;

    /**
     * Adds a second judge: every later {@link #figuresOf} and {@link #quick} also reads the same images with
     * {@code judge} ({@link Figures#second()}), and {@link Figures#forgotten} then asks both judges. FD stays with the
     * first judge's features. {@link Models#secondClassifier()} is the shipped second judge.
     *
     * @param judge a classifier trained independently of {@link #classifier()}, with the same number of classes
     * @param name how reports name it
     */
    public Evaluator secondJudge(Classifier judge, String name) {
        if (judge == null) throw new dev.sfd.ConfigException("Evaluator: the second judge is null");
        if (judge == classifier) throw new dev.sfd.ConfigException("Evaluator: the second judge must be another classifier than the first");
        if (judge.numClasses() != classifier.numClasses()) {
            throw new dev.sfd.ConfigException("Evaluator: the second judge has " + judge.numClasses() + " classes, the first " + classifier.numClasses());
        }
        this.second = judge;
        this.secondName = name;
        realPredictions.clear();
        return this;
    }

    /** The second judge, or null. */
    public Classifier secondJudge() { return second; }

    /** The second judge's reading of forgotten-label predictions already split per forgotten class, and of the remaining images. */
    private Figures.SecondJudge secondReading(ForgetPlan plan, OverrideMode mode, Tensor[] forgetImages, Tensor remainImages, int[] remainLabels) {
        int[] forget = plan.forgetClasses();
        int[] remain = plan.remainClasses(second.numClasses());
        double ua = 0, ov = 0, worstUa = Double.NaN, worstOv = Double.NaN;
        for (int i = 0; i < forget.length; i++) {
            int[] pred = second.predict(forgetImages[i], 128);
            int override = mode.fixed() ? plan.overrideOf(forget[i]) : Figures.ForgetRow.NO_OVERRIDE;
            double uaI = Metrics.unlearningAccuracy(pred, forget[i]), ovI = Figures.overrideShareOf(pred, override, remain, mode);
            ua += uaI / forget.length;
            ov += ovI / forget.length;
            worstUa = i == 0 ? uaI : Math.min(worstUa, uaI);
            worstOv = i == 0 ? ovI : Math.min(worstOv, ovI);
        }
        double acc = remainLabels.length == 0 ? Double.NaN
                : Metrics.meanOver(Metrics.perClassAccuracy(second.predict(remainImages, 128), remainLabels, second.numClasses()), remain);
        return new Figures.SecondJudge(secondName, forget.length == 0 ? Double.NaN : ua, forget.length == 0 ? Double.NaN : ov, acc, worstUa, worstOv);
    }

    /** Figures of a set of generated images with intended labels. */
    public record Result(int[] labels, int[] predictions, double[] perClassAccuracy, double[] perClassFd) {}

    public Result judge(Tensor images, int[] labels) {
        int classes = classifier.numClasses();
        int[] pred = classifier.predict(images, 128);
        double[] acc = Metrics.perClassAccuracy(pred, labels, classes);
        double[] fd = new double[classes];
        java.util.Arrays.fill(fd, Double.NaN);
        if (real != null) {
            double[][] feats = classifier.featureMatrix(images, 128);
            for (int c = 0; c < classes; c++) {
                int n = 0;
                for (int l : labels) if (l == c) n++;
                if (n < 2) continue;
                double[][] fc = new double[n][];
                int k = 0;
                for (int i = 0; i < labels.length; i++) if (labels[i] == c) fc[k++] = feats[i];
                fd[c] = FrechetDistance.distance(FrechetDistance.stats(fc), realStats(c));
            }
        }
        return new Result(labels, pred, acc, fd);
    }

    /** The per-class table of images with intended labels (accuracy, FD, confusion rows). */
    public ClassTable table(Tensor images, int[] labels) {
        Result r = judge(images, labels);
        return ClassTable.of(labels, r.predictions(), r.perClassAccuracy(), r.perClassFd(), classifier.numClasses());
    }

    /** Minimum one-step samples per forgotten label in a quick evaluation: fewer make the shares move in steps too coarse for the stop rule. */
    public static final int QUICK_FORGET_SAMPLES = 200;
    /** Latent seeds of quick evaluations (fixed, so that every evaluation of a run compares the same latents). */
    static final long QUICK_FORGET_SEED = 555, QUICK_REMAIN_SEED = 556;

    /**
     * The full figures of a generator for {@code plan}: {@code perForget} one-step samples of each forgotten label
     * (latents from {@code seed + 100003 f}) and {@code perRemain} of each remaining class (latents from {@code seed + 7}).
     */
    public Figures figures(OneStepGenerator g, ForgetPlan plan, int perForget, int perRemain, long seed) {
        return figures(g, plan, OverrideMode.FIXED, perForget, perRemain, seed);
    }

    /**
     * {@link #figures(OneStepGenerator, ForgetPlan, int, int, long)} of a run in override mode {@code mode}: in random and
     * classifier modes the override share counts images classified as any remaining class and each forgotten class's row
     * holds the distribution over the remaining classes ({@link Figures#toJson()}).
     */
    public Figures figures(OneStepGenerator g, ForgetPlan plan, OverrideMode mode, int perForget, int perRemain, long seed) {
        int[] forget = plan.forgetClasses();
        Tensor[] forgetImages = new Tensor[forget.length];
        for (int i = 0; i < forget.length; i++) {
            int[] labels = new int[perForget];
            java.util.Arrays.fill(labels, forget[i]);
            forgetImages[i] = sampleBatched(g, labels, seed + forget[i] * 100_003L);
        }
        int[] rl = repeat(plan.remainClasses(g.numClasses()), perRemain);
        return figuresOf(plan, mode, forgetImages, sampleBatched(g, rl, seed + 7), rl)
                .withSampling(new Figures.Sampling("one-step", 1, perForget, perRemain, null));
    }

    /**
     * Only the remaining-class FD of {@link #figures(OneStepGenerator, ForgetPlan, int, int, long)} with the same
     * {@code perRemain} and {@code seed} (the same latents, so the same value), for comparing a generator with a teacher
     * at the teacher's sample count: draws no forgotten-label image and reads nothing with the second judge. NaN
     * without reference images.
     */
    public double fdRemain(OneStepGenerator g, ForgetPlan plan, int perRemain, long seed) {
        if (real == null) return Double.NaN;
        int[] rl = repeat(plan.remainClasses(g.numClasses()), perRemain);
        return Metrics.meanOver(judge(sampleBatched(g, rl, seed + 7), rl).perClassFd(), plan.remainClasses(classifier.numClasses()));
    }

    /**
     * The remaining-class FD of {@code g} at {@code perClass} images per class, to compare with a teacher evaluated at that
     * count (FD is biased upward at small counts, so a ratio is fair only at equal counts): {@code figures.fdRemain()}
     * when {@code figures} were drawn at that count, else {@link #fdRemain} at {@code perClass} on the latents of
     * {@code seed + 100}. {@code figures} are {@code g}'s from {@link #figures(OneStepGenerator, ForgetPlan, int, int, long)}
     * with seed {@code seed}; NaN when they have no FD (no reference images).
     */
    public double fdRemainAt(OneStepGenerator g, ForgetPlan plan, Figures figures, int perClass, long seed) {
        if (Double.isNaN(figures.fdRemain())) return Double.NaN;
        if (figures.sampling() != null && figures.sampling().remainPerClass() == perClass) return figures.fdRemain();
        return fdRemain(g, plan, perClass, seed + 100);
    }

    /**
     * The figures of {@code plan} from images drawn elsewhere: {@code forgetImages[i]} are images generated for the
     * i-th forgotten label of the plan, {@code remainImages} images of the remaining classes with their labels.
     */
    public Figures figuresOf(ForgetPlan plan, Tensor[] forgetImages, Tensor remainImages, int[] remainLabels) {
        return figuresOf(plan, OverrideMode.FIXED, forgetImages, remainImages, remainLabels);
    }

    /** {@link #figuresOf(ForgetPlan, Tensor[], Tensor, int[])} of a run in override mode {@code mode}. */
    public Figures figuresOf(ForgetPlan plan, OverrideMode mode, Tensor[] forgetImages, Tensor remainImages, int[] remainLabels) {
        int classes = classifier.numClasses();
        int[] remain = plan.remainClasses(classes);
        int[] forget = plan.forgetClasses();
        if (forgetImages.length != forget.length) {
            throw new dev.sfd.SfdException("Evaluator: " + forgetImages.length + " forget-image sets for a plan that forgets " + forget.length + " classes");
        }
        java.util.List<Figures.ForgetRow> rows = new java.util.ArrayList<>();
        double uaSum = 0, ovSum = 0;
        for (int i = 0; i < forget.length; i++) {
            int f = forget[i];
            int[] pred = classifier.predict(forgetImages[i], 128);
            double ua = Metrics.unlearningAccuracy(pred, f);
            int override = mode.fixed() ? plan.overrideOf(f) : Figures.ForgetRow.NO_OVERRIDE;
            double ov = Figures.overrideShareOf(pred, override, remain, mode);
            rows.add(new Figures.ForgetRow(f, override, ua, ov, Metrics.histogram(pred, classes)));
            uaSum += ua;
            ovSum += ov;
        }
        Result r = judge(remainImages, remainLabels);
        ClassTable table = ClassTable.of(remainLabels, r.predictions(), r.perClassAccuracy(), r.perClassFd(), classes);
        return new Figures(forget.length == 0 ? Double.NaN : uaSum / forget.length, forget.length == 0 ? Double.NaN : ovSum / forget.length,
                Metrics.meanOver(r.perClassAccuracy(), remain), Metrics.meanOver(r.perClassFd(), remain), rows, table, null, mode,
                second == null ? null : secondReading(plan, mode, forgetImages, remainImages, remainLabels));
    }

    /**
     * The quick evaluation a forgetting run decides on: at least {@value #QUICK_FORGET_SAMPLES} one-step samples per
     * forgotten label (UA and override share over all of them) and {@code perClass} per remaining class (accuracy and a
     * FD that is biased upward at small counts, comparable only along one run); fixed latents.
     */
    public Figures quick(OneStepGenerator g, ForgetPlan plan, int perClass) {
        return quick(g, plan, OverrideMode.FIXED, perClass);
    }

    /** {@link #quick(OneStepGenerator, ForgetPlan, int)} of a run in override mode {@code mode} (see {@link Figures#overrideShare()}). */
    public Figures quick(OneStepGenerator g, ForgetPlan plan, OverrideMode mode, int perClass) {
        int[] forget = plan.forgetClasses();
        int[] remain = plan.remainClasses(g.numClasses());
        int[] fl = repeat(forget, Math.max(perClass, QUICK_FORGET_SAMPLES));
        int[] rl = repeat(remain, perClass);
        double ua = Double.NaN, ov = Double.NaN;
        Tensor forgetImages = null;
        java.util.List<Figures.ForgetRow> rows = new java.util.ArrayList<>();
        if (fl.length > 0) {
            forgetImages = sampleBatched(g, fl, QUICK_FORGET_SEED);
            int[] fp = classifier.predict(forgetImages, 128);
            int notForgotten = 0, asOverride = 0;
            for (int i = 0; i < fl.length; i++) {
                if (fp[i] != fl[i]) notForgotten++;
                if (mode.fixed() ? fp[i] == plan.overrideOf(fl[i]) : java.util.Arrays.binarySearch(remain, fp[i]) >= 0) asOverride++;
            }
            ua = notForgotten / (double) fl.length;
            ov = asOverride / (double) fl.length;
            // one row per forgotten label (fl holds each label in turn): the stop rule asks that every one is forgotten
            int per = fl.length / forget.length;
            for (int k = 0; k < forget.length; k++) {
                int[] pk = java.util.Arrays.copyOfRange(fp, k * per, (k + 1) * per);
                int override = mode.fixed() ? plan.overrideOf(forget[k]) : Figures.ForgetRow.NO_OVERRIDE;
                rows.add(new Figures.ForgetRow(forget[k], override, Metrics.unlearningAccuracy(pk, forget[k]),
                        Figures.overrideShareOf(pk, override, remain, mode), Metrics.histogram(pk, g.numClasses())));
            }
        }
        Tensor remainImages = sampleBatched(g, rl, QUICK_REMAIN_SEED);
        Result r = judge(remainImages, rl);
        Figures f = new Figures(ua, ov, Metrics.accuracy(r.predictions(), rl), Metrics.meanOver(r.perClassFd(), remain), rows, null, null, mode);
        if (second == null || forgetImages == null) return f;
        // the quick forget images hold every forgotten label in turn (repeat); split them per label for the reading
        int per = fl.length / forget.length;
        Tensor[] perLabel = new Tensor[forget.length];
        for (int i = 0; i < forget.length; i++) perLabel[i] = Ops.narrow(forgetImages, 0, i * per, per);
        return f.withSecondJudge(secondReading(plan, mode, perLabel, remainImages, rl));
    }

    /** {@link #quick} as the {@link Judge} of a {@link dev.sfd.unlearn.ForgetRun}, in whatever override mode the run trains. */
    public Judge quickJudge(int perClass) {
        if (perClass < 1) throw new dev.sfd.SfdException("quick evaluations need >= 1 image per remaining class, got " + perClass);
        return new Judge() {
            @Override
            public Figures judge(OneStepGenerator g, ForgetPlan plan) { return quick(g, plan, perClass); }

            @Override
            public Figures judge(OneStepGenerator g, ForgetPlan plan, OverrideMode mode) { return quick(g, plan, mode, perClass); }
        };
    }

    /** One-step samples of {@code labels} in batches of 128 (latents of batch b from {@code seed + 128 b}). */
    public static Tensor sampleBatched(OneStepGenerator g, int[] labels, long seed) {
        java.util.List<Tensor> parts = new java.util.ArrayList<>();
        for (int s = 0; s < labels.length; s += 128) {
            parts.add(g.sample(java.util.Arrays.copyOfRange(labels, s, Math.min(labels.length, s + 128)), seed + s));
        }
        return Ops.concat(0, parts.toArray(new Tensor[0]));
    }

    /** Each class of {@code classes} {@code n} times, in order. */
    static int[] repeat(int[] classes, int n) {
        int[] out = new int[classes.length * n];
        for (int i = 0; i < out.length; i++) out[i] = classes[i / n];
        return out;
    }

    private final Map<Integer, int[][]> realPredictions = new LinkedHashMap<>();

    /** The judges' predictions (first, then second or null) on the real images of class {@code c} (cached). */
    private int[][] realPredictions(int c) {
        return realPredictions.computeIfAbsent(c, k -> {
            Tensor imgs = real.batch(real.indicesOf(k)).images();
            return new int[][] {classifier.predict(imgs, 256), second == null ? null : second.predict(imgs, 256)};
        });
    }

    /**
     * The judges' own ceiling for {@code plan} ({@link JudgeCeiling}): on the real images of each override class, the
     * share each judge does NOT read as the forgotten class and the share it reads as the override, mean over the
     * forgotten classes. Null when this evaluator has no real images, the plan forgets nothing, or {@code mode} has no
     * fixed override class. Cheap: one pass of the judges over the real images of the override classes (cached).
     */
    public JudgeCeiling judgeCeiling(ForgetPlan plan, OverrideMode mode) {
        int[] forget = plan.forgetClasses();
        if (real == null || forget.length == 0 || !mode.fixed()) return null;
        // the bar reads the worst pair (Figures.worstUaByBoth), so the ceiling is the lowest pair's, per judge
        double ua = 1, ov = 1, ua2 = 1, ov2 = 1;
        int images = Integer.MAX_VALUE;
        java.util.List<JudgeCeiling.Pair> pairs = new java.util.ArrayList<>();
        for (int f : forget) {
            int o = plan.overrideOf(f);
            if (o >= real.numClasses()) throw new dev.sfd.ConfigException("judge ceiling: override class " + o + " is not a class of " + real.name());
            int[][] p = realPredictions(o);
            if (p[0].length == 0) throw new dev.sfd.SfdException("judge ceiling: " + real.name() + " has no images of class " + o);
            images = Math.min(images, p[0].length);
            ua = Math.min(ua, Metrics.unlearningAccuracy(p[0], f));
            ov = Math.min(ov, Metrics.share(p[0], o));
            if (p[1] != null) {
                ua2 = Math.min(ua2, Metrics.unlearningAccuracy(p[1], f));
                ov2 = Math.min(ov2, Metrics.share(p[1], o));
            }
            pairs.add(new JudgeCeiling.Pair(f, name(f), o, name(o)));
        }
        boolean two = second != null;
        return new JudgeCeiling(ua, ov, two ? ua2 : Double.NaN, two ? ov2 : Double.NaN, images, "real " + real.name() + " images", pairs);
    }

    /** {@link #judgeCeiling(ForgetPlan, OverrideMode)} of fixed override classes. */
    public JudgeCeiling judgeCeiling(ForgetPlan plan) { return judgeCeiling(plan, OverrideMode.FIXED); }

    private String name(int c) { return c < real.classNames().size() ? real.classNames().get(c) : Integer.toString(c); }

    /** Classifier feature statistics of the real images of one class (cached). */
    public FrechetDistance.Stats realStats(int c) {
        return realStats.computeIfAbsent(c, k -> {
            int[] idx = real.indicesOf(k);
            Tensor imgs = real.batch(idx).images();
            return FrechetDistance.stats(classifier.featureMatrix(imgs, 256));
        });
    }

    /** {@code perClass} one-step samples of every class, latents from {@code seed}. */
    public static Tensor[] sampleGenerator(OneStepGenerator g, int perClass, long seed) {
        int classes = g.numClasses();
        int[] labels = new int[classes * perClass];
        for (int i = 0; i < labels.length; i++) labels[i] = i / perClass;
        Tensor images = Ops.concat(0, batches(labels, 256, (lab, s) -> g.sample(lab, seed + s)));
        return new Tensor[] {images, Tensor.of(toDouble(labels), labels.length)};
    }

    /** {@code perClass} samples of every class from a diffusion sampler on a denoiser. */
    public static Tensor sampleDiffusion(Denoiser d, int[] imageShape, int classes, int perClass, Sampler sampler, long seed) {
        return sampleDiffusion(d, imageShape, classes, perClass, sampler, seed, null);
    }

    /** As above; {@code imagesDone} (may be null) hears the number of finished images after every batch of 64. */
    public static Tensor sampleDiffusion(Denoiser d, int[] imageShape, int classes, int perClass, Sampler sampler, long seed,
                                         java.util.function.IntConsumer imagesDone) {
        int[] labels = classLabels(classes, perClass);
        return Ops.concat(0, batches(labels, 64, (lab, s) -> {
            RandomStream rng = new RandomStream(seed + s);
            Tensor z = rng.normal(DType.FLOAT32, lab.length, imageShape[0], imageShape[1], imageShape[2]);
            Tensor x = sampler.sample(d, z, Ops.oneHot(lab, classes, DType.FLOAT32), rng);
            if (imagesDone != null) imagesDone.accept(s + lab.length);
            return x;
        }));
    }

    interface BatchFn { Tensor apply(int[] labels, int start); }

    static Tensor[] batches(int[] labels, int batch, BatchFn f) {
        int n = (labels.length + batch - 1) / batch;
        Tensor[] out = new Tensor[n];
        for (int b = 0; b < n; b++) {
            int s = b * batch;
            out[b] = f.apply(java.util.Arrays.copyOfRange(labels, s, Math.min(labels.length, s + batch)), s);
        }
        return out;
    }

    static double[] toDouble(int[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    /** Labels for {@code perClass} images of each class in order. */
    public static int[] classLabels(int classes, int perClass) {
        int[] labels = new int[classes * perClass];
        for (int i = 0; i < labels.length; i++) labels[i] = i / perClass;
        return labels;
    }
}
