package dev.sfd.bench.cli;

import dev.sfd.models.Evaluator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shapes evaluation results into report maps (JSON). */
final class Reports {
    private Reports() {}

    static Map<String, Object> perClass(Evaluator.Result r, int classes) {
        List<Map<String, Object>> per = new ArrayList<>();
        double accSum = 0, fdSum = 0;
        int accN = 0, fdN = 0;
        for (int c = 0; c < classes; c++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("class", c);
            m.put("accuracy", r.perClassAccuracy()[c]);
            m.put("fd", r.perClassFd()[c]);
            // confusion-matrix row: how the images meant as class c were classified
            int[] predicted = new int[classes];
            for (int i = 0; i < r.labels().length; i++) if (r.labels()[i] == c) predicted[r.predictions()[i]]++;
            m.put("predicted", predicted);
            per.add(m);
            if (!Double.isNaN(r.perClassAccuracy()[c])) { accSum += r.perClassAccuracy()[c]; accN++; }
            if (!Double.isNaN(r.perClassFd()[c])) { fdSum += r.perClassFd()[c]; fdN++; }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("images", r.labels().length);
        out.put("mean_accuracy", accN == 0 ? Double.NaN : accSum / accN);
        out.put("mean_fd", fdN == 0 ? Double.NaN : fdSum / fdN);
        out.put("per_class", per);
        return out;
    }
}
