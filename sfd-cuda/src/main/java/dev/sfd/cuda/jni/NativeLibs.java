package dev.sfd.cuda.jni;

import dev.sfd.SfdException;
import org.bytedeco.javacpp.Loader;

/**
 * Loads the two JNI libraries of sfd-cuda from the jar (JavaCPP extracts them to its cache), once each.
 * {@code libjniEmuLib.so} is always built; {@code libjniGpuLib.so} only when nvcc was present at build time.
 * A library that does not load is reported as an {@link SfdException} with the reason, every time it is asked for.
 */
public final class NativeLibs {
    private NativeLibs() {}

    private static final class Emu {
        static final Object LIB = load(EmuLib.class, "emulated");
    }

    private static final class Gpu {
        static final Object LIB = load(GpuLib.class, "GPU");
    }

    /** The emulated flavour (kernels run on the CPU through native/emu). */
    public static SfdKernels emulated() {
        return unwrap(Emu.LIB);
    }

    /** The GPU flavour (nvcc build, static CUDA runtime); loads on machines without a driver too. */
    public static SfdKernels gpu() {
        return unwrap(Gpu.LIB);
    }

    private static SfdKernels unwrap(Object o) {
        if (o instanceof SfdKernels k) return k;
        throw new SfdException((String) o);
    }

    private static Object load(Class<? extends SfdKernels> cls, String what) {
        String lib = "libjni" + cls.getSimpleName() + ".so";
        try {
            // loads the JNI library (and JavaCPP's own natives, compiled into it) before any Pointer is made
            Loader.load(cls);
            SfdKernels k = cls == EmuLib.class ? new EmuLib() : new GpuLib();
            String flavor = k.sfd_flavor();
            String expected = cls == EmuLib.class ? "emu" : "cuda";
            if (!expected.equals(flavor)) return "the " + what + " library " + lib + " reports flavour '" + flavor + "', expected '" + expected + "'";
            return k;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            String hint = cls == GpuLib.class ? " (sfd-cuda is built without the GPU flavour when nvcc is absent at build time)" : "";
            return "the " + what + " kernel library " + lib + " for " + Loader.getPlatform() + " did not load: " + e + hint;
        }
    }
}
