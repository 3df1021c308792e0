package dev.sfd.eval;

import dev.sfd.FormatException;
import dev.sfd.SfdException;
import dev.sfd.io.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The judges' own ceiling for a forget plan: the figures that REAL images of each override class receive. A generator
 * that draws a forgotten label exactly like the real test images of its override class scores UA = {@link #ua()} and
 * override share = {@link #overrideShare()} by the first judge, not 1: a judge that reads some real T-shirts as Shirts
 * reads the same share of perfect T-shirts drawn for the label Shirt as Shirts. When {@link #ua()} is below
 * {@link Bar#UA}, no generator that draws the override class as it really looks meets the UA bar; reports say so
 * beside the absolute bar (which stays as it is) and {@link Bar#atJudgeCeiling} is the separately named relative
 * criterion.
 *
 * <p>Over several forgotten classes every figure is the lowest over the plan's pairs, per judge: the bar reads a plan's
 * worst pair ({@link Figures#worstUaByBoth()}), which cannot score above the lowest pair's ceiling.
 *
 * @param ua share of real override-class images the first judge does NOT read as the forgotten class
 * @param overrideShare share of real override-class images the first judge reads as the override class
 * @param secondUa the same as {@code ua} by the second judge (NaN without one)
 * @param secondOverrideShare the same as {@code overrideShare} by the second judge (NaN without one)
 * @param images real images per override class (the smallest count when the plan has several)
 * @param realImages which images were read, e.g. {@code "real Fashion-MNIST test images"}; for a ceiling read from JSON
 *                   written before the pairs were stored, the whole old description
 * @param pairs the plan's pairs whose override images were read, in plan order (empty only for such old JSON)
 */
public record JudgeCeiling(double ua, double overrideShare, double secondUa, double secondOverrideShare, int images, String realImages,
                           List<Pair> pairs) {
    /**
     * One (forgotten, override) pair of the plan, by class id and name.
     *
     * @param forget the forgotten class
     * @param forgetName its name, for messages
     * @param override the override class whose real images were read
     * @param overrideName its name, for messages
     */
    public record Pair(int forget, String forgetName, int override, String overrideName) {
        public Pair {
            if (forgetName == null || forgetName.isBlank() || overrideName == null || overrideName.isBlank()) {
                throw new SfdException("JudgeCeiling.Pair " + forget + "->" + override + ": class names are empty");
            }
        }
    }

    public JudgeCeiling {
        if (images < 1) throw new SfdException("JudgeCeiling: needs >= 1 real image per override class, got " + images);
        if (realImages == null || realImages.isBlank()) throw new SfdException("JudgeCeiling: what was read (realImages) is empty");
        if (pairs == null) throw new SfdException("JudgeCeiling: pairs is null (an empty list for a ceiling read from old JSON)");
        pairs = List.copyOf(pairs);
    }

    /** Whether a second judge read the images. */
    public boolean hasSecond() { return !Double.isNaN(secondUa); }

    /** The ceiling of UA by the stricter of the judges (the lower of the two). */
    public double uaByBoth() { return hasSecond() ? Math.min(ua, secondUa) : ua; }

    /** The ceiling of the override share by the stricter of the judges. */
    public double overrideShareByBoth() { return hasSecond() ? Math.min(overrideShare, secondOverrideShare) : overrideShare; }

    /**
     * What was read, for messages: {@code "real Fashion-MNIST test images of T-shirt/top as not Shirt"}, with several
     * pairs {@code "real Fashion-MNIST test images (lowest pair of Trouser as not T-shirt/top, Sandal as not Sneaker)"}.
     */
    public String description() {
        if (pairs.isEmpty()) return realImages;
        if (pairs.size() == 1) return realImages + " of " + notForgotten(pairs.get(0));
        return realImages + " (lowest pair of " + String.join(", ", pairs.stream().map(JudgeCeiling::notForgotten).toList()) + ")";
    }

    private static String notForgotten(Pair p) { return p.overrideName() + " as not " + p.forgetName(); }

    /** {@code "the judges read 0.930 / 0.910 of real T-shirt/top test images as not Shirt"} (one figure with one judge). */
    public String uaText() { return read(ua, secondUa, description()); }

    /** {@code "the judges read 0.909 / 0.856 of real Pullover test images as the override"}: the override share's ceiling. */
    public String overrideText() {
        String what = pairs.isEmpty() ? realImages + " (as the override)"
                : pairs.size() == 1 ? realImages + " of " + pairs.get(0).overrideName() + " as the override"
                : realImages + " of each override class as that class (lowest pair)";
        return read(overrideShare, secondOverrideShare, what);
    }

    private String read(double first, double second, String what) {
        return hasSecond() ? String.format("the judges read %.3f / %.3f of %s", first, second, what)
                : String.format("the judge reads %.3f of %s", first, what);
    }

    /**
     * JSON form: {@code ua, as_override, second_ua, second_as_override} (the second pair only with a second judge),
     * {@code images, description} ({@link #description()}), then {@code real_images} and {@code pairs: [{forget,
     * forget_name, override, override_name}]}.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ua", ua);
        m.put("as_override", overrideShare);
        if (hasSecond()) {
            m.put("second_ua", secondUa);
            m.put("second_as_override", secondOverrideShare);
        }
        m.put("images", images);
        m.put("description", description());
        if (!pairs.isEmpty()) {
            m.put("real_images", realImages);
            List<Map<String, Object>> list = new ArrayList<>();
            for (Pair p : pairs) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("forget", p.forget());
                e.put("forget_name", p.forgetName());
                e.put("override", p.override());
                e.put("override_name", p.overrideName());
                list.add(e);
            }
            m.put("pairs", list);
        }
        return m;
    }

    /**
     * Reads {@link #toJson()}; {@code source} names the input in error messages. JSON written before the pairs were stored
     * (no {@code pairs}) is read with its {@code description} as {@link #realImages()} and no pairs: its texts name what
     * was read as it was described then.
     */
    public static JudgeCeiling fromJson(Map<String, Object> j, String source) {
        if (!(j.get("ua") instanceof Number ua) || !(j.get("as_override") instanceof Number ov) || !(j.get("images") instanceof Number n)) {
            throw new FormatException("judge ceiling (" + source + "): ua, as_override and images must be numbers");
        }
        double sua = j.get("second_ua") == null ? Double.NaN : Json.toDouble(j.get("second_ua"));
        double sov = j.get("second_as_override") == null ? Double.NaN : Json.toDouble(j.get("second_as_override"));
        List<Pair> pairs = new ArrayList<>();
        if (j.get("pairs") instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> e) || !(e.get("forget") instanceof Number f) || !(e.get("override") instanceof Number v)
                        || !(e.get("forget_name") instanceof String fn) || !(e.get("override_name") instanceof String vn)) {
                    throw new FormatException("judge ceiling (" + source + "): each of pairs needs forget, forget_name, override, override_name");
                }
                pairs.add(new Pair(f.intValue(), fn, v.intValue(), vn));
            }
        }
        Object what = pairs.isEmpty() ? j.get("description") : j.get("real_images");
        if (!pairs.isEmpty() && !(what instanceof String w && !w.isBlank())) {
            throw new FormatException("judge ceiling (" + source + "): pairs without real_images");
        }
        return new JudgeCeiling(ua.doubleValue(), ov.doubleValue(), sua, sov, n.intValue(),
                what instanceof String d && !d.isBlank() ? d : "real override-class images", pairs);
    }
}
