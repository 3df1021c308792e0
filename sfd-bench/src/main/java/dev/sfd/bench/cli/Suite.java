package dev.sfd.bench.cli;

import dev.sfd.SfdException;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.diffusion.Sampler;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.eval.Figures;
import dev.sfd.io.ImageGrid;
import dev.sfd.models.Classifier;
import dev.sfd.models.Evaluator;
import dev.sfd.models.Models;
import dev.sfd.models.data.ImageFolderDataset;
import dev.sfd.models.attack.RelearnAttack;
import dev.sfd.models.data.Dataset;
import dev.sfd.models.data.FashionMnist;
import dev.sfd.ops.Ops;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.OneStepGenerator;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shared parts of the evaluation-suite commands (baseline, relearn, table): assets, data, judging, pictures. */
final class Suite {
    static final String WEIGHTS_DIR = "sfd-models/src/main/resources/dev/sfd/models/weights/";

    private Suite() {}

    /** 'teacher' (the shipped one; a clear error while it is not in the build) or a SongUNet file. */
    static EdmPrecond teacher(String spec) { return teacher(spec, Models::shipped); }

    /** As {@link #teacher(String)}, with {@code shipped} saying which shipped assets are in the build. */
    static EdmPrecond teacher(String spec, java.util.function.Predicate<String> shipped) {
        if ("teacher".equals(spec) && !shipped.test(Models.TEACHER)) {
            throw new SfdException("the shipped teacher " + WEIGHTS_DIR + Models.TEACHER + " is not in this build yet; pass --teacher PATH (a SongUNet safetensors file)");
        }
        return Models.denoiser(spec);
    }

    /** 'classifier' (the shipped one; a clear error while it is not in the build) or a classifier file. */
    static Classifier classifier(String spec) { return classifier(spec, Models::shipped); }

    /** As {@link #classifier(String)}, with {@code shipped} saying which shipped assets are in the build. */
    static Classifier classifier(String spec, java.util.function.Predicate<String> shipped) {
        requireInBuild(spec, shipped);
        return Models.classifier(spec);
    }

    private static void requireInBuild(String classifierSpec, java.util.function.Predicate<String> shipped) {
        if ("classifier".equals(classifierSpec) && !shipped.test(Models.CLASSIFIER)) {
            throw new SfdException("the shipped judge classifier " + WEIGHTS_DIR + Models.CLASSIFIER + " is not in this build yet; pass --classifier PATH");
        }
    }

    /**
     * The evaluator of judge {@code spec} ({@link Models#evaluator}: 'classifier' reads with both shipped judges), with
     * the Fashion-MNIST test split for FD when it is installed; a clear error while the shipped judge is not in the build.
     */
    static Evaluator evaluator(String spec) {
        requireInBuild(spec, Models::shipped);
        return Models.evaluator(spec, FashionMnist.isAvailable() ? FashionMnist.test() : null);
    }

    /** Fashion-MNIST split, or a clear error naming the install command. */
    static Dataset fmnist(FashionMnist.Split split, Path dir) {
        Path d = dir != null ? dir : FashionMnist.directory();
        if (!FashionMnist.isAvailable(d)) throw new SfdException("Fashion-MNIST is not at " + d + ": " + FashionMnist.installHint());
        return FashionMnist.load(split, d);
    }

    /**
     * Auxiliary data of the relearning attack: 'fmnist-test' / 'fmnist-train' (the split WITHOUT the forgotten
     * class) or a folder DIR/&lt;class&gt;/*.png, which must not contain the forgotten class.
     */
    static Dataset aux(String spec, int forget, int classes, Path fmnistDir) {
        return switch (spec) {
            case "fmnist-test" -> fmnist(FashionMnist.Split.TEST, fmnistDir).withoutClasses(forget);
            case "fmnist-train" -> fmnist(FashionMnist.Split.TRAIN, fmnistDir).withoutClasses(forget);
            default -> {
                Path p = Path.of(spec);
                if (!Files.isDirectory(p)) {
                    throw new SfdException("auxiliary data '" + spec + "' not found: give fmnist-test, fmnist-train or a folder DIR/<class>/<NNNN>.png");
                }
                yield new ImageFolderDataset(p, classes);
            }
        };
    }

