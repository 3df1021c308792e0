package dev.sfd.bench.cli;

import dev.sfd.eval.Metrics;
import dev.sfd.models.Evaluator;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.ForgetPlan;
import java.util.LinkedHashMap;
import java.util.Map;

/** The same figures as for a generator, computed on teacher samples (one block of {@code perClass} per class). */
final class TeacherFigures {
    private TeacherFigures() {}

    static Map<String, Object> of(Evaluator ev, Tensor images, int perClass, ForgetPlan plan) {
        int classes = ev.classifier().numClasses();
        int[] labels = Evaluator.classLabels(classes, perClass);
        Evaluator.Result r = ev.judge(images, labels);
        int[] forget = plan.forgetClasses();
        int[] remain = plan.remainClasses(classes);
        double ua = 0, ov = 0;
        for (int f : forget) {
            int[] pred = java.util.Arrays.copyOfRange(r.predictions(), f * perClass, (f + 1) * perClass);
            ua += Metrics.unlearningAccuracy(pred, f) / forget.length;
            ov += Metrics.share(pred, plan.overrideOf(f)) / forget.length;
        }
        double acc = 0, fd = 0;
        for (int c : remain) {
            acc += r.perClassAccuracy()[c] / remain.length;
            fd += r.perClassFd()[c] / remain.length;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sampler", "heun-18");
        m.put("ua", ua);
        m.put("as_override", ov);
        m.put("remain_accuracy", acc);
        m.put("fd_remain", fd);
        m.put("all_classes", Reports.perClass(r, classes));
        return m;
    }
}
