package dev.sfd.tensor;

import dev.sfd.SfdException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Deterministic release of off-heap (device) memory: every storage a backend registers while a scope is
 * open on this thread is closed when the scope closes, unless {@link #keep kept}. Heap storage needs no
 * scope (backends do not register it), so code written with scopes runs unchanged on the CPU.
 *
 * <pre>{@code
 * try (TensorScope scope = TensorScope.open()) {
 *     Tensor h = net.forward(x);          // intermediates are registered with the scope
 *     return scope.keep(h.mul(2.0));      // survives; everything else is freed here
 * }
 * }</pre>
 * Scopes nest; a kept storage moves to the enclosing scope (or to no scope: then only its own
 * {@link Storage#close()} or garbage collection frees it). Scopes are per thread and must be closed in
 * reverse order of opening.
 */
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<TensorScope> CURRENT = new ThreadLocal<>();

    private final TensorScope parent;
    private final Thread owner = Thread.currentThread();
    private final Set<Storage> owned = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private TensorScope(TensorScope parent) {
        this.parent = parent;
    }

    /** Opens a scope nested in the current one of this thread. */
    public static TensorScope open() {
        TensorScope s = new TensorScope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** The innermost open scope of this thread, or null. */
    public static TensorScope current() {
        return CURRENT.get();
    }

    /** Called by backends for every off-heap storage they create: the innermost scope (if any) owns it. */
    public static void register(Storage s) {
        TensorScope scope = CURRENT.get();
        if (scope != null) scope.owned.add(s);
    }

    /** Keeps {@code t}'s storage alive past this scope (it moves to the enclosing scope); returns {@code t}. */
    public Tensor keep(Tensor t) {
        if (t != null) keep(t.storage());
        return t;
    }

    /** Keeps a storage alive past this scope (it moves to the enclosing scope). */
    public void keep(Storage s) {
        if (closed) throw new SfdException("TensorScope.keep after the scope was closed");
        if (owned.remove(s) && parent != null) parent.owned.add(s);
    }

    /** Number of storages this scope will close. */
    public int size() {
        return owned.size();
    }

    /** Closes every storage still owned; idempotent. */
    @Override
    public void close() {
        if (closed) return;
        if (Thread.currentThread() != owner) throw new SfdException("TensorScope closed on another thread than the one that opened it");
        if (CURRENT.get() != this) throw new SfdException("TensorScope closed out of order: an inner scope is still open");
        closed = true;
        CURRENT.set(parent);
        RuntimeException first = null;
        for (Storage s : owned) {
            try {
                s.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        owned.clear();
        if (first != null) throw first;
    }
}
