package dev.sfd.bench.cli;

import dev.sfd.autograd.Grad;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.diffusion.Sampler;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.OneStepGenerator;
import dev.sfd.unlearn.ScoreForgettingDistillation;
import dev.sfd.unlearn.SfdConfig;
import java.util.List;
import java.util.Locale;

/**
 * End-to-end model benchmarks of {@code sfd bench}: SongUNet forward and forward+backward (images/s), one SFD
 * iteration (iterations/s), and one-step versus Heun-18 sampling (images/s; the reference is Heun, the ratio
 * the speed-up). Weights are random: speed does not depend on them. Each figure is the best of {@code runs}
 * timed repetitions after {@code warmup} untimed ones, printed with the median of those repetitions (JSON
 * {@code median}: the middle one, the upper middle for an even count). tools/bench_torch_sfd.py and
 * tools/bench_torch_unet.py print the same names for PyTorch.
 */
final class ModelBench {
    private final boolean json;
    private final int runs;
    private final int warmup;

    ModelBench(boolean json, int runs, int warmup) {
        this.json = json;
        this.runs = runs;
        this.warmup = warmup;
    }

    void unet(List<String> configs, List<Integer> batches) {
        for (String name : configs) {
            EdmPrecond net = SongUnet.create(SongUnetConfig.named(name), 1);
            net.train(false);
            int[] img = net.imageShape();
            for (int b : batches) {
                RandomStream rng = new RandomStream(2);
                Tensor x = rng.normal(DType.FLOAT32, b, img[0], img[1], img[2]);
                Tensor sigma = Ops.addScalar(rng.uniform(DType.FLOAT32, b), 0.5);
                Tensor labels = Ops.oneHot(new int[b], net.labelDim(), DType.FLOAT32);
                double[] fwd = time(() -> {
                    try (var g = Grad.disabled()) {
                        net.denoise(x, sigma, labels);
                    }
                });
                double[] fb = time(() -> {
                    net.zeroGrad();
                    Ops.sumAll(net.denoise(x, sigma, labels)).backward();
                });
                emit("unet-" + name + "-b" + b + "-fwd", "images/s", b / fwd[0], b / fwd[1], Double.NaN, null);
                emit("unet-" + name + "-b" + b + "-fwdbwd", "images/s", b / fb[0], b / fb[1], Double.NaN, null);
            }
        }
    }

    void sfdStep(String config, int remain, int forget) {
        EdmPrecond teacher = SongUnet.create(SongUnetConfig.named(config), 1);
        SfdConfig cfg = SfdConfig.defaults().iterations(Long.MAX_VALUE / 2).batch(remain, forget);
        try (var sfd = new ScoreForgettingDistillation(teacher, ForgetPlan.classes().forget(0).overrideWith(1), cfg)) {
            double[] s = time(sfd::iterate);
            emit(sfdStepName(config, remain, forget), "iterations/s", 1 / s[0], 1 / s[1], Double.NaN, null);
        }
    }

    void sampling(String config, int batch, int steps) {
        EdmPrecond teacher = SongUnet.create(SongUnetConfig.named(config), 1);
        teacher.train(false);
        OneStepGenerator g = new OneStepGenerator(teacher, 2.5);
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = i % teacher.labelDim();
        int[] img = teacher.imageShape();
        Sampler heun = Sampler.heun(steps);
        double[] one = time(() -> g.sample(labels, 3));
        double[] h = time(() -> {
            RandomStream rng = new RandomStream(3);
            heun.sample(teacher, rng.normal(DType.FLOAT32, batch, img[0], img[1], img[2]), Ops.oneHot(labels, teacher.labelDim(), DType.FLOAT32), rng);
        });
        emit("sampling-" + config + "-b" + batch, "images/s", batch / one[0], batch / one[1], batch / h[0], "heun-" + steps + " (" + heun.nfe() + " network calls)");
    }

    /** The name of the {@code sfd-step} figure (tools/bench_torch_sfd.py builds the same). */
    static String sfdStepName(String config, int remain, int forget) { return "sfd-step-" + config + "-" + remain + "+" + forget; }

    /** {best, median} seconds of {@code runs} timed calls after {@code warmup} untimed ones. */
    private double[] time(Runnable r) {
        for (int i = 0; i < warmup; i++) r.run();
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        java.util.Arrays.sort(t);
        return new double[] {t[0], t[runs / 2]};
    }

    private void emit(String bench, String unit, double value, double median, double reference, String refImpl) {
        if (json) {
            StringBuilder sb = new StringBuilder("{\"bench\":\"").append(bench).append("\",\"unit\":\"").append(unit).append('"')
                    .append(",\"value\":").append(fmt(value))
                    .append(",\"median\":").append(fmt(median))
                    .append(",\"reference\":").append(Double.isNaN(reference) ? "null" : fmt(reference))
                    .append(",\"ratio\":").append(Double.isNaN(reference) ? "null" : fmt(value / reference))
                    .append(",\"stat\":\"best\",\"runs\":").append(runs);
            if (refImpl != null) sb.append(",\"reference_impl\":\"").append(refImpl).append('"');
            System.out.println(sb.append('}'));
        } else if (Double.isNaN(reference)) {
            System.out.printf(Locale.ROOT, "%-34s %10.2f %s (median %.2f)%n", bench, value, unit, median);
        } else {
            System.out.printf(Locale.ROOT, "%-34s %10.2f %s (median %.2f)   %s %10.2f   ratio %.1f%n", bench, value, unit, median, refImpl, reference,
                    value / reference);
        }
    }

    private static String fmt(double v) { return String.format(Locale.ROOT, "%.4f", v); }
}
