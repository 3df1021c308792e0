package dev.sfd.bench.cli;

import dev.sfd.ConfigException;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.eval.Bar;
import dev.sfd.eval.Figures;
import dev.sfd.io.Json;
import dev.sfd.io.RunCache;
import dev.sfd.models.Evaluator;
import dev.sfd.models.Models;
import dev.sfd.models.data.FashionMnist;
import dev.sfd.models.sweep.PairSweep;
import dev.sfd.unlearn.ForgetRun;
import dev.sfd.unlearn.SfdRecipe;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sfd sweep}: the forgetting recipe on a fixed set of (forget, override) pairs, one row per pair ({@link PairSweep}). */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Run the forgetting recipe on a fixed set of (forget, override) pairs (the required pairs 0->1, 6->0, 4->8, 5->2, "
                + "7->5, then pairs drawn by --seed) and write OUT/sweep.json, OUT/sweep.md (one row per pair: UA, override share, "
                + "remaining accuracy and FD beside the teacher's, iterations, time, bar met) and OUT/sweep.png. Every pair is cached "
                + "in OUT/cache: --resume continues an interrupted sweep without recomputing finished pairs. Exit "
                + SfdCli.EXIT_BELOW_BAR + " when a pair ends below the bar.")
final class SweepCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", description = "default runs/sweep (runs/sweep-quick with --quick)") Path out;
    @Option(names = "--pairs", description = "pairs in the set (default " + PairSweep.DEFAULT_PAIRS + "; the required pairs come first)") Integer pairs;
    @Option(names = "--seed", description = "seed that draws the pairs after the required ones (default " + PairSweep.DEFAULT_SEED
            + "); every run trains with the recipe's own seed") Long seed;
    @Option(names = "--pair", split = ",", description = "explicit pairs instead of the drawn set, e.g. --pair 4->8,5->2") List<String> explicit;
    @Option(names = "--list", description = "print the pair set and exit (runs nothing, writes nothing)") boolean list;
    @Option(names = "--quick", description = "tiny budgets for a smoke test (PairSweep.quick, Budget.QUICK); outputs say QUICK") boolean quick;
    @Option(names = "--robust", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "the robust recipe (forgotten label tied to its override, what the demo runs; default) or plain SFD-Two-Stage (--no-robust)") boolean robust;
    @Option(names = "--resume", description = "continue the sweep in OUT (finished pairs are loaded, an interrupted pair resumes)") boolean resume;
    @Option(names = "--overwrite", description = Output.OVERWRITE_HELP) boolean overwrite;
    @Option(names = "--teacher", defaultValue = "teacher", description = "'teacher' (shipped) or a SongUNet file") String teacherSpec;
    @Option(names = "--classifier", defaultValue = "classifier", description = "'classifier' (shipped) or a file") String classifierSpec;
    @Option(names = "--from-stage1", description = "stage 1 of the two-stage recipe: 'shipped' (default with the shipped teacher) or a folder; "
            + "without one the recipe is one stage from the teacher") String fromStage1;
    @Option(names = "--eval-samples", description = "forgotten-label samples per pair in the final evaluation (default "
            + PairSweep.Budget.FULL_FORGET_SAMPLES + "; quick " + PairSweep.Budget.QUICK_FORGET_SAMPLES + ")") Integer evalSamples;
    @Option(names = "--eval-per-class", description = "samples per remaining class in the final evaluation (default "
            + PairSweep.Budget.FULL_PER_CLASS + "; quick " + PairSweep.Budget.QUICK_PER_CLASS + ")") Integer evalPerClass;
    @Option(names = "--teacher-per-class", description = "Heun-18 teacher samples per class for the teacher's figures when they cannot come from "
            + "the shipped teacher's stored evaluation (default: --eval-per-class)") Integer teacherPerClass;

    @Override
    public Integer call() throws IOException {
        if (resume && overwrite) throw new ConfigException("--resume and --overwrite contradict each other: choose one");
        if (explicit != null && (pairs != null || seed != null)) throw new ConfigException("--pair gives the set itself: drop --pairs / --seed");
        long pairSeed = seed != null ? seed : PairSweep.DEFAULT_SEED;
        PairSweep.Budget budget = budget();
        if (teacherPerClass != null) ConfigException.requirePositive("--teacher-per-class", teacherPerClass);
        EdmPrecond teacher = Suite.teacher(teacherSpec);
        int classes = teacher.labelDim();
        List<PairSweep.Pair> set = explicit != null ? PairSweep.requireValid(explicit.stream().map(PairSweep.Pair::parse).toList(), classes)
                : PairSweep.pairs(classes, pairs != null ? pairs : PairSweep.DEFAULT_PAIRS, pairSeed);
        for (PairSweep.Pair p : set) ForgetRun.requireForgettable(teacher, p.plan());
        if (list) {
            for (PairSweep.Pair p : set) System.out.println(p + "  " + name(p.forget()) + " -> " + name(p.override()));
            return 0;
        }
        Evaluator ev = Suite.evaluator(classifierSpec);
        SfdRecipe recipe = recipe(teacher);
        Path dir = out != null ? out : Path.of(quick ? "runs/sweep-quick" : "runs/sweep");
        String setText = String.join(",", set.stream().map(PairSweep.Pair::toString).toList());
        Map<String, Object> identity = new LinkedHashMap<>(recipe.config().toMap());
        identity.put("quick", quick);
        identity.put("budget", budget.toString());
        Output.claim(dir, resume, overwrite, "sweep", setText, pairSeed, identity);

        long t0 = System.nanoTime();
        PairSweep.TeacherReference ref = teacherReference(teacher, ev, budget);
        PairSweep sweep = new PairSweep(teacher, recipe, ev, ref, budget, new RunCache(dir.resolve("cache")));
        List<PairSweep.Row> rows = sweep.run(set, new ConsoleListener());
        double seconds = (System.nanoTime() - t0) / 1e9;
        write(dir, rows, recipe, sweep, ref, budget, pairSeed, seconds);
        List<PairSweep.Row> below = PairSweep.belowBar(rows);
        System.out.println("sweep: " + (rows.size() - below.size()) + " of " + rows.size() + " pairs meet the bar; " + dir.resolve("sweep.md"));
        if (below.isEmpty()) return 0;
        System.err.println("sfd: sweep finished BELOW THE BAR on " + below.size() + " pair(s) (exit " + SfdCli.EXIT_BELOW_BAR + "): "
                + String.join("; ", below.stream().map(r -> r.pair() + " " + r.verdict().summary()).toList()));
        return SfdCli.EXIT_BELOW_BAR;
    }

    /** The shipped teacher's stored evaluation when teacher and judge are the shipped ones, else fresh Heun samples of the teacher. */
    private PairSweep.TeacherReference teacherReference(EdmPrecond teacher, Evaluator ev, PairSweep.Budget budget) {
        PairSweep.TeacherReference ref = PairSweep.TeacherReference.storedFor("teacher".equals(teacherSpec), "classifier".equals(classifierSpec));
        if (ref != null) return ref;
        int n = teacherPerClass != null ? teacherPerClass : budget.perClass();
        System.err.println("sweep: teacher samples (Heun, 18 steps, " + n + " per class) for the teacher's figures ...");
        return PairSweep.TeacherReference.sample(teacher, ev, n, 18, 1);
    }

    /** Progress on stderr: each pair's start, its forgetting run's progress bar, and its figures and verdict at its end. */
    private static final class ConsoleListener implements PairSweep.Listener {
        private ConsoleRun view;

        @Override
        public void onPairStart(PairSweep.Pair p, Path folder, boolean cached) {
            System.err.println("sweep: pair " + p + " (" + name(p.forget()) + " -> " + name(p.override()) + ")" + (cached ? ": cached" : " ..."));
        }

        @Override
        public ForgetRun attach(PairSweep.Pair p, ForgetRun run) {
            view = new ConsoleRun(p.toString());
            return run.addListener(view);
        }

        @Override
        public void onPairEnd(PairSweep.Row row) {
            if (view != null) view.close();
            view = null;
            System.err.printf("sweep: %s UA %.3f, as override %.3f, accuracy %.2fx, FD %.2fx the teacher's, %d iterations, %.0f s: %s%n",
                    row.pair(), row.generator().ua(), row.generator().overrideShare(), row.accuracyRatio(), row.fdRatio(), row.iterations(),
                    row.seconds(), row.verdict().summary());
        }
    }

    private PairSweep.Budget budget() {
        PairSweep.Budget b = quick ? PairSweep.Budget.QUICK : PairSweep.Budget.FULL;
        if (evalSamples != null) ConfigException.requirePositive("--eval-samples", evalSamples);
        if (evalPerClass != null) ConfigException.requirePositive("--eval-per-class", evalPerClass);
        if (evalSamples == null && evalPerClass == null) return b;
        return new PairSweep.Budget(b.name() + "*", evalSamples != null ? evalSamples : b.forgetSamples(),
                evalPerClass != null ? evalPerClass : b.perClass(), b.seed());
    }

    /** Robust (or plain) SFD-Two-Stage from the stage 1, else one stage from the teacher; scaled down by --quick. */
    private SfdRecipe recipe(EdmPrecond teacher) {
        String s1 = fromStage1 != null ? fromStage1 : "teacher".equals(teacherSpec) && Models.shippedStage1() ? "shipped" : null;
        SfdRecipe r;
        if (s1 != null) {
            Models.Stage1 stage1 = Models.stage1(s1);
            Models.requireSameArchitecture(teacher, stage1.generator().network(), "stage-1 generator " + stage1.source());
            Models.requireSameArchitecture(teacher, stage1.fake(), "stage-1 fake score network " + stage1.source());
            r = robust ? SfdRecipe.robust(stage1.networks()) : SfdRecipe.twoStage(stage1.networks());
        } else {
            r = SfdRecipe.oneStage();
            if (robust) r = r.config(r.config().tieForgotten(true));
        }
        return quick ? PairSweep.quick(r) : r;
    }

    private void write(Path dir, List<PairSweep.Row> rows, SfdRecipe recipe, PairSweep sweep, PairSweep.TeacherReference ref,
                       PairSweep.Budget budget, long pairSeed, double seconds) throws IOException {
        String mode = quick ? "QUICK" : "full";
        StringBuilder md = new StringBuilder();
        md.append("# Forgetting sweep (").append(mode).append(")\n\n");
        if (quick) md.append("**QUICK MODE: tiny budgets; a smoke test, not a measurement.**\n\n");
        md.append("Recipe: ").append(recipe.name()).append(". Final evaluation per pair: ").append(budget.forgetSamples())
                .append(" one-step samples of the forgotten label, ").append(budget.perClass()).append(" per remaining class; FD ratio at the teacher's ")
                .append(ref.perClass()).append(" per class (teacher: ").append(ref.source()).append(").\n");
        md.append(String.format("Bar: UA >= %.2f, override >= %.2f, remaining accuracy >= %.2fx and FD <= %.1fx the teacher's.%n%n",
                Bar.UA, Bar.OVERRIDE, Bar.ACCURACY_RATIO, Bar.FD_RATIO));
        md.append(String.format("Judge ceiling: the share of REAL test images of the override class that a judge does NOT read as the forgotten "
                + "class; a generator that draws the override exactly like real images gets this UA, not 1. The bar stays as it is; "
                + "'at ceiling' is a separate criterion: UA by both judges >= the lower of %.2f and both judges' ceiling.%n%n", Bar.UA));
        md.append("| pair | classes | UA (shipped / second judge) | as override (shipped / second) | judge ceiling: real override images not read "
                + "as the forgotten class (shipped / second) | teacher's samples: same (shipped) | teacher's accuracy on the override class "
                + "| remaining acc. (teacher) | acc. ratio | FD at teacher count (teacher) | FD ratio | iterations (generator from) | stop | time "
                + "| bar | at ceiling |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---|\n");
        List<Map<String, Object>> json = new ArrayList<>();
        for (PairSweep.Row r : rows) {
            Bar.Verdict v = r.verdict();
            Figures.SecondJudge sj = r.generator().second();
            md.append(String.format("| %s | %s -> %s | %.3f / %s | %.3f / %s | %s | %.2f | %.2f | %.3f (%.3f) | %.2f | %.2f (%.2f) | %.2f | %d (%d) | %s "
                            + "| %.0f s%s | %s | %s |%n",
                    r.pair(), name(r.pair().forget()), name(r.pair().override()), r.generator().ua(), sj == null ? "-" : String.format("%.3f", sj.ua()),
                    r.generator().overrideShare(), sj == null ? "-" : String.format("%.3f", sj.overrideShare()), ceiling(r.ceiling()),
                    r.teacherOverrideNotForgotten(), r.teacherOverrideClassAccuracy(),
                    r.generator().remainAccuracy(), r.teacher().remainAccuracy(), r.accuracyRatio(), r.fdAtTeacherCount(), r.teacher().fdRemain(),
                    r.fdRatio(), r.iterations(), r.generatorStep(), r.stopOutcome(), r.seconds(), r.resumed() ? " (resumed)" : "",
                    v.met() ? "met" : "**below**: " + String.join(", ", v.failures().stream().map(Bar.Failure::figure).toList()),
                    r.ceiling() == null ? "-" : r.atJudgeCeiling() ? "yes" : "no"));
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("pair", r.pair().toString());
            j.put("forget_name", name(r.pair().forget()));
            j.put("override_name", name(r.pair().override()));
            j.putAll(r.toJson());
            j.put("cached", r.cached());
            json.add(j);
        }
        List<PairSweep.Row> below = PairSweep.belowBar(rows);
        md.append(String.format("%n%d of %d pairs meet the bar. Command: `./sfd %s`; total time %.0f s (cached pairs keep their own times).%n",
                rows.size() - below.size(), rows.size(), command(), seconds));
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("mode", mode);
        if (quick) top.put("warning", "QUICK MODE: tiny budgets; the numbers are a smoke test");
        top.put("command", "./sfd " + command());
        top.put("pair_seed", pairSeed);
        top.put("pairs", rows.stream().map(r -> r.pair().toString()).toList());
        top.put("recipe", recipe.name());
        top.put("settings", sweep.settings());
        top.put("teacher_reference", ref.source());
        top.put("teacher_per_class", ref.perClass());
        Map<String, Object> bar = new LinkedHashMap<>();
        bar.put("ua", Bar.UA);
        bar.put("as_override", Bar.OVERRIDE);
        bar.put("remain_accuracy_ratio", Bar.ACCURACY_RATIO);
        bar.put("fd_remain_ratio", Bar.FD_RATIO);
        top.put("bar", bar);
        top.put("relative_criterion", "ua_at_judge_ceiling: UA by both judges >= min(" + Bar.UA + ", both judges' ceiling on real "
                + "override-class test images); reported beside bar_met, never part of it");
        top.put("bar_met_all", below.isEmpty());
        top.put("below_bar", below.stream().map(r -> r.pair().toString()).toList());
        top.put("seconds", seconds);
        top.put("rows", json);
        dev.sfd.io.AtomicFiles.writeString(dir.resolve("sweep.md"), md.toString());
        Json.write(dir.resolve("sweep.json"), top);
        figure(dir.resolve("sweep.png"), rows);
        System.out.print(md);
    }

    /**
     * Three panels against their bars: UA with the override share drawn over it (never larger: an image drawn as the
     * override is not drawn as the forgotten class), the remaining-class accuracy ratio, and the FD ratio at equal counts.
     */
    private void figure(Path png, List<PairSweep.Row> rows) throws IOException {
        List<String> x = rows.stream().map(r -> r.pair() + (r.verdict().met() ? "" : " *")).toList();
        String prefix = quick ? "QUICK: " : "";
        int width = Math.max(800, 90 * rows.size());
        CategoryChart forget = chart(prefix + "forgotten label per pair (* = below the bar)", "share of samples", width);
        forget.addSeries("UA (not the forgotten class)", x, rows.stream().map(r -> finite(r.generator().ua())).toList());
        forget.addSeries("as override", x, rows.stream().map(r -> finite(r.generator().overrideShare())).toList());
        line(forget, "UA bar " + Bar.UA, x, Bar.UA);
        line(forget, "override bar " + Bar.OVERRIDE, x, Bar.OVERRIDE);
        CategoryChart acc = chart(prefix + "remaining-class accuracy / the teacher's", "ratio", width);
        acc.addSeries("accuracy ratio", x, rows.stream().map(r -> finite(r.accuracyRatio())).toList());
        line(acc, "bar: at least " + Bar.ACCURACY_RATIO, x, Bar.ACCURACY_RATIO);
        CategoryChart fd = chart(prefix + "remaining-class FD / the teacher's (equal sample counts)", "ratio", width);
        fd.addSeries("FD ratio", x, rows.stream().map(r -> finite(r.fdRatio())).toList());
        line(fd, "bar: at most " + Bar.FD_RATIO, x, Bar.FD_RATIO);
        List<BufferedImage> parts = List.of(BitmapEncoder.getBufferedImage(forget), BitmapEncoder.getBufferedImage(acc), BitmapEncoder.getBufferedImage(fd));
        int h = parts.stream().mapToInt(BufferedImage::getHeight).sum();
        BufferedImage all = new BufferedImage(parts.stream().mapToInt(BufferedImage::getWidth).max().orElse(width), h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, all.getWidth(), all.getHeight());
        int y = 0;
        for (BufferedImage p : parts) {
            g.drawImage(p, 0, y, null);
            y += p.getHeight();
        }
        g.dispose();
        dev.sfd.io.AtomicFiles.write(png, o -> javax.imageio.ImageIO.write(all, "png", o));
    }

    private static CategoryChart chart(String title, String yTitle, int width) {
        CategoryChart c = new CategoryChartBuilder().width(width).height(300).title(title).xAxisTitle("forget -> override").yAxisTitle(yTitle).build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setOverlapped(true); // one slot per pair: the bar lines run through the bars
        return c;
    }

    private static void line(CategoryChart c, String name, List<String> x, double y) {
        c.addSeries(name, x, x.stream().map(k -> y).toList()).setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
    }

    /** {@code "0.930 / 0.910"} (shipped / second judge) or {@code "-"} when unknown. */
    private static String ceiling(dev.sfd.eval.JudgeCeiling c) {
        if (c == null) return "-";
        return String.format("%.3f / %s", c.ua(), c.hasSecond() ? String.format("%.3f", c.secondUa()) : "-");
    }

    private static double finite(double v) { return Double.isFinite(v) ? v : 0; }

    private String command() {
        List<String> args = spec != null && spec.commandLine().getParseResult() != null ? spec.commandLine().getParseResult().originalArgs() : List.of();
        if (!args.isEmpty() && args.get(0).equals("sweep")) return String.join(" ", args);
        return "sweep" + (args.isEmpty() ? "" : " " + String.join(" ", args));
    }

    private static String name(int c) { return c < FashionMnist.CLASS_NAMES.size() ? FashionMnist.CLASS_NAMES.get(c) : Integer.toString(c); }
}
