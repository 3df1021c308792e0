package dev.sfd.unlearn;

import dev.sfd.NumericsException;
import dev.sfd.SfdException;
import dev.sfd.autograd.Grad;
import dev.sfd.diffusion.Denoiser;
import dev.sfd.diffusion.EdmLoss;
import dev.sfd.diffusion.Guidance;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.diffusion.Sigmas;
import dev.sfd.io.Checkpoint;
import dev.sfd.ops.Ops;
import dev.sfd.optim.Adam;
import dev.sfd.optim.Ema;
import dev.sfd.optim.GradClip;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Score Forgetting Distillation (Chen, Zhang, Zhou, ICLR 2025; SPEC-SFD): distils a frozen class-conditional
 * teacher into a one-step generator while routing each forgotten class to the teacher's score of its
 * override class. Data-free: every training image is the generator's own sample.
 *
 * <p>One iteration (SPEC-SFD section 8): (1) fake-score update on detached generator samples of remaining
 * and forgotten labels; (2) generator update through the frozen teacher and fake nets with the SiD loss,
 * where the forget branch gives the teacher the override label and the fake net the forgotten label;
 * (3) EMA of the generator. All randomness comes from one Philox stream, so a checkpointed run resumes
 * bit-identically. The override label is the plan's fixed override class, a random remaining class or a
 * classifier's pick per sample ({@link SfdConfig#overrideMode}).
 */
public final class ScoreForgettingDistillation implements AutoCloseable {
    private final ScoreNetwork teacher;
    private final ScoreNetwork fake;
    private final ScoreNetwork generatorNet;
    private final ScoreNetwork emaNet;
    private final Ema ema;
    /** The initial generator when {@link SfdConfig#keep} is on, else null (frozen; checkpoint group "anchor"). */
    private final ScoreNetwork anchorNet;
    private final ForgetPlan plan;
    private final SfdConfig cfg;
    private final Adam adamGenerator;
    private final Adam adamFake;
    private final RandomStream rng;
    private final EdmLoss fakeLoss;
    private final int numClasses;
    private final int[] remain;
    private final int[] forget;
    /** {@link SfdConfig#tieForgotten} with a plan that forgets something. */
    private final boolean tied;
    private final List<TrainingListener> listeners = new ArrayList<>();
    /** Picks the teacher label of forgotten samples in {@link OverrideMode#CLASSIFIER} mode (null otherwise). */
    private OverrideClassifier classifier;
    private long step;
    private double seconds;
    private boolean closed;

    /** Generator and fake score network both start as copies of the teacher (SPEC-SFD section 3). */
    public ScoreForgettingDistillation(ScoreNetwork teacher, ForgetPlan plan, SfdConfig cfg) {
        this(teacher, plan, cfg, teacher, teacher);
    }

    /**
     * Starts the generator and fake net from given networks of the teacher's architecture (SFD-Two-Stage and
     * sequential forgetting start from an earlier result).
     */
    public ScoreForgettingDistillation(ScoreNetwork teacher, ForgetPlan plan, SfdConfig cfg, ScoreNetwork generatorInit, ScoreNetwork fakeInit) {
        cfg.requireFits(plan, teacher.labelDim());
        this.teacher = teacher;
        this.plan = plan;
        this.cfg = cfg;
        this.numClasses = teacher.labelDim();
        this.remain = plan.remainClasses(numClasses);
        this.forget = plan.forgetClasses();
        this.tied = cfg.tieForgotten() && !plan.isEmpty();
        teacher.requiresGrad(false).train(false);
        this.generatorNet = generatorInit.copy();
        this.fake = fakeInit.copy();
        if (generatorNet.parameters().isEmpty() || fake.parameters().isEmpty()) {
            throw new SfdException("SFD trains copies of the teacher: the initial generator and fake score network need trainable parameters ("
                    + generatorInit.describe() + " has " + generatorNet.parameters().size() + ")");
        }
        if (tied) LabelTie.apply(generatorNet, plan); // before the EMA and anchor copies: all start tied
        generatorNet.requiresGrad(true).train(false);
        fake.requiresGrad(true).train(false);
        if (cfg.keep() > 0) {
            this.anchorNet = generatorNet.copy();
            anchorNet.requiresGrad(false);
        } else {
            this.anchorNet = null;
        }
        if (cfg.emaMode() != SfdConfig.EmaMode.NONE) {
            this.emaNet = generatorNet.copy();
            this.ema = new Ema(generatorNet, emaNet);
        } else {
            this.emaNet = null;
            this.ema = null;
        }
        this.adamGenerator = new Adam(generatorNet.parameters(), cfg.lrGenerator(), cfg.beta1(), cfg.beta2(), cfg.adamEps(), 0);
        this.adamFake = new Adam(fake.parameters(), cfg.lrFake(), cfg.beta1(), cfg.beta2(), cfg.adamEps(), 0);
        this.rng = new RandomStream(cfg.seed());
        this.fakeLoss = new EdmLoss(cfg.fakePMean(), cfg.fakePStd());
    }