    /** A loaded model to judge or attack: a diffusion denoiser, or a one-step generator (network + sigma_init). */
    record Model(ScoreNetwork network, Double sigmaInit) {
        boolean isGenerator() { return sigmaInit != null; }

        OneStepGenerator generator() { return new OneStepGenerator(network, sigmaInit); }
    }

    static Model model(String spec) {
        if (!Models.isShippedSpec(spec)) {
            Path p = Path.of(spec);
            if (!Files.isRegularFile(p)) throw new SfdException("model file " + p + " does not exist");
            if (Models.isGenerator(p)) {
                OneStepGenerator g = Models.generator(p);
                return new Model(g.network(), g.sigmaInit());
            }
        }
        return new Model(teacher(spec), null);
    }

    /** Samples of the given labels: one-step for a generator, Heun for a denoiser. */
    static Tensor sample(Model m, int[] labels, int heunSteps, long seed) { return sample(m, labels, heunSteps, seed, null); }

    static Tensor sample(Model m, int[] labels, int heunSteps, long seed, Path chunkDir) {
        if (m.isGenerator()) return Evaluator.sampleBatched(m.generator(), labels, seed);
        return RelearnAttack.sampleHeun(m.network(), labels, heunSteps, seed, chunkDir);
    }

    /** Figures of one model and a grid tensor ({@code gridPerClass} images per class, in class order, cut from the judged samples). */
    record Judged(Figures figures, Tensor grid, int gridPerClass) {}

    /**
     * The figures of one model for forgetting {@code forget} (UA, override share on {@code perForget} forget-label samples;
     * remaining-class accuracy and FD on {@code perRemain} per remaining class), with a grid cut from the same samples.
     */
    static Judged judge(Model m, int forget, int override, Evaluator ev, int perForget, int perRemain, int heunSteps, long seed, int gridPerClass) {
        return judge(m, forget, override, ev, perForget, perRemain, heunSteps, seed, gridPerClass, null);
    }

    /** As above; {@code chunkDir} (or null) keeps finished Heun batches so a killed evaluation continues (see RelearnAttack.sampleHeun). */
    static Judged judge(Model m, int forget, int override, Evaluator ev, int perForget, int perRemain, int heunSteps, long seed, int gridPerClass,
                        Path chunkDir) {
        int classes = m.network().labelDim();
        int[] fl = new int[perForget];
        Arrays.fill(fl, forget);
        Tensor forgetImages = sample(m, fl, heunSteps, seed, chunkDir);
        ForgetPlan plan = ForgetPlan.classes().forget(forget).overrideWith(override);
        int[] remain = plan.remainClasses(classes);
        int[] rl = new int[remain.length * perRemain];
        for (int i = 0; i < rl.length; i++) rl[i] = remain[i / perRemain];
        Tensor remainImages = sample(m, rl, heunSteps, seed + 7, chunkDir);
        Figures out = ev.figuresOf(plan, new Tensor[] {forgetImages}, remainImages, rl).withSampling(new Figures.Sampling(
                m.isGenerator() ? "one-step" : "heun-" + heunSteps, m.isGenerator() ? 1 : Sampler.heun(heunSteps).nfe(), perForget, perRemain, null));
        int g = Math.max(1, Math.min(gridPerClass, Math.min(perForget, perRemain)));
        Tensor[] rows = new Tensor[classes];
        for (int c = 0; c < classes; c++) {
            if (c == forget) rows[c] = Ops.narrow(forgetImages, 0, 0, g);
            else {
                int k = c < forget ? c : c - 1;
                rows[c] = Ops.narrow(remainImages, 0, k * perRemain, g);
            }
        }
        return new Judged(out, Ops.concat(0, rows), g);
    }

    /** {@code perClass} samples of every class in class order (for grids). */
    static Tensor gridSamples(Model m, int perClass, int heunSteps, long seed) {
        return sample(m, Evaluator.classLabels(m.network().labelDim(), perClass), heunSteps, seed);
    }

