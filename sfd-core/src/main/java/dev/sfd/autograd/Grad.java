package dev.sfd.autograd;

/**
 * Grad mode of the current thread. Ops record themselves on the tape only while grad mode is enabled and
 * at least one input requires a gradient.
 *
 * <pre>{@code try (var g = Grad.disabled()) { ... no tape here ... }}</pre>
 */
public final class Grad {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private Grad() {}

    public static boolean isEnabled() { return ENABLED.get()[0]; }

    /** Disables recording until the returned scope is closed (restores the previous mode). */
    public static Scope disabled() { return set(false); }

    /** Enables recording until the returned scope is closed (restores the previous mode). */
    public static Scope enabled() { return set(true); }

    private static Scope set(boolean on) {
        boolean[] cell = ENABLED.get();
        boolean prev = cell[0];
        cell[0] = on;
        return () -> cell[0] = prev;
    }

    /** A grad-mode scope; closing it restores the previous mode. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
