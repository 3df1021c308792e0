package dev.sfd.eval;

import dev.sfd.FormatException;
import dev.sfd.io.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-class evaluation of a set of generated images with intended labels: for every class its accuracy, its Frechet
 * distance to the real images of that class, and its row of the confusion matrix (how the images meant as that class
 * were classified). A stored table answers the figures of any forget plan without sampling again
 * ({@link Figures#ofTable}).
 *
 * @param images the number of judged images
 * @param meanAccuracy mean of the per-class accuracies over classes with images
 * @param meanFd mean of the per-class Frechet distances over classes with a value
 * @param rows one row per class, in class order
 */
public record ClassTable(int images, double meanAccuracy, double meanFd, List<Row> rows) {
    /** One class: accuracy, Frechet distance (NaN without reference images) and confusion row {@code predicted[k]}. */
    public record Row(int cls, double accuracy, double fd, int[] predicted) {}

    public ClassTable {
        rows = List.copyOf(rows);
    }

    /** The table of {@code labels} (intended) against {@code predictions}, with per-class accuracy and FD already computed. */
    public static ClassTable of(int[] labels, int[] predictions, double[] perClassAccuracy, double[] perClassFd, int classes) {
        List<Row> rows = new ArrayList<>();
        double accSum = 0, fdSum = 0;
        int accN = 0, fdN = 0;
        for (int c = 0; c < classes; c++) {
            int[] predicted = new int[classes];
            for (int i = 0; i < labels.length; i++) if (labels[i] == c) predicted[predictions[i]]++;
            rows.add(new Row(c, perClassAccuracy[c], perClassFd[c], predicted));
            if (!Double.isNaN(perClassAccuracy[c])) { accSum += perClassAccuracy[c]; accN++; }
            if (!Double.isNaN(perClassFd[c])) { fdSum += perClassFd[c]; fdN++; }
        }
        return new ClassTable(labels.length, accN == 0 ? Double.NaN : accSum / accN, fdN == 0 ? Double.NaN : fdSum / fdN, rows);
    }

    /** Row of class {@code c}; throws naming {@code source} when the table has no such class. */
    public Row row(int c, String source) {
        if (c < 0 || c >= rows.size()) throw new FormatException("class table (" + source + ") has no class " + c + " (it has " + rows.size() + ")");
        return rows.get(c);
    }

    /** Per-class accuracies in class order. */
    public double[] accuracies() {
        double[] a = new double[rows.size()];
        for (int c = 0; c < a.length; c++) a[c] = rows.get(c).accuracy();
        return a;
    }

    /** Per-class Frechet distances in class order. */
    public double[] fds() {
        double[] a = new double[rows.size()];
        for (int c = 0; c < a.length; c++) a[c] = rows.get(c).fd();
        return a;
    }

    /** JSON form: {@code images, mean_accuracy, mean_fd, per_class: [{class, accuracy, fd, predicted}]} (what {@code sfd eval} writes). */
    public Map<String, Object> toJson() {
        List<Map<String, Object>> per = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("class", r.cls());
            m.put("accuracy", r.accuracy());
            m.put("fd", r.fd());
            m.put("predicted", r.predicted());
            per.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("images", images);
        out.put("mean_accuracy", meanAccuracy);
        out.put("mean_fd", meanFd);
        out.put("per_class", per);
        return out;
    }

    /** Reads {@link #toJson()}; {@code source} names the input in error messages. */
    public static ClassTable fromJson(Map<String, Object> json, String source) {
        Object perObj = json.get("per_class");
        if (!(perObj instanceof List<?> per)) throw new FormatException("class table (" + source + ") has no per_class entries");
        List<Row> rows = new ArrayList<>();
        for (int c = 0; c < per.size(); c++) {
            if (!(per.get(c) instanceof Map<?, ?> m)) throw new FormatException("class table (" + source + "): per_class[" + c + "] is not an object");
            Object predObj = m.get("predicted");
            if (!(predObj instanceof List<?> pred)) throw new FormatException("class table (" + source + ") has no confusion row for class " + c);
            int[] predicted = new int[pred.size()];
            for (int k = 0; k < predicted.length; k++) predicted[k] = (int) Math.round(Json.toDouble(pred.get(k)));
            rows.add(new Row(c, number(m.get("accuracy"), source, "accuracy"), number(m.get("fd"), source, "fd"), predicted));
        }
        Object images = json.get("images");
        return new ClassTable(images == null ? 0 : (int) Math.round(Json.toDouble(images)), number(json.get("mean_accuracy"), source, "mean_accuracy"),
                number(json.get("mean_fd"), source, "mean_fd"), rows);
    }

    private static double number(Object v, String source, String key) {
        if (v == null) return Double.NaN;
        try {
            return Json.toDouble(v);
        } catch (FormatException e) {
            throw new FormatException("class table (" + source + "): " + key + " is not a number: " + e.getMessage());
        }
    }
}
