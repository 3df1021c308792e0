package dev.sfd.nn;

import dev.sfd.SfdException;
import dev.sfd.ShapeException;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.Shapes;
import dev.sfd.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Base of all layers and networks: named parameters, buffers and children in registration order, so that
 * {@link #stateDict()} yields PyTorch-style names ({@code enc.16x16_block0.qkv.weight}) in PyTorch order
 * (a module's own parameters, then its buffers, then its children).
 */
public abstract class Module {
    private final LinkedHashMap<String, Parameter> params = new LinkedHashMap<>();
    private final LinkedHashMap<String, Tensor> buffers = new LinkedHashMap<>();
    private final LinkedHashMap<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    private RandomStream random;

    protected final <M extends Module> M register(String name, M child) {
        if (children.containsKey(name)) throw new SfdException("duplicate submodule name '" + name + "'");
        children.put(name, child);
        return child;
    }

    protected final Parameter param(String name, Tensor init) {
        Parameter p = new Parameter(init);
        params.put(name, p);
        return p;
    }

    protected final Tensor buffer(String name, Tensor value) {
        buffers.put(name, value);
        return value;
    }

    public final Map<String, Module> children() { return Collections.unmodifiableMap(children); }

    /** All parameters, recursively, in state-dict order. */
    public final List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : namedParameters().entrySet()) out.add(e.getValue());
        return out;
    }

    public final LinkedHashMap<String, Parameter> namedParameters() {
        LinkedHashMap<String, Parameter> out = new LinkedHashMap<>();
        collectParams("", out);
        return out;
    }

    private void collectParams(String prefix, Map<String, Parameter> out) {
        params.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, v) -> v.collectParams(prefix + k + ".", out));
    }

    /** Parameters and buffers by name (values are the live tensors; copy before mutating). */
    public final LinkedHashMap<String, Tensor> stateDict() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        params.forEach((k, v) -> out.put(prefix + k, v.data()));
        buffers.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, v) -> v.collectState(prefix + k + ".", out));
    }

    /**
     * Loads values by name. Strict mode requires exactly the same names and shapes and names every missing,
     * unexpected or mis-shaped entry in one error message.
     */
    public final void loadStateDict(Map<String, Tensor> state, boolean strict) {
        LinkedHashMap<String, Parameter> named = namedParameters();
        LinkedHashMap<String, Tensor> own = stateDict();
        Set<String> missing = new TreeSet<>(), unexpected = new TreeSet<>();
        List<String> badShape = new ArrayList<>();
        for (String k : own.keySet()) if (!state.containsKey(k)) missing.add(k);
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Tensor mine = own.get(e.getKey());
            if (mine == null) { unexpected.add(e.getKey()); continue; }
            if (!Shapes.equal(mine.shape(), e.getValue().shape())) {
                badShape.add(e.getKey() + " " + Shapes.str(e.getValue().shape()) + " (expected " + Shapes.str(mine.shape()) + ")");
            }
        }
        if (!badShape.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            StringBuilder sb = new StringBuilder("state dict does not match " + getClass().getSimpleName() + ":");
            if (!missing.isEmpty()) sb.append(" missing ").append(abbrev(missing));
            if (!unexpected.isEmpty()) sb.append(" unexpected ").append(abbrev(unexpected));
            if (!badShape.isEmpty()) sb.append(" wrong shape ").append(abbrev(badShape));
            throw new ShapeException(sb.toString());
        }
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Parameter p = named.get(e.getKey());
            if (p != null) p.set(e.getValue());
            else if (own.containsKey(e.getKey())) setBuffer(e.getKey(), e.getValue());
        }
    }

    private static String abbrev(java.util.Collection<String> names) {
        List<String> l = new ArrayList<>(names);
        return l.size() <= 8 ? l.toString() : l.subList(0, 8) + " and " + (l.size() - 8) + " more";
    }

    private void setBuffer(String dotted, Tensor value) {
        int dot = dotted.indexOf('.');
        if (dot < 0) {
            Tensor old = buffers.get(dotted);
            Tensor t = value.to(old.dtype()).dense();
            Tensor copy = Tensor.zeros(old.backend(), old.dtype(), old.shape());
            copy.backend().copy(t, copy);
            buffers.put(dotted, copy);
            return;
        }
        Module child = children.get(dotted.substring(0, dot));
        if (child != null) child.setBuffer(dotted.substring(dot + 1), value);
    }

    /** Copies all parameter and buffer values of an identically shaped module into this one. */
    public final void copyFrom(Module other) { loadStateDict(other.stateDict(), true); }

    /** Total number of parameter elements (buffers excluded). */
    public final long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) n += p.numel();
        return n;
    }

    /** Train mode enables dropout (and label dropout) in this module and all children. */
    public final Module train(boolean on) {
        training = on;
        children.values().forEach(c -> c.train(on));
        return this;
    }

    public final boolean isTraining() { return training; }

    /** Turns gradient tracking of every parameter on or off (freezing the teacher). */
    public final Module requiresGrad(boolean on) {
        for (Parameter p : parameters()) p.setRequiresGrad(on);
        return this;
    }

    public final void zeroGrad() {
        for (Parameter p : parameters()) p.zeroGrad();
    }

    /** The random stream used by dropout-like layers of this module tree in training mode. */
    public final Module setRandom(RandomStream stream) {
        this.random = stream;
        children.values().forEach(c -> c.setRandom(stream));
        return this;
    }

    protected final RandomStream random() {
        if (random == null) throw new SfdException(getClass().getSimpleName() + " needs a random stream in training mode: call setRandom(...)");
        return random;
    }

    protected final boolean hasRandom() { return random != null; }
}