    public void addListener(TrainingListener l) { listeners.add(l); }

    /**
     * The classifier that picks the teacher label of forgotten samples in {@link OverrideMode#CLASSIFIER} mode (needed
     * there before the first iteration; ignored in the other modes). Returns this trainer.
     *
     * @throws SfdException when its class count differs from the teacher's
     */
    public ScoreForgettingDistillation classifier(OverrideClassifier c) {
        if (c != null && c.numClasses() != numClasses) {
            throw new SfdException("override classifier has " + c.numClasses() + " classes but the teacher has " + numClasses);
        }
        this.classifier = c;
        return this;
    }

    public long step() { return step; }

    public ForgetPlan plan() { return plan; }

    public SfdConfig config() { return cfg; }

    /** The generator to use: the EMA weights when EMA is on, else the raw weights. */
    public OneStepGenerator generator() { return new OneStepGenerator(emaNet != null ? emaNet : generatorNet, cfg.sigmaInit()); }

    /** The raw (non-EMA) generator. */
    public OneStepGenerator rawGenerator() { return new OneStepGenerator(generatorNet, cfg.sigmaInit()); }

    /** The fake score network f_psi (starting point for sequential forgetting). */
    public ScoreNetwork fakeScore() { return fake; }

    /** Runs all configured iterations and returns the generator. */
    public OneStepGenerator run() { return run(null); }

    /** Runs to the end, writing a checkpoint every {@code cfg.checkpointEvery()} steps when {@code checkpoint} is set. */
    public OneStepGenerator run(Path checkpoint) {
        runUntil(cfg.iterations(), checkpoint);
        return generator();
    }

    /** Runs until {@code untilStep} (capped at the configured iterations). */
    public void runUntil(long untilStep, Path checkpoint) {
        ensureOpen();
        long end = Math.min(untilStep, cfg.iterations());
        while (step < end) {
            iterate();
            if (checkpoint != null && (step % cfg.checkpointEvery() == 0 || step == end)) {
                save(checkpoint);
                for (TrainingListener l : listeners) l.onCheckpoint(step, checkpoint);
            }
        }
    }

