package dev.sfd.bench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG charts with XChart. */
final class Plots {
    private Plots() {}

    /** Plots column 2 of a "step,loss,..." CSV (with a moving average) to a PNG. */
    static void lossCurve(Path csv, Path png, String title) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<Double> x = new ArrayList<>(), y = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] p = lines.get(i).split(",");
            if (p.length < 2) continue;
            x.add(Double.parseDouble(p[0]));
            y.add(Double.parseDouble(p[1]));
        }
        if (x.isEmpty()) return;
        Map<String, List<Double>> series = new java.util.LinkedHashMap<>();
        series.put("loss (moving average)", movingAverage(y, Math.max(1, y.size() / 50)));
        chart(png, title, "step", "loss", x, series);
    }

    static List<Double> movingAverage(List<Double> y, int w) {
        List<Double> out = new ArrayList<>(y.size());
        double sum = 0;
        for (int i = 0; i < y.size(); i++) {
            sum += y.get(i);
            if (i >= w) sum -= y.get(i - w);
            out.add(sum / Math.min(i + 1, w));
        }
        return out;
    }

    static void chart(Path png, String title, String xLabel, String yLabel, List<Double> x, Map<String, List<Double>> series) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(480).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (Map.Entry<String, List<Double>> e : series.entrySet()) {
            chart.addSeries(e.getKey(), x.subList(0, e.getValue().size()), e.getValue()).setMarker(SeriesMarkers.NONE);
        }
        String name = png.toString();
        BitmapEncoder.saveBitmap(chart, name.endsWith(".png") ? name.substring(0, name.length() - 4) : name, BitmapEncoder.BitmapFormat.PNG);
    }
}
