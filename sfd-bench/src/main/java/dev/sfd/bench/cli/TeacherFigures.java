package dev.sfd.bench.cli;

import dev.sfd.SfdException;
import dev.sfd.io.Json;
import dev.sfd.models.Evaluator;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.ForgetPlan;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The same figures as for a generator, for the teacher: from fresh Heun samples (one block of {@code perClass}
 * per class), or from a stored per-class evaluation ({@link Reports#perClass}: accuracy, FD and the row of the
 * confusion matrix of every class), which answers any forget plan without sampling again.
 */
final class TeacherFigures {
    private TeacherFigures() {}

    static Map<String, Object> of(Evaluator ev, Tensor images, int perClass, ForgetPlan plan) {
        int classes = ev.classifier().numClasses();
        // through JSON, so fresh and stored evaluations are read by the same code
        Map<String, Object> all = Json.parseMap(Json.write(Reports.perClass(ev.judge(images, Evaluator.classLabels(classes, perClass)), classes)));
        return fromEvaluation(all, plan, "heun-18", "fresh: " + perClass + " Heun-18 samples per class");
    }

    /** Figures of {@code plan} from a per-class evaluation (the JSON {@code ./sfd eval} writes). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> fromEvaluation(Map<String, Object> all, ForgetPlan plan, String sampler, String source) {
        List<Map<String, Object>> per = (List<Map<String, Object>>) all.get("per_class");
        if (per == null) throw new SfdException("teacher evaluation (" + source + ") has no per_class entries");
        int classes = per.size();
        double ua = 0, ov = 0;
        for (int f : plan.forgetClasses()) {
            List<Object> row = (List<Object>) rowOf(per, f, source).get("predicted");
            if (row == null) throw new SfdException("teacher evaluation (" + source + ") has no confusion row for class " + f);
            double n = 0;
            for (Object o : row) n += Json.toDouble(o);
            ua += (1 - Json.toDouble(row.get(f)) / n) / plan.forgetClasses().length;
            ov += Json.toDouble(row.get(plan.overrideOf(f))) / n / plan.forgetClasses().length;
        }
        int[] remain = plan.remainClasses(classes);
        double acc = 0, fd = 0;
        for (int c : remain) {
            Map<String, Object> e = rowOf(per, c, source);
            acc += Json.toDouble(e.get("accuracy")) / remain.length;
            fd += Json.toDouble(e.get("fd")) / remain.length;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sampler", sampler);
        m.put("source", source);
        m.put("ua", ua);
        m.put("as_override", ov);
        m.put("remain_accuracy", acc);
        m.put("fd_remain", fd);
        m.put("all_classes", all);
        return m;
    }

    private static Map<String, Object> rowOf(List<Map<String, Object>> per, int c, String source) {
        if (c < 0 || c >= per.size()) throw new SfdException("teacher evaluation (" + source + ") has no class " + c);
        return per.get(c);
    }
}
