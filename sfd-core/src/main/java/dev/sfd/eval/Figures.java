package dev.sfd.eval;

import dev.sfd.FormatException;
import dev.sfd.io.Json;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.OverrideMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an evaluation of an unlearned model says about one forget plan: unlearning accuracy (UA, the share of
 * forgotten-label images NOT classified as the forgotten class), the share drawn as the override, and the
 * remaining classes' accuracy and mean per-class Frechet distance; optionally one row per forgotten class, the
 * per-class table of the remaining-class images, and how the images were drawn. Reports, caches and the stop rule all
 * read and write this one type; {@link #toJson()} and {@link #fromJson} are its only JSON form.
 *
 * <p>The override depends on the run's {@link OverrideMode}: with {@link OverrideMode#FIXED} it is the plan's override
 * class of each forgotten class; with {@link OverrideMode#RANDOM} or {@link OverrideMode#CLASSIFIER} a forgotten label
 * is meant to draw the remaining classes, so the override share is the share classified as any remaining class and the
 * rows' histograms give the distribution over them ({@link ForgetRow#distribution}).
 *
 * @param ua unlearning accuracy, mean over the forgotten classes (NaN when the plan forgets nothing)
 * @param overrideShare share of forgotten-label images classified as their override class (fixed mode) or as a
 *                      remaining class (random and classifier modes); NaN when nothing is forgotten
 * @param remainAccuracy mean accuracy over the remaining classes
 * @param fdRemain mean per-class Frechet distance over the remaining classes (NaN without reference images)
 * @param perForgetClass one row per forgotten class (may be empty)
 * @param remain the per-class table of the remaining-class images (null when not kept)
 * @param sampling how the images were drawn (null when not recorded)
 * @param overrideMode how the run chose the forgotten labels' override (null: fixed)
 * @param second what a second, independent classifier reads from the same images (null when only one judged)
 */
public record Figures(double ua, double overrideShare, double remainAccuracy, double fdRemain, List<ForgetRow> perForgetClass,
                      ClassTable remain, Sampling sampling, OverrideMode overrideMode, SecondJudge second) {
    /**
     * The forgetting figures of the same images as read by a second classifier, trained independently of the first
     * (another architecture and seed): an independent reader of whether the forgotten label still draws its class.
     *
     * @param name the second classifier (for reports)
     * @param ua its unlearning accuracy, mean over the forgotten classes
     * @param overrideShare its override share (or share of remaining classes, as {@link Figures#overrideShare()})
     * @param remainAccuracy its mean accuracy over the remaining classes
     * @param worstUa its lowest UA over the forgotten classes (= {@code ua} with one forgotten class)
     * @param worstOverrideShare its lowest override share over the forgotten classes
     */
    public record SecondJudge(String name, double ua, double overrideShare, double remainAccuracy, double worstUa, double worstOverrideShare) {
        /** A reading of one forgotten class (or without per-class figures): the worst figures are the means. */
        public SecondJudge(String name, double ua, double overrideShare, double remainAccuracy) {
            this(name, ua, overrideShare, remainAccuracy, ua, overrideShare);
        }
    }

    /**
     * UA, override share and the classifier's histogram of the images generated for one forgotten label; {@code override}
     * is {@link #NO_OVERRIDE} when the run had no fixed override class (then {@code overrideShare} is the share classified
     * as a remaining class).
     */
    public record ForgetRow(int forget, int override, double ua, double overrideShare, int[] histogram) {
        /** {@link #override()} of a row without a fixed override class. */
        public static final int NO_OVERRIDE = -1;

        /** Share of this label's images classified as each class ({@code histogram[c] / total}; NaN without images). */
        public double[] distribution() {
            double n = 0;
            for (int k : histogram) n += k;
            double[] d = new double[histogram.length];
            for (int c = 0; c < d.length; c++) d[c] = n == 0 ? Double.NaN : histogram[c] / n;
            return d;
        }
    }

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
        if (overrideMode == null) overrideMode = OverrideMode.FIXED;
    }

    /** Figures of fixed override classes, one judge. */
    public Figures(double ua, double overrideShare, double remainAccuracy, double fdRemain, List<ForgetRow> perForgetClass,
                   ClassTable remain, Sampling sampling) {
        this(ua, overrideShare, remainAccuracy, fdRemain, perForgetClass, remain, sampling, OverrideMode.FIXED, null);
    }

    /** Figures of one judge. */
    public Figures(double ua, double overrideShare, double remainAccuracy, double fdRemain, List<ForgetRow> perForgetClass,
                   ClassTable remain, Sampling sampling, OverrideMode overrideMode) {
        this(ua, overrideShare, remainAccuracy, fdRemain, perForgetClass, remain, sampling, overrideMode, null);
    }

    /** Headline figures only (fixed override classes). */
    public static Figures of(double ua, double overrideShare, double remainAccuracy, double fdRemain) {
        return new Figures(ua, overrideShare, remainAccuracy, fdRemain, List.of(), null, null);
    }

    /** Headline figures only, of a run in override mode {@code mode}. */
    public static Figures of(double ua, double overrideShare, double remainAccuracy, double fdRemain, OverrideMode mode) {
        return new Figures(ua, overrideShare, remainAccuracy, fdRemain, List.of(), null, null, mode);
    }

    /** The same figures with {@code sampling} recorded. */
    public Figures withSampling(Sampling s) { return new Figures(ua, overrideShare, remainAccuracy, fdRemain, perForgetClass, remain, s, overrideMode, second); }

    /** The same figures with a second judge's reading of the same images. */
    public Figures withSecondJudge(SecondJudge s) { return new Figures(ua, overrideShare, remainAccuracy, fdRemain, perForgetClass, remain, sampling, overrideMode, s); }

    /** The lowest UA over the forgotten classes ({@link #ua()} without per-class rows or with one forgotten class). */
    public double worstUa() {
        double w = ua;
        for (ForgetRow r : perForgetClass) w = Math.min(w, r.ua());
        return w;
    }

    /** The lowest override share over the forgotten classes ({@link #overrideShare()} without per-class rows). */
    public double worstOverrideShare() {
        double w = overrideShare;
        for (ForgetRow r : perForgetClass) w = Math.min(w, r.overrideShare());
        return w;
    }

    /**
     * The lowest UA over the forgotten classes and the judges: what a plan of several pairs is judged on, since every
     * pair must be forgotten (equals {@link #uaByBoth()} with one forgotten class).
     */
    public double worstUaByBoth() { return second == null ? worstUa() : Math.min(worstUa(), second.worstUa()); }

    /** The lowest override share over the forgotten classes and the judges (see {@link #worstUaByBoth()}). */
    public double worstOverrideShareByBoth() {
        return second == null ? worstOverrideShare() : Math.min(worstOverrideShare(), second.worstOverrideShare());
    }

    /** UA as the stricter of the two judges reads it ({@link #ua()} when there is no second judge). */
    public double uaByBoth() { return second == null ? ua : Math.min(ua, second.ua()); }

    /** The override share as the stricter of the two judges reads it ({@link #overrideShare()} without a second judge). */
    public double overrideShareByBoth() { return second == null ? overrideShare : Math.min(overrideShare, second.overrideShare()); }

    /** What {@link #overrideShare()} counts, for messages: {@code "as override"} or {@code "as a remaining class"}. */
    public String overrideShareName() { return overrideMode.fixed() ? "as override" : "as a remaining class"; }

    /**
     * The override share of the predicted classes of one forgotten label's images: the share predicted as the fixed
     * {@code override} class, or in random and classifier modes as any class of {@code remain} (ascending).
     */
    public static double overrideShareOf(int[] predictions, int override, int[] remain, OverrideMode mode) {
        if (mode.fixed()) return Metrics.share(predictions, override);
        int n = 0;
        for (int p : predictions) if (java.util.Arrays.binarySearch(remain, p) >= 0) n++;
        return n / (double) predictions.length;
    }

    /** Share of forgotten-label images classified as the forgotten class ({@code 1 - UA}), what a relearning attack tracks. */
    public double forgottenRate() { return 1 - ua; }

    /**
     * Whether UA and the override share reach the given thresholds on every forgotten class by every judge: the first
     * and, when present, the second (false when any of them is NaN). With several forgotten classes the worst class
     * decides ({@link #worstUaByBoth()}), not the mean: a plan is not done while one of its pairs lags.
     */
    public boolean forgotten(double minUa, double minOverrideShare) {
        return worstUaByBoth() >= minUa && worstOverrideShareByBoth() >= minOverrideShare;
    }

    /**
     * The figures of {@code plan} from a per-class table of images of EVERY class (for example the stored evaluation of
     * a teacher): UA and override share from the forgotten classes' confusion rows, accuracy and FD over the rest.
     */
    public static Figures ofTable(ClassTable all, ForgetPlan plan, Sampling sampling) {
        return ofTable(all, plan, OverrideMode.FIXED, sampling);
    }

    /** {@link #ofTable(ClassTable, ForgetPlan, Sampling)} of a run in override mode {@code mode}. */
    public static Figures ofTable(ClassTable all, ForgetPlan plan, OverrideMode mode, Sampling sampling) {
        String source = sampling != null && sampling.source() != null ? sampling.source() : "class table";
        int[] forget = plan.forgetClasses();
        int[] remain = plan.remainClasses(all.rows().size());
        double ua = 0, ov = 0;
        List<ForgetRow> rows = new ArrayList<>();
        for (int f : forget) {
            int[] row = all.row(f, source).predicted();
            double n = 0;
            for (int k : row) n += k;
            double uaF = 1 - row[f] / n, ovF;
            int override = ForgetRow.NO_OVERRIDE;
            if (mode.fixed()) {
                override = plan.overrideOf(f);
                if (override >= row.length) throw new FormatException("class table (" + source + ") has no class " + override);
                ovF = row[override] / n;
            } else {
                double inRemain = 0;
                for (int c : remain) inRemain += row[c];
                ovF = inRemain / n;
            }
            ua += uaF / forget.length;
            ov += ovF / forget.length;
            rows.add(new ForgetRow(f, override, uaF, ovF, row.clone()));
        }
        double acc = 0, fd = 0;
        for (int c : remain) {
            acc += all.row(c, source).accuracy() / remain.length;
            fd += all.row(c, source).fd() / remain.length;
        }
        return new Figures(forget.length == 0 ? Double.NaN : ua, forget.length == 0 ? Double.NaN : ov, acc, fd, rows, all, sampling, mode);
    }

    /**
     * JSON form: {@code ua, as_override, remain_accuracy, fd_remain}, then when present {@code per_forget_class},
     * {@code remain} ({@link ClassTable#toJson()}) and {@code sampler, network_calls_per_image, forget_samples,
     * remain_samples_per_class, source}; with a second judge, {@code second_judge: {classifier, ua, as_override,
     * remain_accuracy}}. In random and classifier override modes {@code override_mode} comes first,
     * {@code as_remaining} replaces {@code as_override}, and each forgotten class's row has no {@code override} but a
     * {@code remain_distribution}: the share of its images per remaining class (class id to share).
     */
    public Map<String, Object> toJson() {
        boolean fixed = overrideMode.fixed();
        String shareKey = fixed ? "as_override" : "as_remaining";
        Map<String, Object> m = new LinkedHashMap<>();
        if (!fixed) m.put("override_mode", overrideMode.id());
        m.put("ua", ua);
        m.put(shareKey, overrideShare);
        m.put("remain_accuracy", remainAccuracy);
        m.put("fd_remain", fdRemain);
        if (!perForgetClass.isEmpty()) {
            java.util.Set<Integer> forgotten = new java.util.HashSet<>();
            for (ForgetRow r : perForgetClass) forgotten.add(r.forget());
            List<Map<String, Object>> rows = new ArrayList<>();
            for (ForgetRow r : perForgetClass) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("forget", r.forget());
                if (fixed) e.put("override", r.override());
                e.put("ua", r.ua());
                e.put(shareKey, r.overrideShare());
                if (!fixed) {
                    Map<String, Object> dist = new LinkedHashMap<>();
                    double[] d = r.distribution();
                    for (int c = 0; c < d.length; c++) if (!forgotten.contains(c)) dist.put(Integer.toString(c), d[c]);
                    e.put("remain_distribution", dist);
                }
                e.put("histogram", r.histogram());
                rows.add(e);
            }
            m.put("per_forget_class", rows);
        }
        if (remain != null) m.put("remain", remain.toJson());
        if (second != null) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("classifier", second.name());
            j.put("ua", second.ua());
            j.put(shareKey, second.overrideShare());
            j.put("remain_accuracy", second.remainAccuracy());
            if (Double.compare(second.worstUa(), second.ua()) != 0) j.put("worst_ua", second.worstUa());
            if (Double.compare(second.worstOverrideShare(), second.overrideShare()) != 0) j.put("worst_" + shareKey, second.worstOverrideShare());
            m.put("second_judge", j);
        }
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
        OverrideMode mode = OverrideMode.FIXED;
        if (json.get("override_mode") != null) {
            try {
                mode = OverrideMode.parse(String.valueOf(json.get("override_mode")));
            } catch (dev.sfd.ConfigException e) {
                throw new FormatException("figures (" + source + "): " + e.getMessage());
            }
        }
        boolean fixed = mode.fixed();
        String shareKey = fixed ? "as_override" : "as_remaining";
        List<ForgetRow> rows = new ArrayList<>();
        if (json.get("per_forget_class") instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> e)) throw new FormatException("figures (" + source + "): per_forget_class holds a non-object");
                List<?> h = e.get("histogram") instanceof List<?> l ? l : List.of();
                int[] histogram = new int[h.size()];
                for (int k = 0; k < histogram.length; k++) histogram[k] = (int) Math.round(Json.toDouble(h.get(k)));
                rows.add(new ForgetRow((int) num(e.get("forget"), source, "forget"),
                        fixed ? (int) num(e.get("override"), source, "override") : ForgetRow.NO_OVERRIDE,
                        num(e.get("ua"), source, "ua"), num(e.get(shareKey), source, shareKey), histogram));
            }
        }
        @SuppressWarnings("unchecked")
        ClassTable remain = json.get("remain") instanceof Map<?, ?> r ? ClassTable.fromJson((Map<String, Object>) r, source) : null;
        Sampling sampling = null;
        if (json.get("sampler") instanceof String sampler) {
            sampling = new Sampling(sampler, (int) orZero(json.get("network_calls_per_image")), (int) orZero(json.get("forget_samples")),
                    (int) orZero(json.get("remain_samples_per_class")), json.get("source") instanceof String s ? s : null);
        }
        SecondJudge second = null;
        if (json.get("second_judge") instanceof Map<?, ?> j) {
            String where = "second_judge.";
            double sua = num(j.get("ua"), source, where + "ua"), sov = num(j.get(shareKey), source, where + shareKey);
            second = new SecondJudge(j.get("classifier") instanceof String n ? n : "second judge", sua, sov,
                    num(j.get("remain_accuracy"), source, where + "remain_accuracy"),
                    j.get("worst_ua") == null ? sua : num(j.get("worst_ua"), source, where + "worst_ua"),
                    j.get("worst_" + shareKey) == null ? sov : num(j.get("worst_" + shareKey), source, where + "worst_" + shareKey));
        }
        return new Figures(num(json.get("ua"), source, "ua"), num(json.get(shareKey), source, shareKey),
                num(json.get("remain_accuracy"), source, "remain_accuracy"), num(json.get("fd_remain"), source, "fd_remain"), rows, remain, sampling,
                mode, second);
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
