package dev.sfd.bench.cli;

import dev.sfd.SfdException;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.models.Evaluator;
import dev.sfd.ops.Ops;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.OneStepGenerator;
import dev.sfd.unlearn.ScoreForgettingDistillation;
import dev.sfd.unlearn.SfdConfig;
import dev.sfd.unlearn.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Runs SFD for the demo and forget commands: progress bar, periodic evaluation of the generator (UA, override
 * share, remaining-class accuracy), resumable checkpoints, and the output files (generator, grids, curves,
 * report).
 */
final class ForgetRunner {
    private final ScoreNetwork teacher;
    private final ForgetPlan plan;
    private final SfdConfig cfg;
    private final Evaluator evaluator;
    private final Path out;
    private final int evalEvery;
    private final int evalPerClass;
    private final List<Double> lossSteps = new ArrayList<>();
    private final Map<String, List<Double>> losses = new LinkedHashMap<>();
    private final List<Double> evalSteps = new ArrayList<>();
    private final Map<String, List<Double>> evals = new LinkedHashMap<>();
    private ScoreNetwork generatorInit;
    private ScoreNetwork fakeInit;
    private ScoreNetwork finalFake;
    private long extendTo;
    private long iterationsRun;

    /** Quick-evaluation shares at which {@link #extendUntilForgotten} stops: UA and share drawn as the override. */
    static final double FORGOTTEN_UA = 0.99, FORGOTTEN_OVERRIDE = 0.90;
    /** Quick evaluations without gain in UA + override share after which an extension stops early. */
    static final int PATIENCE = 2;
    /** Minimum one-step samples per forgotten class in a quick evaluation (UA and override share). */
    static final int QUICK_FORGET_SAMPLES = 200;

    ForgetRunner(ScoreNetwork teacher, ForgetPlan plan, SfdConfig cfg, Evaluator evaluator, Path out, int evalEvery, int evalPerClass) {
        this.teacher = teacher;
        this.plan = plan;
        this.cfg = cfg;
        this.evaluator = evaluator;
        this.out = out;
        this.evalEvery = evalEvery;
        this.evalPerClass = evalPerClass;
    }

    /** Starts generator and fake net from earlier results (SFD-Two-Stage stage 2) instead of the teacher. */
    ForgetRunner startFrom(ScoreNetwork generator, ScoreNetwork fake) {
        this.generatorInit = generator;
        this.fakeInit = fake;
        return this;
    }

    /**
     * When the quick evaluation at the configured iterations does not show the plan done (UA >= {@value #FORGOTTEN_UA}
     * and override share >= {@value #FORGOTTEN_OVERRIDE} on the quick samples), keep going in chunks of the
     * evaluation interval until it does, until {@value #PATIENCE} evaluations in a row bring no gain (a plateau), or
     * until {@code maxIterations} is reached (0 = off). The iteration count is not part of the checkpoint's resume
     * check, so a resumed run may pass another value (a finished run continues when given a larger one).
     */
    ForgetRunner extendUntilForgotten(long maxIterations) {
        requireExtensible(cfg, evalEvery, maxIterations);
        this.extendTo = maxIterations;
        return this;
    }

    /** Checks --max-iterations against the run's configuration (0 = off is always fine). */
    static void requireExtensible(SfdConfig cfg, int evalEvery, long maxIterations) {
        if (maxIterations < 0) throw new SfdException("--max-iterations must be >= 0 (0 = off), got " + maxIterations);
        if (maxIterations > 0 && maxIterations < cfg.iterations()) {
            throw new SfdException("--max-iterations " + maxIterations + " is below --iterations " + cfg.iterations());
        }
        if (maxIterations > cfg.iterations()) {
            if (evalEvery <= 0) throw new SfdException("--max-iterations needs the quick evaluations (--eval-every > 0) to know when the plan is done");
        }
    }

    /** Iterations the last {@link #run} ended at (beyond the configured ones when it was extended). */
    long iterationsRun() { return iterationsRun; }

    /** The configuration this runner trains with. */
    SfdConfig config() { return cfg; }

    /** The fake score network at the end of {@link #run} (stage 1 of two-stage hands it to stage 2). */
    ScoreNetwork finalFake() { return finalFake; }

