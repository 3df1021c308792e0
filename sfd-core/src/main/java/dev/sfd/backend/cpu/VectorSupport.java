package dev.sfd.backend.cpu;

/**
 * Whether the {@code jdk.incubator.vector} module is usable in this JVM. This class references no
 * vector type: the Vector API kernels live in separate classes ({@code Vec*}) that are only loaded,
 * reflectively, when {@link #AVAILABLE} is true. {@code -Dsfd.vector=false} forces the scalar kernels.
 * The fallback is logged once.
 */
public final class VectorSupport {
    private static final System.Logger LOG = System.getLogger("dev.sfd.backend");

    /** True when the Vector API kernels can be used. */
    public static final boolean AVAILABLE = detect();

    private VectorSupport() {}

    private static boolean detect() {
        if ("false".equalsIgnoreCase(System.getProperty("sfd.vector", "true").trim())) {
            LOG.log(System.Logger.Level.INFO, "sfd cpu backend: Vector API disabled by -Dsfd.vector=false; using scalar kernels");
            return false;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "sfd cpu backend: module jdk.incubator.vector is not present "
                    + "(run the JVM with --add-modules jdk.incubator.vector); using scalar kernels, which are several times slower");
            return false;
        }
        try {
            Class.forName("dev.sfd.backend.cpu.VecKernels", true, VectorSupport.class.getClassLoader());
            return true;
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "sfd cpu backend: Vector API kernels failed to load (" + e + "); using scalar kernels");
            return false;
        }
    }

    /** The vector kernels when available, otherwise the scalar ones; {@code allowVector=false} forces scalar. */
    static CpuKernels kernels(boolean allowVector) {
        if (allowVector && AVAILABLE) {
            try {
                return (CpuKernels) Class.forName("dev.sfd.backend.cpu.VecKernels").getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Vector API kernels were detected but could not be created", e);
            }
        }
        return CpuKernels.SCALAR;
    }
}