    /** One SFD iteration: fake update, generator update, EMA. */
    public Map<String, Double> iterate() {
        ensureOpen();
        if (cfg.overrideMode() == OverrideMode.CLASSIFIER && forget.length > 0 && classifier == null) {
            throw new dev.sfd.ConfigException("override mode classifier needs a classifier to pick the forgotten samples' teacher labels "
                    + "(ScoreForgettingDistillation.classifier / ForgetRun.classifier)");
        }
        long t0 = System.nanoTime();
        Map<String, Double> figures = new LinkedHashMap<>();
        int[] remainLabels = drawLabels(remain, cfg.batchRemain());
        int[] forgetLabels = forget.length > 0 && cfg.batchForget() > 0 ? drawLabels(forget, cfg.batchForget()) : new int[0];
        boolean doForget = forgetLabels.length > 0;

        // Both branches of each update run as ONE batch with per-sample labels and per-branch weights: the
        // gradient is the same sum as two separate backward passes (SPEC-SFD section 8), at half the calls.

        // ---- 1. fake score update (SPEC-SFD section 5): denoising score matching on detached generator samples
        Denoiser fakeTrain = Guidance.of(fake, cfg.guidanceTrainFake());
        adamFake.zeroGrad();
        int[] fakeRemain = cfg.lambdaFakeRemain() > 0 ? remainLabels : new int[0];
        int[] fakeForget = doForget && cfg.lambdaFakeForget() > 0 ? forgetLabels : new int[0];
        if (fakeRemain.length + fakeForget.length > 0) {
            int[] labels = concat(fakeRemain, fakeForget);
            Tensor xg = sampleDetached(labels);
            Tensor perSample = fakeLoss.perSample(fakeTrain, xg, oneHot(labels), rng);
            weighted(perSample, fakeRemain.length, cfg.lambdaFakeRemain(), fakeForget.length, cfg.lambdaFakeForget(),
                    figures, "fake_remain", "fake_forget", "fake-score loss").backward();
        }
        GradClip.sanitize(fake.parameters());
        adamFake.step();

        updateGenerator(remainLabels, forgetLabels, doForget, figures);
        updateEma(doForget);
        step++;
        seconds += (System.nanoTime() - t0) / 1e9;
        figures.put("seconds", seconds);
        for (TrainingListener l : listeners) l.onStep(step, cfg.iterations(), figures);
        return figures;
    }

    /** Step 2 (SPEC-SFD section 6): fake net frozen, gradients flow through both frozen nets into the generator. */
    private void updateGenerator(int[] remainLabels, int[] forgetLabels, boolean doForget, Map<String, Double> figures) {
        fake.requiresGrad(false);
        try {
            adamGenerator.zeroGrad();
            int[] genRemain = cfg.lambdaRemain() > 0 ? remainLabels : new int[0];
            int[] genForget = doForget && cfg.lambdaForget() > 0 ? forgetLabels : new int[0];
            if (genRemain.length + genForget.length > 0) {
                // forget branch: generator and fake net see c_f, the teacher sees the override c_o (fixed, drawn, or picked
                // by the classifier inside sidPerSample)
                int[] overrideLabels = switch (cfg.overrideMode()) {
                    case FIXED -> {
                        int[] o = new int[genForget.length];
                        for (int i = 0; i < o.length; i++) o[i] = plan.overrideOf(genForget[i]);
                        yield o;
                    }
                    case RANDOM -> genForget.length > 0 ? drawLabels(remain, genForget.length) : new int[0];
                    case CLASSIFIER -> new int[genForget.length];
                };
                int[] gen = concat(genRemain, genForget);
                Sid sid = sidPerSample(gen, concat(genRemain, overrideLabels), gen,
                        cfg.overrideMode() == OverrideMode.CLASSIFIER ? genRemain.length : gen.length);
                Tensor loss = weighted(sid.perSample(), genRemain.length, cfg.lambdaRemain() * cfg.generatorLossScale(),
                        genForget.length, cfg.lambdaForget() * cfg.generatorLossScale(),
                        figures, "gen_remain", "gen_forget", "generator loss");
                if (cfg.keep() > 0 && genRemain.length > 0) loss = Ops.add(loss, keepLoss(sid, genRemain, figures));
                loss.backward();
            }
            GradClip.sanitize(generatorNet.parameters());
            adamGenerator.step();
            if (tied) LabelTie.apply(generatorNet, plan);
        } finally {
            fake.requiresGrad(true);
        }
    }

    /** Step 3: EMA of the generator (EDM half-life rule with ramp-up). */
    private void updateEma(boolean doForget) {
        if (ema == null) return;
        int perStep = cfg.batchRemain() + (doForget ? cfg.batchForget() : 0);
        ema.update(Ema.halfLifeBeta(cfg.emaHalfLifeImages(), cfg.emaRampup(), step * perStep, perStep));
        if (tied) LabelTie.apply(emaNet, plan);
    }

    /**
     * The labels the generator is given: with {@link SfdConfig#tieForgotten} a forgotten class is fed as its override, so
     * the forget branch's gradient reaches the override's column (which the forgotten one copies) instead of a column
     * the next tie overwrites; the output is the same either way.
     */
    private int[] generatorLabels(int[] labels) {
        if (!tied) return labels;
        int[] out = labels.clone();
        for (int i = 0; i < out.length; i++) if (plan.pairs().containsKey(out[i])) out[i] = plan.overrideOf(out[i]);
        return out;
    }

