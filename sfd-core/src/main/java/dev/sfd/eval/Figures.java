package dev.sfd.eval;

import dev.sfd.FormatException;
import dev.sfd.io.Json;
import dev.sfd.unlearn.ForgetPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an evaluation of an unlearned model says about one forget plan: unlearning accuracy (UA, the share of
 * forgotten-label images NOT classified as the forgotten class), the share drawn as the override class, and the
 * remaining classes' accuracy and mean per-class Frechet distance; optionally one row per forgotten class, the
 * per-class table of the remaining-class images, and how the images were drawn. Reports, caches and the stop rule all
 * read and write this one type; {@link #toJson()} and {@link #fromJson} are its only JSON form.
 *
 * @param ua unlearning accuracy, mean over the forgotten classes (NaN when the plan forgets nothing)
 * @param overrideShare share of forgotten-label images classified as their override class (NaN when nothing is forgotten)
 * @param remainAccuracy mean accuracy over the remaining classes
 * @param fdRemain mean per-class Frechet distance over the remaining classes (NaN without reference images)
 * @param perForgetClass one row per forgotten class (may be empty)
 * @param remain the per-class table of the remaining-class images (null when not kept)
 * @param sampling how the images were drawn (null when not recorded)
 */
public record Figures(double ua, double overrideShare, double remainAccuracy, double fdRemain, List<ForgetRow> perForgetClass,
                      ClassTable remain, Sampling sampling) {
    /** UA, override share and the classifier's histogram of the images generated for one forgotten label. */
    public record ForgetRow(int forget, int override, double ua, double overrideShare, int[] histogram) {}

    /**
     * How the judged images were drawn.
     *
     * @param sampler e.g. {@code one-step} or {@code heun-18}
     * @param networkCalls network evaluations per image (0 = unknown)
     * @param forgetSamples images per forgotten label
     * @param remainPerClass images per remaining class
     * @param source where the figures come from (free text, may be null)
     */
    public record Sampling(String sampler, int networkCalls, int forgetSamples, int remainPerClass, String source) {}

    public Figures {
        perForgetClass = List.copyOf(perForgetClass);
    }

    /** Headline figures only. */
    public static Figures of(double ua, double overrideShare, double remainAccuracy, double fdRemain) {
        return new Figures(ua, overrideShare, remainAccuracy, fdRemain, List.of(), null, null);
    }

    /** The same figures with {@code sampling} recorded. */
    public Figures withSampling(Sampling s) { return new Figures(ua, overrideShare, remainAccuracy, fdRemain, perForgetClass, remain, s); }

    /** Share of forgotten-label images classified as the forgotten class ({@code 1 - UA}), what a relearning attack tracks. */
    public double forgottenRate() { return 1 - ua; }

    /** Whether UA and the override share reach the given thresholds (false when either is NaN). */
    public boolean forgotten(double minUa, double minOverrideShare) { return ua >= minUa && overrideShare >= minOverrideShare; }

    /**
     * The figures of {@code plan} from a per-class table of images of EVERY class (for example the stored evaluation of
     * a teacher): UA and override share from the forgotten classes' confusion rows, accuracy and FD over the rest.
     */
    public static Figures ofTable(ClassTable all, ForgetPlan plan, Sampling sampling) {
        String source = sampling != null && sampling.source() != null ? sampling.source() : "class table";
        int[] forget = plan.forgetClasses();
        double ua = 0, ov = 0;
        List<ForgetRow> rows = new ArrayList<>();
        for (int f : forget) {
            int[] row = all.row(f, source).predicted();
            double n = 0;
            for (int k : row) n += k;
            if (plan.overrideOf(f) >= row.length) throw new FormatException("class table (" + source + ") has no class " + plan.overrideOf(f));
            double uaF = 1 - row[f] / n, ovF = row[plan.overrideOf(f)] / n;
            ua += uaF / forget.length;
            ov += ovF / forget.length;
            rows.add(new ForgetRow(f, plan.overrideOf(f), uaF, ovF, row.clone()));
        }
        int[] remain = plan.remainClasses(all.rows().size());
        double acc = 0, fd = 0;
        for (int c : remain) {
            acc += all.row(c, source).accuracy() / remain.length;
            fd += all.row(c, source).fd() / remain.length;
        }
        return new Figures(forget.length == 0 ? Double.NaN : ua, forget.length == 0 ? Double.NaN : ov, acc, fd, rows, all, sampling);
    }

    /**
     * JSON form: {@code ua, as_override, remain_accuracy, fd_remain}, then when present {@code per_forget_class},
     * {@code remain} ({@link ClassTable#toJson()}) and {@code sampler, network_calls_per_image, forget_samples,
     * remain_samples_per_class, source}.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ua", ua);
        m.put("as_override", overrideShare);
        m.put("remain_accuracy", remainAccuracy);
        m.put("fd_remain", fdRemain);
        if (!perForgetClass.isEmpty()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (ForgetRow r : perForgetClass) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("forget", r.forget());
                e.put("override", r.override());
                e.put("ua", r.ua());
                e.put("as_override", r.overrideShare());
                e.put("histogram", r.histogram());
                rows.add(e);
            }
            m.put("per_forget_class", rows);
        }
        if (remain != null) m.put("remain", remain.toJson());
        if (sampling != null) {
            m.put("sampler", sampling.sampler());
            m.put("network_calls_per_image", sampling.networkCalls());
            m.put("forget_samples", sampling.forgetSamples());
            m.put("remain_samples_per_class", sampling.remainPerClass());
            if (sampling.source() != null) m.put("source", sampling.source());
        }
        return m;
    }

    /** Reads {@link #toJson()} (keys it does not know are ignored); {@code source} names the input in error messages. */
    public static Figures fromJson(Map<String, Object> json, String source) {
        List<ForgetRow> rows = new ArrayList<>();
        if (json.get("per_forget_class") instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> e)) throw new FormatException("figures (" + source + "): per_forget_class holds a non-object");
                List<?> h = e.get("histogram") instanceof List<?> l ? l : List.of();
                int[] histogram = new int[h.size()];
                for (int k = 0; k < histogram.length; k++) histogram[k] = (int) Math.round(Json.toDouble(h.get(k)));
                rows.add(new ForgetRow((int) num(e.get("forget"), source, "forget"), (int) num(e.get("override"), source, "override"),
                        num(e.get("ua"), source, "ua"), num(e.get("as_override"), source, "as_override"), histogram));
            }
        }
        @SuppressWarnings("unchecked")
        ClassTable remain = json.get("remain") instanceof Map<?, ?> r ? ClassTable.fromJson((Map<String, Object>) r, source) : null;
        Sampling sampling = null;
        if (json.get("sampler") instanceof String sampler) {
            sampling = new Sampling(sampler, (int) orZero(json.get("network_calls_per_image")), (int) orZero(json.get("forget_samples")),
                    (int) orZero(json.get("remain_samples_per_class")), json.get("source") instanceof String s ? s : null);
        }
        return new Figures(num(json.get("ua"), source, "ua"), num(json.get("as_override"), source, "as_override"),
                num(json.get("remain_accuracy"), source, "remain_accuracy"), num(json.get("fd_remain"), source, "fd_remain"), rows, remain, sampling);
    }

    private static double orZero(Object v) { return v == null ? 0 : Json.toDouble(v); }

    private static double num(Object v, String source, String key) {
        if (v == null) throw new FormatException("figures (" + source + ") have no " + key);
        try {
            return Json.toDouble(v);
        } catch (FormatException e) {
            throw new FormatException("figures (" + source + "): " + key + " is not a number: " + e.getMessage());
        }
    }
}