    static BufferedImage gridImage(Tensor images, int perClass, int classes, String title) {
        Tensor[] rows = new Tensor[classes];
        for (int c = 0; c < classes; c++) rows[c] = Ops.narrow(images, 0, c * perClass, perClass);
        ImageGrid g = ImageGrid.of(Ops.concat(0, rows)).cols(perClass).scale(2).title(title);
        if (classes == FashionMnist.CLASS_NAMES.size()) g = g.rowLabels(FashionMnist.CLASS_NAMES);
        return g.render();
    }

    /**
     * Places the images side by side on white, with an optional banner on top, as an 8-bit grayscale PNG (the sample
     * grids are grayscale; RGB would make the file about twice as large).
     */
    static void sideBySide(Path png, List<BufferedImage> parts, String banner) {
        int w = 0, h = 0;
        for (BufferedImage b : parts) {
            w += b.getWidth() + 8;
            h = Math.max(h, b.getHeight());
        }
        int top = banner == null ? 0 : 24;
        BufferedImage out = new BufferedImage(Math.max(w, 1), h + top, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        if (banner != null) {
            g.setColor(Color.BLACK);
            g.drawString(banner, 6, 16);
        }
        int x = 0;
        for (BufferedImage b : parts) {
            g.drawImage(b, x, top, null);
            x += b.getWidth() + 8;
        }
        g.dispose();
        ImageGrid.writePng(out, png);
    }

    /** Line colours of the attack charts, one per model (its Heun and one-step curves share it). */
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    /** Forgotten-class rate curves of one or more attacks in one chart: one colour per model, Heun solid, one-step dashed. */
    static void attackChart(Path png, String title, Map<String, List<RelearnAttack.Point>> curves) throws java.io.IOException {
        var chart = new org.knowm.xchart.XYChartBuilder().width(900).height(540).title(title)
                .xAxisTitle("attack step (EDM fine-tuning on auxiliary data without the forgotten class)")
                .yAxisTitle("forgotten-class rate").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        int k = 0;
        for (Map.Entry<String, List<RelearnAttack.Point>> e : curves.entrySet()) {
            List<Double> x = new ArrayList<>(), y = new ArrayList<>(), y1 = new ArrayList<>();
            for (RelearnAttack.Point p : e.getValue()) {
                x.add((double) p.step());
                y.add(p.forgottenRate());
                if (!Double.isNaN(p.forgottenRateOneStep())) y1.add(p.forgottenRateOneStep());
            }
            Color c = PALETTE[k++ % PALETTE.length];
            var heun = chart.addSeries(e.getKey() + (y1.isEmpty() ? "" : " (Heun)"), x, y);
            heun.setLineColor(c);
            heun.setMarkerColor(c);
            if (y1.size() == x.size()) {
                var one = chart.addSeries(e.getKey() + " (one-step)", x, y1);
                one.setLineColor(c);
                one.setMarkerColor(c);
                one.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
            }
        }
        String name = png.toString();
        org.knowm.xchart.BitmapEncoder.saveBitmap(chart, name.substring(0, name.length() - 4), org.knowm.xchart.BitmapEncoder.BitmapFormat.PNG);
    }

    static List<Map<String, Object>> curveJson(List<RelearnAttack.Point> curve) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (RelearnAttack.Point p : curve) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", p.step());
            m.put("forgotten_rate", p.forgottenRate());
            if (!Double.isNaN(p.forgottenRateOneStep())) m.put("forgotten_rate_one_step", p.forgottenRateOneStep());
            m.put("loss", Double.isNaN(p.loss()) ? null : p.loss());
            m.put("seconds", p.seconds());
            out.add(m);
        }
        return out;
    }

    static List<RelearnAttack.Point> curveFromJson(Object json) {
        List<RelearnAttack.Point> out = new ArrayList<>();
        for (Object o : (List<?>) json) {
            Map<?, ?> m = (Map<?, ?>) o;
            Object one = m.get("forgotten_rate_one_step"), loss = m.get("loss");
            out.add(new RelearnAttack.Point(((Number) m.get("step")).longValue(), ((Number) m.get("forgotten_rate")).doubleValue(),
                    one == null ? Double.NaN : ((Number) one).doubleValue(), loss == null ? Double.NaN : ((Number) loss).doubleValue(),
                    ((Number) m.get("seconds")).doubleValue()));
        }
        return out;
    }
}
