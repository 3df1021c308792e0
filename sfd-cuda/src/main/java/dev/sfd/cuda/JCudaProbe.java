package dev.sfd.cuda;

/**
 * Run-time detection of JCuda / JCublas / JCudnn (optional dependencies: compiled against, never required).
 * They target CUDA 12 / cuDNN 8 (JCudnn stops at 11.7.0), so on this project's CUDA 13 machines, and on any
 * machine without a driver, they do not load; each probe says why. Classes are referenced directly (no
 * reflection): when the jars are absent the {@link NoClassDefFoundError} is caught like any load failure.
 */
public final class JCudaProbe {
    private JCudaProbe() {}

    /** Whether a library loaded and initialised, and if not, why. */
    public record Status(String library, boolean available, String reason) {
        @Override
        public String toString() { return library + ": " + (available ? "available" : "unavailable (" + reason + ")"); }
    }

    private static final class Cache {
        static final Status JCUDA = probeJCuda();
        static final Status JCUBLAS = probeJCublas();
        static final Status JCUDNN = probeJCudnn();
    }

    public static Status jcuda() { return Cache.JCUDA; }

    public static Status jcublas() { return Cache.JCUBLAS; }

    public static Status jcudnn() { return Cache.JCUDNN; }

    private static String why(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }

    private static Status probeJCuda() {
        try {
            jcuda.runtime.JCuda.setExceptionsEnabled(true);
            int[] count = new int[1];
            jcuda.runtime.JCuda.cudaGetDeviceCount(count);
            if (count[0] == 0) return new Status("JCuda", false, "no CUDA device");
            return new Status("JCuda", true, "");
        } catch (Throwable t) {
            return new Status("JCuda", false, why(t));
        }
    }

    private static Status probeJCublas() {
        try {
            jcuda.jcublas.JCublas2.setExceptionsEnabled(true);   // loads the JNI library (and libcublas)
        } catch (Throwable t) {
            return new Status("JCublas", false, why(t));
        }
        if (!Cache.JCUDA.available()) return new Status("JCublas", false, "its native library loads, but JCuda has no device: " + Cache.JCUDA.reason());
        try {
            jcuda.jcublas.cublasHandle h = new jcuda.jcublas.cublasHandle();
            jcuda.jcublas.JCublas2.cublasCreate(h);
            jcuda.jcublas.JCublas2.cublasDestroy(h);
            return new Status("JCublas", true, "");
        } catch (Throwable t) {
            return new Status("JCublas", false, why(t));
        }
    }

    private static Status probeJCudnn() {
        try {
            jcuda.jcudnn.JCudnn.setExceptionsEnabled(true);
            long v = jcuda.jcudnn.JCudnn.cudnnGetVersion();
            if (!Cache.JCUDA.available()) return new Status("JCudnn", false, "cuDNN " + v + " loads, but JCuda has no device: " + Cache.JCUDA.reason());
            return new Status("JCudnn", true, "cuDNN " + v);
        } catch (Throwable t) {
            return new Status("JCudnn", false, why(t));
        }
    }
}
