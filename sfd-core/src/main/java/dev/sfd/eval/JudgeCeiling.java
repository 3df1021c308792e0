package dev.sfd.eval;

import dev.sfd.FormatException;
import dev.sfd.SfdException;
import dev.sfd.io.Json;
import java.util.LinkedHashMap;
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
 * @param description what was read, for messages, e.g. {@code "real T-shirt/top test images as not Shirt"}
 */
public record JudgeCeiling(double ua, double overrideShare, double secondUa, double secondOverrideShare, int images, String description) {
    /** How {@link #description()} starts its list of pairs for a plan with several (after "real ... images "). */
    public static final String LOWEST_PAIR_OF = "(lowest pair of ";

    public JudgeCeiling {
        if (images < 1) throw new SfdException("JudgeCeiling: needs >= 1 real image per override class, got " + images);
        if (description == null || description.isBlank()) throw new SfdException("JudgeCeiling: description is empty");
    }

    /** Whether a second judge read the images. */
    public boolean hasSecond() { return !Double.isNaN(secondUa); }

    /** The ceiling of UA by the stricter of the judges (the lower of the two). */
    public double uaByBoth() { return hasSecond() ? Math.min(ua, secondUa) : ua; }

    /** The ceiling of the override share by the stricter of the judges. */
    public double overrideShareByBoth() { return hasSecond() ? Math.min(overrideShare, secondOverrideShare) : overrideShare; }

    /** {@code "the judges read 0.930 / 0.910 of real T-shirt/top test images as not Shirt"} (one figure with one judge). */
    public String uaText() {
        return hasSecond() ? String.format("the judges read %.3f / %.3f of %s", ua, secondUa, description)
                : String.format("the judge reads %.3f of %s", ua, description);
    }

    /** {@code "the judges read 0.909 / 0.856 of real Pullover test images as Pullover"}: the override share's ceiling. */
    public String overrideText() {
        int cut = description.indexOf(" as not ");
        int several = description.indexOf(LOWEST_PAIR_OF);
        String what = several > 0 ? description.substring(0, several) + "of each override class as that class (lowest pair)"
                : cut > 0 ? description.substring(0, cut) + " as the override" : description + " (as the override)";
        return hasSecond() ? String.format("the judges read %.3f / %.3f of %s", overrideShare, secondOverrideShare, what)
                : String.format("the judge reads %.3f of %s", overrideShare, what);
    }

    /** JSON form: {@code ua, as_override, second_ua, second_as_override} (the second pair only with a second judge), {@code images, description}. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ua", ua);
        m.put("as_override", overrideShare);
        if (hasSecond()) {
            m.put("second_ua", secondUa);
            m.put("second_as_override", secondOverrideShare);
        }
        m.put("images", images);
        m.put("description", description);
        return m;
    }

    /** Reads {@link #toJson()}; {@code source} names the input in error messages. */
    public static JudgeCeiling fromJson(Map<String, Object> j, String source) {
        if (!(j.get("ua") instanceof Number ua) || !(j.get("as_override") instanceof Number ov) || !(j.get("images") instanceof Number n)) {
            throw new FormatException("judge ceiling (" + source + "): ua, as_override and images must be numbers");
        }
        double sua = j.get("second_ua") == null ? Double.NaN : Json.toDouble(j.get("second_ua"));
        double sov = j.get("second_as_override") == null ? Double.NaN : Json.toDouble(j.get("second_as_override"));
        return new JudgeCeiling(ua.doubleValue(), ov.doubleValue(), sua, sov, n.intValue(),
                j.get("description") instanceof String d && !d.isBlank() ? d : "real override-class images");
    }
}
