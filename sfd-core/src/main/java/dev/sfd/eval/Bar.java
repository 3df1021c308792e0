package dev.sfd.eval;

import dev.sfd.SfdException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The product's bar for a forgetting run, judged on its final evaluation: the forgotten label draws something else
 * (UA &gt;= {@value #UA}), that something is the override (override share &gt;= {@value #OVERRIDE}), and the
 * remaining classes keep the teacher's quality (accuracy &gt;= {@value #ACCURACY_RATIO} x the teacher's, Frechet
 * distance &lt;= {@value #FD_RATIO} x the teacher's at equal sample counts, because FD grows as samples shrink).
 * {@link #PRODUCT} is that bar; {@link #check} says which figures fail it. A comparison whose teacher figure is
 * unknown (NaN) is not judged and named in {@link Verdict#unjudged()}.
 *
 * <p>The judges themselves cap UA: a judge that reads some real images of the override class as the forgotten class
 * reads the same share of a perfect override as the forgotten class ({@link JudgeCeiling}), and one that recognises
 * only some real images of the override caps the override share alike. When the inputs carry that ceiling, a failing UA
 * or override share names it in its message; the bar itself does not move. {@link #atJudgeCeiling} is a
 * separate, relative criterion (UA at least the judges' ceiling), reported beside the bar, never instead of it.
 *
 * @param minUa lowest UA that passes
 * @param minOverride lowest override share that passes
 * @param minAccuracyRatio lowest remaining-class accuracy as a multiple of the teacher's
 * @param maxFdRatio highest remaining-class FD as a multiple of the teacher's (equal sample counts)
 */
public record Bar(double minUa, double minOverride, double minAccuracyRatio, double maxFdRatio) {
    /** UA the product requires. */
    public static final double UA = 0.99;
    /** Override share the product requires. */
    public static final double OVERRIDE = 0.90;
    /** Remaining-class accuracy the product requires, as a multiple of the teacher's. */
    public static final double ACCURACY_RATIO = 0.95;
    /** Remaining-class FD the product allows, as a multiple of the teacher's at equal sample counts. */
    public static final double FD_RATIO = 1.5;
    /** The product's bar. */
    public static final Bar PRODUCT = new Bar(UA, OVERRIDE, ACCURACY_RATIO, FD_RATIO);

    public Bar {
        if (!(minUa >= 0 && minUa <= 1) || !(minOverride >= 0 && minOverride <= 1)) {
            throw new SfdException("Bar: UA and override thresholds are shares in [0, 1], got " + minUa + ", " + minOverride);
        }
        if (!(minAccuracyRatio >= 0) || !(maxFdRatio > 0)) {
            throw new SfdException("Bar: accuracy ratio must be >= 0 and FD ratio > 0, got " + minAccuracyRatio + ", " + maxFdRatio);
        }
    }

    /**
     * The figures a verdict is made from.
     *
     * @param ua unlearning accuracy of the forgotten labels: of the worst forgotten class by the stricter judge when a plan
     *           has several ({@link Figures#worstUaByBoth()}), since every pair must meet the bar
     * @param overrideShare share of forgotten-label images classified as their override (worst class, stricter judge)
     * @param remainAccuracy remaining-class accuracy of the generator
     * @param teacherAccuracy the teacher's remaining-class accuracy (NaN = unknown)
     * @param fdRemain the generator's remaining-class FD at the teacher's sample count
     * @param teacherFd the teacher's remaining-class FD (NaN = unknown)
     * @param ceiling what the judges read on real images of the override classes (null = not measured)
     */
    public record Inputs(double ua, double overrideShare, double remainAccuracy, double teacherAccuracy, double fdRemain, double teacherFd,
                         JudgeCeiling ceiling) {
        /** Inputs without a measured judge ceiling. */
        public Inputs(double ua, double overrideShare, double remainAccuracy, double teacherAccuracy, double fdRemain, double teacherFd) {
            this(ua, overrideShare, remainAccuracy, teacherAccuracy, fdRemain, teacherFd, null);
        }

        /**
         * The inputs of a forgetting run judged against its teacher, from the library's figures: UA and override share of
         * the worst forgotten class by both judges ({@link Figures#worstUaByBoth()}, {@link Figures#worstOverrideShareByBoth()}),
         * the generator's remaining-class accuracy, its remaining-class FD at the teacher's image count, and the teacher's
         * remaining-class accuracy and FD from its figures of the same plan. This is how every caller of the bar assembles its
         * inputs; a comparison that cannot be made is left unjudged ({@link Verdict#unjudged()}), never failed.
         *
         * @param generator the generator's figures (its own FD at its own count is not compared; see {@code fdAtTeacherCount})
         * @param fdAtTeacherCount the generator's remaining-class FD at the teacher's images per class (FD grows as samples
         *                         shrink, so it is compared at equal counts); NaN when it was not measured (an evaluator without
         *                         reference images): the FD comparison is then not judged
         * @param teacher the teacher's figures of the same plan (null when unknown: accuracy and FD are then not judged)
         * @param ceiling the judges' own ceiling on real images of the override classes (null when not measured)
         */
        public static Inputs of(Figures generator, double fdAtTeacherCount, Figures teacher, JudgeCeiling ceiling) {
            if (generator == null) throw new SfdException("Bar.Inputs: the generator's figures are required");
            double teacherAccuracy = teacher == null ? Double.NaN : teacher.remainAccuracy();
            double teacherFd = teacher == null || Double.isNaN(fdAtTeacherCount) ? Double.NaN : teacher.fdRemain();
            return new Inputs(generator.worstUaByBoth(), generator.worstOverrideShareByBoth(), generator.remainAccuracy(), teacherAccuracy,
                    fdAtTeacherCount, teacherFd, ceiling);
        }

        /** Generator accuracy / teacher accuracy (NaN when the teacher's is unknown). */
        public double accuracyRatio() { return remainAccuracy / teacherAccuracy; }

        /** Generator FD / teacher FD at equal counts (NaN when the teacher's is unknown). */
        public double fdRatio() { return fdRemain / teacherFd; }
    }

    /**
     * One failing figure: its name ({@code ua}, {@code as_override}, {@code remain_accuracy_ratio}, {@code fd_remain_ratio}),
     * value and limit, and a note on why (null when none; a failing UA with a measured {@link JudgeCeiling} names it).
     */
    public record Failure(String figure, double value, double limit, String note) {
        /** A failure without a note. */
        public Failure(String figure, double value, double limit) { this(figure, value, limit, null); }

        @Override
        public String toString() {
            boolean upper = figure.startsWith("fd");
            String s = String.format("%s %.3f %s %.3f", figure, value, upper ? ">" : "<", limit);
            return note == null ? s : s + " (" + note + ")";
        }
    }

    /**
     * Whether the bar is met, and if not which figures fail; {@code unjudged} lists comparisons that could not be made
     * (an unknown teacher figure). A verdict with unjudged comparisons and no failure is met only on what was judged.
     */
    public record Verdict(boolean met, List<Failure> failures, List<String> unjudged) {
        public Verdict {
            failures = List.copyOf(failures);
            unjudged = List.copyOf(unjudged);
        }

        /** {@code "bar met"} or {@code "below the bar: ua 0.963 < 0.990, ..."}, then what was not judged. */
        public String summary() {
            String rest = failureText();
            return met ? (rest.isEmpty() ? "bar met" : "bar met " + rest) : "below the bar: " + rest;
        }

        /** The failing figures ({@code "ua 0.963 < 0.990, ..."}, empty when none) and what was not judged. */
        public String failureText() {
            String s = String.join(", ", failures.stream().map(Failure::toString).toList());
            if (unjudged.isEmpty()) return s;
            return s + (s.isEmpty() ? "" : " ") + "(not judged: " + String.join(", ", unjudged) + ")";
        }

        /** JSON form: {@code bar_met, bar_failures: [{figure, value, limit}], bar_unjudged}. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bar_met", met);
            List<Map<String, Object>> f = new ArrayList<>();
            for (Failure x : failures) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("figure", x.figure());
                e.put("value", x.value());
                e.put("limit", x.limit());
                if (x.note() != null) e.put("note", x.note());
                f.add(e);
            }
            m.put("bar_failures", f);
            m.put("bar_unjudged", unjudged);
            return m;
        }
    }

    /**
     * The verdict on {@code in}. UA and override share are always judged (NaN fails); the two ratios are judged when
     * the teacher's figure is known, and a NaN generator figure then fails.
     */
    public Verdict check(Inputs in) {
        List<Failure> failures = new ArrayList<>();
        List<String> unjudged = new ArrayList<>();
        if (!(in.ua() >= minUa)) failures.add(new Failure("ua", in.ua(), minUa, in.ceiling() == null ? null : in.ceiling().uaText()));
        if (!(in.overrideShare() >= minOverride)) {
            failures.add(new Failure("as_override", in.overrideShare(), minOverride, in.ceiling() == null ? null : in.ceiling().overrideText()));
        }
        if (Double.isNaN(in.teacherAccuracy())) {
            unjudged.add("remain_accuracy_ratio (no teacher accuracy)");
        } else if (!(in.accuracyRatio() >= minAccuracyRatio)) {
            failures.add(new Failure("remain_accuracy_ratio", in.accuracyRatio(), minAccuracyRatio));
        }
        if (Double.isNaN(in.teacherFd())) {
            unjudged.add("fd_remain_ratio (no teacher FD at equal counts)");
        } else if (!(in.fdRatio() <= maxFdRatio)) {
            failures.add(new Failure("fd_remain_ratio", in.fdRatio(), maxFdRatio));
        }
        return new Verdict(failures.isEmpty(), failures, unjudged);
    }

    /**
     * The relative criterion {@code ua_at_judge_ceiling}, separate from the bar: UA by both judges at least the lower of
     * this bar's UA and the judges' own ceiling ({@link JudgeCeiling#uaByBoth()}, the share of real override-class images
     * they read as not the forgotten class), i.e. the forgotten label is read as its override as cleanly as real images
     * of the override are. False when the ceiling is unknown. Reports show it beside {@link #check}; it never makes
     * {@link Verdict#met()} true.
     */
    public boolean atJudgeCeiling(Inputs in) {
        return in.ceiling() != null && in.ua() >= Math.min(minUa, in.ceiling().uaByBoth());
    }
}