    /** Generator samples of one SiD evaluation: latents, images and the per-sample SiD loss. */
    private record Sid(Tensor z, Tensor xg, Tensor perSample) { }

    /**
     * {@code keep * mean_i ||x_g,i - G_0(z_i, c_i)||^2} over the remain samples (the first {@code remain.length} rows;
     * SfdConfig#keep). The reference images come from the frozen initial generator without a graph.
     */
    private Tensor keepLoss(Sid sid, int[] remainLabels, Map<String, Double> figures) {
        int n = remainLabels.length;
        Tensor ref;
        try (var g = Grad.disabled()) {
            ref = new OneStepGenerator(anchorNet, cfg.sigmaInit()).generate(sid.z().narrow(0, 0, n), oneHot(remainLabels)).detach();
        }
        Tensor d = Ops.sub(sid.xg().narrow(0, 0, n), ref);
        Tensor meanSq = Ops.mulScalar(Ops.sumAll(Ops.square(d)), 1.0 / n);
        figures.put("gen_keep", finite(meanSq.item(), "keep loss"));
        return Ops.mulScalar(meanSq, cfg.keep() * cfg.generatorLossScale());
    }

    /**
     * The SiD generator loss per sample (SPEC-SFD section 6): x_g = G(z, c_gen); x_t = x_g + sigma n with
     * sigma = rho-interp(u), u ~ U(0, tMax); loss_n = sum (y_real - y_fake)((y_real - x_g) - alpha (y_real - y_fake)) / omega_n.
     * Rows from {@code pickFrom} on get their teacher label from the classifier ({@link #pickOverrides}); none when
     * {@code pickFrom} is the row count.
     */
    private Sid sidPerSample(int[] genLabels, int[] teacherLabels, int[] fakeLabels, int pickFrom) {
        int n = genLabels.length;
        int[] img = teacher.imageShape();
        Tensor z = rng.normal(DType.FLOAT32, n, img[0], img[1], img[2]);
        Tensor xg = new OneStepGenerator(generatorNet, cfg.sigmaInit()).generate(z, oneHot(generatorLabels(genLabels)));
        double[] u = rng.uniform(DType.FLOAT64, n).toDoubleArray();
        double[] sigma = new double[n];
        for (int i = 0; i < n; i++) sigma[i] = Sigmas.rhoInterp(u[i] * cfg.generatorTMax(), cfg.sigmaMin(), cfg.sigmaMax(), cfg.rho());
        Tensor noise = rng.normal(DType.FLOAT32, n, img[0], img[1], img[2]);
        Tensor sig = Tensor.of(sigma, n).to(DType.FLOAT32);
        Tensor xt = Ops.add(xg, Ops.mul(noise, Ops.reshape(sig, n, 1, 1, 1)));
        if (pickFrom < n) {
            Tensor yFake = Guidance.of(fake, cfg.guidanceEvalFake()).denoise(xt, sig, oneHot(fakeLabels));
            int[] labels = teacherLabels.clone();
            pickOverrides(yFake.detach().narrow(0, pickFrom, n - pickFrom), labels, pickFrom);
            Tensor yReal = Guidance.of(teacher, cfg.guidanceTeacher()).denoise(xt, sig, oneHot(labels));
            return new Sid(z, xg, Ops.sidLoss(xg, yReal, yFake, cfg.alpha()));
        }
        Tensor yReal = Guidance.of(teacher, cfg.guidanceTeacher()).denoise(xt, sig, oneHot(teacherLabels));
        Tensor yFake = Guidance.of(fake, cfg.guidanceEvalFake()).denoise(xt, sig, oneHot(fakeLabels));
        return new Sid(z, xg, Ops.sidLoss(xg, yReal, yFake, cfg.alpha()));
    }