    /** Figures of a generator for this plan, from {@code perForget} forget-label and {@code perRemain} per remaining class samples. */
    static Map<String, Object> judge(OneStepGenerator g, ForgetPlan plan, Evaluator ev, int perForget, int perRemain, long seed) {
        int classes = g.numClasses();
        int[] forget = plan.forgetClasses();
        int[] remain = plan.remainClasses(classes);
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map<String, Object>> perForgetClass = new ArrayList<>();
        double uaSum = 0, ovSum = 0;
        for (int f : forget) {
            int[] labels = new int[perForget];
            java.util.Arrays.fill(labels, f);
            Tensor imgs = sampleBatched(g, labels, seed + f * 100_003L);
            int[] pred = ev.classifier().predict(imgs, 128);
            double ua = dev.sfd.eval.Metrics.unlearningAccuracy(pred, f);
            double ov = dev.sfd.eval.Metrics.share(pred, plan.overrideOf(f));
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("forget", f);
            e.put("override", plan.overrideOf(f));
            e.put("ua", ua);
            e.put("as_override", ov);
            e.put("histogram", dev.sfd.eval.Metrics.histogram(pred, classes));
            perForgetClass.add(e);
            uaSum += ua;
            ovSum += ov;
        }
        int[] labels = new int[remain.length * perRemain];
        for (int i = 0; i < labels.length; i++) labels[i] = remain[i / perRemain];
        Evaluator.Result r = ev.judge(sampleBatched(g, labels, seed + 7), labels);
        double acc = 0, fd = 0;
        for (int c : remain) {
            acc += r.perClassAccuracy()[c];
            fd += r.perClassFd()[c];
        }
        m.put("ua", forget.length == 0 ? Double.NaN : uaSum / forget.length);
        m.put("as_override", forget.length == 0 ? Double.NaN : ovSum / forget.length);
        m.put("remain_accuracy", acc / remain.length);
        m.put("fd_remain", fd / remain.length);
        m.put("per_forget_class", perForgetClass);
        m.put("remain", Reports.perClass(r, classes));
        return m;
    }

    static Tensor sampleBatched(OneStepGenerator g, int[] labels, long seed) {
        List<Tensor> parts = new ArrayList<>();
        for (int s = 0; s < labels.length; s += 128) {
            parts.add(g.sample(java.util.Arrays.copyOfRange(labels, s, Math.min(labels.length, s + 128)), seed + s));
        }
        return Ops.concat(0, parts.toArray(new Tensor[0]));
    }

    /** Runs (or resumes) SFD to the end and returns the generator. */
    OneStepGenerator run(boolean resume) throws IOException {
        Files.createDirectories(out);
        Path ckpt = out.resolve("checkpoint.safetensors");
        // an extensible run is configured with its maximum length and stopped early by the quick evaluations
        boolean extensible = extendTo > cfg.iterations() && plan.forgetClasses().length > 0;
        SfdConfig runCfg = extensible ? cfg.iterations(extendTo) : cfg;
        try (var sfd = new ScoreForgettingDistillation(teacher, plan, runCfg,
                generatorInit != null ? generatorInit : teacher, fakeInit != null ? fakeInit : teacher)) {
            if (resume) {
                sfd.resume(ckpt);
                System.err.println("resumed from " + ckpt + " at step " + sfd.step());
            }
            try (Progress p = new Progress("sfd " + plan, runCfg.iterations(), sfd.step(), "gen_forget", "gen_remain", "gen_keep", "ua", "as_override")) {
                sfd.addListener(new TrainingListener() {
                    @Override
                    public void onStep(long step, long total, Map<String, Double> f) {
                        lossSteps.add((double) step);
                        f.forEach((k, v) -> { if (!k.equals("seconds")) losses.computeIfAbsent(k, x -> new ArrayList<>()).add(v); });
                        Map<String, Double> shown = new LinkedHashMap<>(f);
                        if (!evals.isEmpty()) evals.forEach((k, v) -> shown.put(k, v.get(v.size() - 1)));
                        p.onStep(step, total, shown);
                        if (evalEvery > 0 && (step % evalEvery == 0 || step == 1)) evaluate(sfd, step);
                    }
                });
                sfd.runUntil(cfg.iterations(), ckpt);
                double best = Double.NEGATIVE_INFINITY;
                int stale = 0;
                while (extensible && sfd.step() < runCfg.iterations() && !forgotten(sfd)) {
                    // a plateau ends the extension too: no gain in UA + override share over PATIENCE evaluations
                    double progress = lastEval("ua") + lastEval("as_override");
                    if (progress > best + 1e-9) {
                        best = progress;
                        stale = 0;
                    } else if (++stale >= PATIENCE) {
                        System.err.printf("%nsfd: plan not done at iteration %d (UA %.3f, as override %.3f) and no gain over %d evaluations; stopping%n",
                                sfd.step(), lastEval("ua"), lastEval("as_override"), PATIENCE);
                        break;
                    }
                    long next = Math.min(runCfg.iterations(), (sfd.step() / evalEvery + 1) * evalEvery);
                    System.err.printf("%nsfd: plan not done at iteration %d (UA %.3f, as override %.3f); continuing to %d (--max-iterations %d)%n",
                            sfd.step(), lastEval("ua"), lastEval("as_override"), next, runCfg.iterations());
                    sfd.runUntil(next, ckpt);
                }
            }
            iterationsRun = sfd.step();
            finalFake = sfd.fakeScore();
            // the fake net makes this run usable as stage 1 of SFD-Two-Stage (--from-stage1 OUT)
            dev.sfd.models.Models.writeFake(out.resolve(dev.sfd.models.Models.FAKE_FILE), finalFake, plan.toString(), null);
            return sfd.generator();
        }
    }

