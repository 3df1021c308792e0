package dev.sfd.bench.cli;

import dev.sfd.eval.Figures;
import dev.sfd.unlearn.ForgetRun;
import dev.sfd.unlearn.StopRule;
import java.io.IOException;
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
 * Console view of a {@link ForgetRun}: a progress bar per stage, one line per quick evaluation and per stop decision,
 * and the loss and evaluation curves of the forgetting run ({@link #writeCurves}).
 */
final class ConsoleRun implements ForgetRun.Listener {
    private final String title;
    private Progress bar;
    private String stage;
    private final List<Double> lossSteps = new ArrayList<>();
    private final Map<String, List<Double>> losses = new LinkedHashMap<>();
    private final List<Double> evalSteps = new ArrayList<>();
    private final Map<String, List<Double>> evals = new LinkedHashMap<>();

    ConsoleRun(String title) { this.title = title; }

    /** Runs {@code run} with this view attached and closes the bar whatever happens. */
    ForgetRun.Result run(ForgetRun run) {
        run.addListener(this);
        try {
            return run.run();
        } finally {
            if (bar != null) bar.close();
        }
    }

    /** Closes the progress bar (when the view was attached with {@link ForgetRun#addListener} rather than {@link #run}). */
    void close() {
        if (bar != null) bar.close();
        bar = null;
    }

    @Override
    public void onStageStart(String name, long step, long maxSteps) {
        if (bar != null) bar.close();
        stage = name;
        if (step > 0) System.err.println("resumed " + name + " at step " + step);
        bar = new Progress("sfd " + title + (name.equals("forget") ? "" : " (" + name + ")"), maxSteps, step,
                "gen_forget", "gen_remain", "gen_keep", "ua", "as_override", "as_remaining");
        if (name.equals("forget")) {
            lossSteps.clear();
            losses.clear();
            evalSteps.clear();
            evals.clear();
        }
    }

    @Override
    public void onStep(String name, long step, long maxSteps, Map<String, Double> f) {
        lossSteps.add((double) step);
        f.forEach((k, v) -> { if (!k.equals("seconds")) losses.computeIfAbsent(k, x -> new ArrayList<>()).add(v); });
        Map<String, Double> shown = new LinkedHashMap<>(f);
        evals.forEach((k, v) -> shown.put(k, v.get(v.size() - 1)));
        bar.onStep(step, maxSteps, shown);
    }

    @Override
    public void onEvaluation(String name, long step, Figures quick) {
        evalSteps.add((double) step);
        Map<String, Double> m = new LinkedHashMap<>();
        if (!Double.isNaN(quick.ua())) {
            m.put("ua", quick.ua());
            m.put(quick.overrideMode().fixed() ? "as_override" : "as_remaining", quick.overrideShare());
        }
        m.put("remain_accuracy", quick.remainAccuracy());
        if (!Double.isNaN(quick.fdRemain())) m.put("fd_remain_quick", quick.fdRemain());
        m.forEach((k, v) -> evals.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        System.err.printf("%neval @%d: %s%n", step, m);
    }

    @Override
    public void onDecision(StopRule.Decision d) {
        if (d.outcome() != StopRule.Outcome.PLANNED_LENGTH) System.err.printf("%nsfd: %s%n", d.reason());
    }

    /** Losses (left axis) and quick-evaluation figures (right axes) of the forgetting run over iterations. */
    void writeCurves(Path png) throws IOException {
        if (lossSteps.isEmpty()) return;
        XYChart chart = new XYChartBuilder().width(900).height(500).title("SFD " + title + ": losses and forgetting").xAxisTitle("iteration").build();
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.setYAxisGroupTitle(0, "loss (moving average)");
        chart.setYAxisGroupTitle(1, "share of samples");
        for (Map.Entry<String, List<Double>> e : losses.entrySet()) {
            List<Double> y = Plots.movingAverage(e.getValue(), Math.max(1, e.getValue().size() / 40));
            chart.addSeries(e.getKey(), lossSteps.subList(lossSteps.size() - y.size(), lossSteps.size()), y).setMarker(SeriesMarkers.NONE).setYAxisGroup(0);
        }
        for (Map.Entry<String, List<Double>> e : evals.entrySet()) {
            if (e.getValue().size() != evalSteps.size()) continue;
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

    /** The stop decision as report JSON. */
    static Map<String, Object> stopJson(StopRule.Decision d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outcome", d.outcome().name());
        m.put("step", d.step());
        m.put("reason", d.reason());
        return m;
    }

    /**
     * The honest end of a forgetting command: 0 when {@code verdict} meets the bar, else one line on stderr naming the
     * failing figures and how the run stopped, and {@link SfdCli#EXIT_BELOW_BAR}.
     */
    static int verdictExit(String command, dev.sfd.eval.Bar.Verdict verdict, StopRule.Decision stop) {
        if (verdict.met()) {
            if (!verdict.unjudged().isEmpty()) System.err.println(command + ": " + verdict.summary());
            return 0;
        }
        System.err.println("sfd: " + command + " finished BELOW THE BAR (exit " + SfdCli.EXIT_BELOW_BAR + "): " + verdict.failureText()
                + "; the run stopped with " + stop.outcome() + " (" + stop.reason() + ")");
        return SfdCli.EXIT_BELOW_BAR;
    }
}