    /**
     * Classifier-guided pseudo-labels (the paper's released code, option {@code use_clf} with {@code pseudo_label_type
     * amax}): the classifier judges the fake score network's denoised estimate of each forgotten sample, the forgotten
     * classes' logits are masked out, and the teacher label is the remaining class with the highest logit. Writes
     * {@code labels[from + i]} for every row {@code i} of {@code denoised}.
     */
    private void pickOverrides(Tensor denoised, int[] labels, int from) {
        int rows = denoised.dim(0);
        float[] logits;
        try (var g = Grad.disabled()) {
            Tensor l = classifier.logits(denoised.detach());
            if (l.rank() != 2 || l.dim(0) != rows || l.dim(1) != numClasses) {
                throw new dev.sfd.ShapeException("override classifier returned logits of shape " + java.util.Arrays.toString(l.shape())
                        + ", expected [" + rows + ", " + numClasses + "]");
            }
            logits = l.toFloatArray();
        }
        for (int i = 0; i < rows; i++) {
            int best = remain[0];
            for (int c : remain) if (logits[i * numClasses + c] > logits[i * numClasses + best]) best = c;
            labels[from + i] = best;
        }
    }

    /**
     * {@code wR * mean(first nR) + wF * mean(last nF)} of a per-sample loss; records both branch means (unweighted)
     * as figures and stops on a non-finite one, naming the branch.
     */
    private Tensor weighted(Tensor perSample, int nR, double wR, int nF, double wF, Map<String, Double> figures,
                            String remainName, String forgetName, String term) {
        double[] v = perSample.toDoubleArray();
        double[] w = new double[nR + nF];
        if (nR > 0) {
            double m = 0;
            for (int i = 0; i < nR; i++) m += v[i] / nR;
            figures.put(remainName, finite(m, term + " (remain branch)"));
            for (int i = 0; i < nR; i++) w[i] = wR / nR;
        }
        if (nF > 0) {
            double m = 0;
            for (int i = nR; i < nR + nF; i++) m += v[i] / nF;
            figures.put(forgetName, finite(m, term + " (forget branch)"));
            for (int i = nR; i < nR + nF; i++) w[i] = wF / nF;
        }
        return Ops.sumAll(Ops.mul(perSample, Tensor.of(w, w.length).to(perSample.dtype())));
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private Tensor sampleDetached(int[] labels) {
        int[] img = teacher.imageShape();
        Tensor z = rng.normal(DType.FLOAT32, labels.length, img[0], img[1], img[2]);
        try (var g = Grad.disabled()) {
            return new OneStepGenerator(generatorNet, cfg.sigmaInit()).generate(z, oneHot(generatorLabels(labels))).detach();
        }
    }

    /** {@code n} labels drawn uniformly from {@code pool}. */
    private int[] drawLabels(int[] pool, int n) {
        double[] u = rng.uniform(DType.FLOAT64, n).toDoubleArray();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = pool[Math.min(pool.length - 1, (int) (u[i] * pool.length))];
        return out;
    }

    private Tensor oneHot(int[] labels) { return Ops.oneHot(labels, numClasses, DType.FLOAT32); }

    private double finite(double v, String term) {
        if (!Double.isFinite(v)) {
            throw new NumericsException("SFD: " + term + " is " + v + " at step " + (step + 1) + "; stopping (the last checkpoint on disk is the last good state)");
        }
        return v;
    }

    /**
     * Sequential forgetting: a new run that keeps this run's forgotten classes and adds {@code more}, starting
     * the generator from this run's generator (EMA weights when EMA is on) and the fake net from this fake net.
     * The teacher stays the original one.
     */
    public ScoreForgettingDistillation continueWith(ForgetPlan more, SfdConfig next) {
        ensureOpen();
        return new ScoreForgettingDistillation(teacher, plan.and(more), next, generator().network(), fake).classifier(classifier);
    }

    /**
     * SFD-Two-Stage (SPEC-SFD 10.2): stage 1 is plain SiD distillation of the whole teacher
     * ({@code lambda_f = lambda'_f = 0}); stage 2 forgets, starting from the stage-1 generator and fake net,
     * with EMA off (the paper's choice; the released config keeps it, D2). Returns the stage-2 trainer, ready to run.
     */
    public static ScoreForgettingDistillation twoStage(ScoreNetwork teacher, ForgetPlan plan, SfdConfig stage1, SfdConfig stage2) {
        return twoStage(teacher, plan, stage1, stage2, teacher, teacher);
    }

    /** {@link #twoStage(ScoreNetwork, ForgetPlan, SfdConfig, SfdConfig)} with explicit initial generator and fake nets. */
    public static ScoreForgettingDistillation twoStage(ScoreNetwork teacher, ForgetPlan plan, SfdConfig stage1, SfdConfig stage2,
                                                      ScoreNetwork generatorInit, ScoreNetwork fakeInit) {
        try (var distill = new ScoreForgettingDistillation(teacher, ForgetPlan.none(), stage1.forgetWeight(0), generatorInit, fakeInit)) {
            distill.run();
            return new ScoreForgettingDistillation(teacher, plan, stage2.emaOff(), distill.generator().network(), distill.fakeScore());
        }
    }

    // ------------------------------------------------------------------ checkpoints

    /** Writes generator, fake net, EMA, both Adam states, RNG counter, step, plan and config atomically. */
    public void save(Path file) {
        ensureOpen();
        Checkpoint c = Checkpoint.builder()
                .group("generator", generatorNet.stateDict())
                .group("fake", fake.stateDict())
                .group("adam_generator", adamGenerator.state())
                .group("adam_fake", adamFake.state());
        if (emaNet != null) c.group("ema", emaNet.stateDict());
        if (anchorNet != null) c.group("anchor", anchorNet.stateDict());
        teacher.metadata().forEach(c::meta);
        c.meta("sfd.kind", "sfd-checkpoint")
                .meta("step", step)
                .meta("seconds", seconds)
                .meta("adam_generator_step", adamGenerator.stepCount())
                .meta("adam_fake_step", adamFake.stepCount())
                .meta("rng_seed", rng.seed())
                .meta("rng_counter", rng.counter())
                .meta("plan", plan.toString())
                .meta("sigma_init", cfg.sigmaInit())
                .meta("config", cfg.toJson())
                .save(file);
    }

    /**
     * Restores a checkpoint written by {@link #save} for the same plan and configuration (the iteration count may
     * differ, so a finished run can continue). Checkpoints of older versions migrate ({@link SfdConfig#fromStored}).
     */
    public void resume(Path file) {
        ensureOpen();
        if (!Files.isRegularFile(file)) throw new SfdException("resume: checkpoint " + file + " does not exist");
        Checkpoint c = Checkpoint.load(file);
        if (!"sfd-checkpoint".equals(c.metadata().get("sfd.kind"))) throw new SfdException("resume: " + file + " is not an SFD checkpoint");
        if (!plan.toString().equals(c.meta("plan"))) throw new SfdException("resume: " + file + " was written for plan " + c.meta("plan") + ", not " + plan);
        SfdConfig stored;
        try {
            stored = SfdConfig.fromStored(c.meta("config"));
        } catch (SfdException e) {
            throw new SfdException("resume: " + file + ": " + e.getMessage(), e);
        }
        if (!cfg.sameRunAs(stored)) {
            throw new SfdException("resume: " + file + " was written with a different configuration: " + stored.toMap() + ", not " + cfg.toMap());
        }
        generatorNet.loadStateDict(c.group("generator"), true);
        fake.loadStateDict(c.group("fake"), true);
        if (emaNet != null) emaNet.loadStateDict(c.group("ema"), true);
        if (anchorNet != null) anchorNet.loadStateDict(c.group("anchor"), true);
        adamGenerator.restore(c.group("adam_generator"), c.metaLong("adam_generator_step"));
        adamFake.restore(c.group("adam_fake"), c.metaLong("adam_fake_step"));
        rng.restore(c.metaLong("rng_counter"));
        step = c.metaLong("step");
        seconds = c.metaDouble("seconds");
    }

    private void ensureOpen() {
        if (closed) throw new SfdException("ScoreForgettingDistillation was closed");
    }

    /**
     * Ends the run: listeners are dropped and every later call throws; idempotent. CPU tensors are heap
     * arrays; device memory of a training step is owned by the caller's {@link dev.sfd.tensor.TensorScope}.
     */
    @Override
    public void close() {
        closed = true;
        listeners.clear();
    }
}
