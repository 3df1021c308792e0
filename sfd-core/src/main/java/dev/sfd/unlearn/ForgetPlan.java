package dev.sfd.unlearn;

import dev.sfd.SfdException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which classes to forget and which safe class overrides each one (SPEC-SFD section 1): for a forgotten
 * class {@code c_f}, the generator given label {@code c_f} is trained towards the teacher's score of the
 * override class {@code c_o}. An empty plan means plain distillation (SiD).
 *
 * <pre>{@code ForgetPlan plan = ForgetPlan.classes().forget(0).overrideWith(1);}</pre>
 */
public final class ForgetPlan {
    private final LinkedHashMap<Integer, Integer> overrides;

    private ForgetPlan(LinkedHashMap<Integer, Integer> overrides) { this.overrides = overrides; }

    /** Starts a class plan. */
    public static ForgetPlan classes() { return new ForgetPlan(new LinkedHashMap<>()); }

    /** A plan that forgets nothing: SFD reduces to SiD distillation. */
    public static ForgetPlan none() { return classes(); }

    /** Begins a pair; finish it with {@link Pending#overrideWith}. */
    public Pending forget(int forgetClass) {
        if (forgetClass < 0) throw new SfdException("forget class id must be >= 0, got " + forgetClass);
        if (overrides.containsKey(forgetClass)) throw new SfdException("class " + forgetClass + " is already in the forget plan");
        return new Pending(this, forgetClass);
    }

    /** Half of a (forget, override) pair. */
    public static final class Pending {
        private final ForgetPlan plan;
        private final int forgetClass;

        private Pending(ForgetPlan plan, int forgetClass) {
            this.plan = plan;
            this.forgetClass = forgetClass;
        }

        public ForgetPlan overrideWith(int overrideClass) {
            if (overrideClass == forgetClass) throw new SfdException("override class must differ from the forgotten class (both " + forgetClass + ")");
            if (overrideClass < 0) throw new SfdException("override class id must be >= 0, got " + overrideClass);
            LinkedHashMap<Integer, Integer> m = new LinkedHashMap<>(plan.overrides);
            m.put(forgetClass, overrideClass);
            return new ForgetPlan(m);
        }
    }

    /** Adds all pairs of another plan (sequential forgetting keeps earlier pairs). */
    public ForgetPlan and(ForgetPlan other) {
        LinkedHashMap<Integer, Integer> m = new LinkedHashMap<>(overrides);
        for (Map.Entry<Integer, Integer> e : other.overrides.entrySet()) {
            if (m.containsKey(e.getKey()) && !m.get(e.getKey()).equals(e.getValue())) {
                throw new SfdException("class " + e.getKey() + " has two different overrides: " + m.get(e.getKey()) + " and " + e.getValue());
            }
            m.put(e.getKey(), e.getValue());
        }
        return new ForgetPlan(m);
    }

    /**
     * Checks the plan against a teacher with {@code numClasses} labels: ids in range, overrides not themselves
     * forgotten, at least one class left to remain.
     */
    public void validate(int numClasses) {
        if (numClasses <= 0) throw new SfdException("the teacher is not class-conditional (label_dim 0): SFD needs class labels");
        for (Map.Entry<Integer, Integer> e : overrides.entrySet()) {
            if (e.getKey() >= numClasses) throw new SfdException("forget class " + e.getKey() + " is out of range: the teacher has classes 0.." + (numClasses - 1));
            if (e.getValue() >= numClasses) throw new SfdException("override class " + e.getValue() + " is out of range: the teacher has classes 0.." + (numClasses - 1));
            if (overrides.containsKey(e.getValue())) throw new SfdException("override class " + e.getValue() + " of class " + e.getKey() + " is itself forgotten");
        }
        if (overrides.size() >= numClasses) throw new SfdException("the plan forgets every class; nothing remains");
    }

    public boolean isEmpty() { return overrides.isEmpty(); }

    /** Forgotten classes in plan order. */
    public int[] forgetClasses() { return overrides.keySet().stream().mapToInt(Integer::intValue).toArray(); }

    /** The override of a forgotten class. */
    public int overrideOf(int forgetClass) {
        Integer o = overrides.get(forgetClass);
        if (o == null) throw new SfdException("class " + forgetClass + " is not in the forget plan");
        return o;
    }

    /** Classes kept (all classes except the forgotten ones), ascending. */
    public int[] remainClasses(int numClasses) {
        List<Integer> r = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) if (!overrides.containsKey(c)) r.add(c);
        return r.stream().mapToInt(Integer::intValue).toArray();
    }

    public Map<Integer, Integer> pairs() { return java.util.Collections.unmodifiableMap(overrides); }

    /** "0->1,7->5" (parseable by {@link #parse}). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        overrides.forEach((f, o) -> sb.append(sb.length() == 0 ? "" : ",").append(f).append("->").append(o));
        return sb.toString();
    }

    /** Parses "0->1,7->5" (empty string: no forgetting; an empty entry such as in "," or "0->1," is an error). */
    public static ForgetPlan parse(String s) {
        ForgetPlan p = classes();
        if (s == null || s.isBlank()) return p;
        for (String part : s.split(",", -1)) {
            if (part.isBlank()) {
                throw new dev.sfd.ConfigException("forget plan '" + s + "' has an empty entry (expected forget->override pairs separated by commas, "
                        + "e.g. 0->1,7->5; an empty plan '' means distillation only)");
            }
            String[] fo = part.trim().split("->", -1);
            if (fo.length != 2) throw new SfdException("cannot parse forget pair '" + part + "' (expected forget->override, e.g. 0->1)");
            try {
                p = p.forget(Integer.parseInt(fo[0].trim())).overrideWith(Integer.parseInt(fo[1].trim()));
            } catch (NumberFormatException e) {
                throw new SfdException("class ids must be integers in '" + part + "'");
            }
        }
        return p;
    }

    @Override
    public boolean equals(Object o) { return o instanceof ForgetPlan p && p.overrides.equals(overrides); }

    @Override
    public int hashCode() { return overrides.hashCode(); }
}
