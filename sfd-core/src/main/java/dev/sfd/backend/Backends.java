package dev.sfd.backend;

import dev.sfd.SfdException;
import dev.sfd.backend.cpu.CpuBackend;
import dev.sfd.backend.cpu.ReferenceBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Registry of backends. The default is chosen once: property {@code sfd.backend} ("cpu", "cpu-scalar",
 * "cuda", "cuda-emu"), otherwise the best available ({@code cuda} when a provider reports a device, else
 * {@code cpu}). The choice and the reasons for skipped backends are logged once.
 */
public final class Backends {
    private static final System.Logger LOG = System.getLogger("dev.sfd.backend");
    private static volatile Backend cpu;
    private static volatile Backend reference;
    private static volatile Backend current;
    private static final ThreadLocal<Backend> OVERRIDE = new ThreadLocal<>();

    private Backends() {}

    /** The fast CPU backend (Vector API + fork-join; scalar kernels when the incubator module is absent). */
    public static Backend cpu() {
        Backend b = cpu;
        if (b == null) {
            synchronized (Backends.class) {
                if (cpu == null) cpu = new CpuBackend();
                b = cpu;
            }
        }
        return b;
    }

    /** The scalar reference backend every other backend is tested against. */
    public static Backend reference() {
        Backend b = reference;
        if (b == null) {
            synchronized (Backends.class) {
                if (reference == null) reference = new ReferenceBackend();
                b = reference;
            }
        }
        return b;
    }

    /** Backend used by tensor factories on this thread. */
    public static Backend current() {
        Backend o = OVERRIDE.get();
        if (o != null) return o;
        Backend b = current;
        if (b == null) {
            synchronized (Backends.class) {
                if (current == null) current = choose(System.getProperty("sfd.backend"));
                b = current;
            }
        }
        return b;
    }

    /** Makes {@code b} the factory backend of this thread until the scope closes. */
    public static Scope use(Backend b) {
        Backend prev = OVERRIDE.get();
        OVERRIDE.set(b);
        return () -> OVERRIDE.set(prev);
    }

    /** Creates a backend by name (throws with the reason when it is unavailable). */
    public static Backend byName(String name) {
        switch (name) {
            case "cpu": return cpu();
            case "cpu-scalar": return reference();
            default:
                for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
                    if (p.names().contains(name)) return p.create(name);
                }
                throw new SfdException("unknown backend '" + name + "' (known: cpu, cpu-scalar" + providerNames() + ")");
        }
    }

    private static String providerNames() {
        StringBuilder sb = new StringBuilder();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) for (String n : p.names()) sb.append(", ").append(n);
        return sb.toString();
    }

    private static Backend choose(String requested) {
        if (requested != null && !requested.isBlank()) {
            Backend b = byName(requested.trim());
            LOG.log(System.Logger.Level.INFO, "sfd backend: " + b.name() + " (requested by -Dsfd.backend)");
            return b;
        }
        List<String> skipped = new ArrayList<>();
        Backend best = null;
        int bestPriority = Integer.MIN_VALUE;
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            for (String n : p.names()) {
                int pr = p.priority(n);
                if (pr < 0 || pr <= bestPriority) continue;
                try {
                    best = p.create(n);
                    bestPriority = pr;
                } catch (SfdException e) {
                    skipped.add(n + ": " + e.getMessage());
                }
            }
        }
        if (best == null) best = cpu();
        LOG.log(System.Logger.Level.INFO, "sfd backend: " + best.name() + (skipped.isEmpty() ? "" : " (skipped " + skipped + ")"));
        return best;
    }

    /** Restores the previous thread backend when closed. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