    /** Whether the quick evaluation at the current step (taken now if missing) shows the plan done. */
    private boolean forgotten(ScoreForgettingDistillation sfd) {
        if (evalSteps.isEmpty() || evalSteps.get(evalSteps.size() - 1) != (double) sfd.step()) evaluate(sfd, sfd.step());
        return lastEval("ua") >= FORGOTTEN_UA && lastEval("as_override") >= FORGOTTEN_OVERRIDE;
    }

    private double lastEval(String key) {
        List<Double> v = evals.get(key);
        return v == null || v.isEmpty() ? Double.NaN : v.get(v.size() - 1);
    }

    private void evaluate(ScoreForgettingDistillation sfd, long step) {
        Map<String, Object> m = judgeQuick(sfd.generator());
        evalSteps.add((double) step);
        for (Map.Entry<String, Object> e : m.entrySet()) {
            evals.computeIfAbsent(e.getKey(), x -> new ArrayList<>()).add((Double) e.getValue());
        }
        System.err.printf("%neval @%d: %s%n", step, m);
    }

    private Map<String, Object> judgeQuick(OneStepGenerator g) {
        int classes = g.numClasses();
        int[] forget = plan.forgetClasses();
        int[] remain = plan.remainClasses(classes);
        // the forgotten labels get at least QUICK_FORGET_SAMPLES one-step samples (cheap): with 40 the shares move in
        // steps of 0.025, too coarse for --max-iterations to tell a slow rise from a plateau
        int perForget = Math.max(evalPerClass, QUICK_FORGET_SAMPLES);
        int[] fl = new int[perForget * forget.length];
        for (int i = 0; i < fl.length; i++) fl[i] = forget[i / perForget];
        int[] rl = new int[evalPerClass * remain.length];
        for (int i = 0; i < rl.length; i++) rl[i] = remain[i / evalPerClass];
        Map<String, Object> m = new LinkedHashMap<>();
        if (fl.length > 0) {
            int[] fp = evaluator.classifier().predict(sampleBatched(g, fl, 555), 128);
            int notForgotten = 0, asOverride = 0;
            for (int i = 0; i < fl.length; i++) {
                if (fp[i] != fl[i]) notForgotten++;
                if (fp[i] == plan.overrideOf(fl[i])) asOverride++;
            }
            m.put("ua", notForgotten / (double) fl.length);
            m.put("as_override", asOverride / (double) fl.length);
        }
        Evaluator.Result r = evaluator.judge(sampleBatched(g, rl, 556), rl);
        m.put("remain_accuracy", dev.sfd.eval.Metrics.accuracy(r.predictions(), rl));
        double fd = 0;
        for (int c : remain) fd += r.perClassFd()[c];
        // FD on evalPerClass images per class: biased upward at small counts, comparable only along one run
        if (!Double.isNaN(fd)) m.put("fd_remain_quick", fd / remain.length);
        return m;
    }

    /** Losses (left axis) and evaluation figures (right axis) over iterations. */
    void writeCurves(Path png) throws IOException {
        if (lossSteps.isEmpty()) return;
        XYChart chart = new XYChartBuilder().width(900).height(500).title("SFD " + plan + ": losses and forgetting").xAxisTitle("iteration").build();
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.setYAxisGroupTitle(0, "loss (moving average)");
        chart.setYAxisGroupTitle(1, "share of samples");
        for (Map.Entry<String, List<Double>> e : losses.entrySet()) {
            List<Double> y = Plots.movingAverage(e.getValue(), Math.max(1, e.getValue().size() / 40));
            chart.addSeries(e.getKey(), lossSteps.subList(lossSteps.size() - y.size(), lossSteps.size()), y).setMarker(SeriesMarkers.NONE).setYAxisGroup(0);
        }
        for (Map.Entry<String, List<Double>> e : evals.entrySet()) {
            boolean fd = e.getKey().startsWith("fd");
            chart.addSeries(e.getKey(), evalSteps, e.getValue()).setYAxisGroup(fd ? 2 : 1);
            if (fd) {
                chart.setYAxisGroupTitle(2, "Frechet distance (classifier features)");
                chart.getStyler().setYAxisGroupPosition(2, org.knowm.xchart.style.Styler.YAxisPosition.Right);
            }
        }
        String name = png.toString();
        BitmapEncoder.saveBitmap(chart, name.substring(0, name.length() - 4), BitmapEncoder.BitmapFormat.PNG);
    }

    static void requireClassIds(ScoreNetwork teacher, ForgetPlan plan) {
        if (teacher.labelDim() <= 0) throw new SfdException("the teacher is not class-conditional (label_dim 0); SFD forgets classes");
        plan.validate(teacher.labelDim());
    }
}
