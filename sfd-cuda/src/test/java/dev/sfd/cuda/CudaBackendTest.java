package dev.sfd.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import dev.sfd.backend.Backend;
import dev.sfd.backend.Backends;
import dev.sfd.cuda.jni.EmuLib;
import dev.sfd.cuda.jni.GpuLib;
import dev.sfd.cuda.jni.SfdKernels;
import dev.sfd.random.Philox;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Device;
import dev.sfd.tensor.Storage;
import dev.sfd.tensor.Tensor;
import dev.sfd.tensor.TensorScope;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Backend plumbing: registration, availability, storage life cycle, allocator, errors, Philox bit identity. */
class CudaBackendTest {
    private final CudaBackend emu = (CudaBackend) Backends.byName("cuda-emu");

    @Test
    void emulatedBackendIsRegisteredButNeverAutoSelected() {
        assertEquals("cuda-emu", emu.name());
        assertEquals(Device.CUDA, emu.device());
        assertEquals("emu", emu.kernels().sfd_flavor());
        CudaBackendProvider p = new CudaBackendProvider();
        assertTrue(p.priority("cuda-emu") < 0);
        assertTrue(p.priority("cuda") > 0);
        assertSame(emu, Backends.byName("cuda-emu"), "created once");
    }

    /** Why "cuda" cannot be created on this machine, or null when a usable GPU is present. */
    static String gpuUnavailableReason() {
        try {
            Backends.byName("cuda");
            return null;
        } catch (SfdException e) {
            return e.getMessage();
        }
    }

    /** Without a usable GPU, "cuda" fails with the reason, every time, and never crashes. */
    @Test
    void gpuBackendReportsWhyItIsUnavailable() {
        String reason = gpuUnavailableReason();
        Assumptions.assumeTrue(reason != null, "a GPU is present: nothing unavailable to report");
        SfdException e = assertThrows(SfdException.class, () -> Backends.byName("cuda"));
        String msg = e.getMessage();
        assertTrue(msg.startsWith("backend 'cuda' is unavailable: "), msg);
        assertTrue(msg.contains("cudaGetDeviceCount") || msg.contains("did not load"), msg);
        SfdException again = assertThrows(SfdException.class, () -> Backends.byName("cuda"));
        assertEquals(msg, again.getMessage(), "detected once, same reason");
        System.out.println("cuda backend on this machine: " + msg);
    }

    /** With a usable GPU, "cuda" is created once and reports the CUDA device and the real kernels. */
    @Test
    void gpuBackendIsCreatedWhereAGpuIsPresent() {
        Assumptions.assumeTrue(gpuUnavailableReason() == null, "no usable GPU here");
        Backend gpu = Backends.byName("cuda");
        assertEquals("cuda", gpu.name());
        assertEquals(Device.CUDA, gpu.device());
        assertEquals("cuda", ((CudaBackend) gpu).kernels().sfd_flavor());
        assertSame(gpu, Backends.byName("cuda"), "created once");
    }

    /** The GPU library is in the jar whenever nvcc was present at build time, and it loads without a driver. */
    @Test
    void gpuLibraryLoadsWithoutADriverWhenBuilt() {
        boolean built = GpuLib.class.getResource("linux-x86_64/libjniGpuLib.so") != null;
        Assumptions.assumeTrue(built, "libjniGpuLib.so not built (no nvcc at build time)");
        SfdKernels gpu = dev.sfd.cuda.jni.NativeLibs.gpu();
        assertEquals("cuda", gpu.sfd_flavor());
        int[] count = {-1};
        int rc = gpu.sfd_device_count(count);
        if (rc == 0) {
            assertTrue(count[0] > 0, "cudaGetDeviceCount succeeded with " + count[0] + " devices");
        } else {
            assertEquals(0, count[0]);
            assertTrue(gpu.sfd_last_error().contains("cudaGetDeviceCount"), gpu.sfd_last_error());
        }
        assertTrue(gpu.sfd_emu_configure(0, 1, 0, 0) != 0, "the GPU library refuses emulation settings");
    }

    @Test
    void bindingsCoverEveryFunctionOfTheHeader() throws Exception {
        String header = Files.readString(Path.of("../native/include/sfd_kernels.h"));
        Set<String> declared = new TreeSet<>();
        Matcher m = Pattern.compile("^(?:int|const char\\*)\\s+(sfd_\\w+)\\(", Pattern.MULTILINE).matcher(header);
        while (m.find()) declared.add(m.group(1));
        for (Class<?> c : new Class<?>[] {SfdKernels.class, EmuLib.class, GpuLib.class}) {
            Set<String> bound = new TreeSet<>();
            for (Method x : c.getDeclaredMethods()) if (x.getName().startsWith("sfd_")) bound.add(x.getName());
            assertEquals(declared, bound, c.getSimpleName() + " vs sfd_kernels.h (rerun sfd-cuda/gen_bindings.py)");
        }
        assertEquals(SfdKernels.FUNCTIONS, declared.size());
    }

    @Test
    void storageIsOffHeapClosesIdempotentlyAndRejectsUseAfterClose() {
        Tensor t = Tensor.of(new float[] {1, 2, 3}, 3);   // current backend is the CPU here
        assertEquals(Device.CPU, t.device());
        Tensor d = new Tensor(emu.upload(new float[] {1, 2, 3}), 3);
        assertTrue(d.storage() instanceof CudaStorage);
        Storage s = d.storage();
        s.close();
        s.close();
        assertTrue(s.isClosed());
        SfdException e = assertThrows(SfdException.class, d::toFloatArray);
        assertTrue(e.getMessage().contains("after its storage was closed"), e.getMessage());
        assertThrows(SfdException.class, () -> ((CudaStorage) s).address());
    }

    @Test
    void scopeFreesEverythingButKeptTensorsAndTheAllocatorReusesBlocks() {
        long live0 = emu.liveBytes();
        Tensor kept;
        Storage dropped;
        try (TensorScope outer = TensorScope.open()) {
            try (TensorScope scope = TensorScope.open()) {
                Tensor a = Tensor.zeros(emu, DType.FLOAT32, 1000);
                Tensor b = Tensor.zeros(emu, DType.FLOAT64, 7, 9);
                kept = scope.keep(dev.sfd.ops.Ops.addScalar(a, 2.0));
                dropped = b.storage();
                assertEquals(3, scope.size() + 1);
                assertTrue(emu.liveBytes() > live0);
            }
            assertTrue(dropped.isClosed());
            assertFalse(kept.storage().isClosed());
            assertEquals(2.0, kept.toDoubleArray()[999]);
            assertEquals(1, outer.size(), "kept storage moved to the enclosing scope");
        }
        assertThrows(SfdException.class, kept::toFloatArray);
        assertEquals(live0, emu.liveBytes(), "every block back in the cache");
        long mallocs = emu.allocator().mallocCount();
        try (TensorScope scope = TensorScope.open()) {
            Tensor.zeros(emu, DType.FLOAT32, 1000);
            Tensor.zeros(emu, DType.FLOAT64, 7, 9);
        }
        assertEquals(mallocs, emu.allocator().mallocCount(), "same sizes again: served from the cache");
    }

    @Test
    void outOfMemoryNamesTheRequestAndWhatIsHeld() {
        System.setProperty("sfd.cuda.memoryLimit", String.valueOf(1 << 20));
        try {
            CudaBackend limited = new CudaBackend("cuda-emu-1MiB", emu.kernels());
            Tensor a = Tensor.zeros(limited, DType.FLOAT32, 200_000);   // 800 KB
            SfdException e = assertThrows(SfdException.class, () -> Tensor.zeros(limited, DType.FLOAT32, 100_000));
            String msg = e.getMessage();
            assertTrue(msg.startsWith("cuda-emu-1MiB: out of device memory: cannot allocate 400384 B"), msg);
            assertTrue(msg.contains("live tensors hold 800256 B") && msg.contains("limit 1.0 MiB"), msg);
            a.storage().close();
            Tensor b = Tensor.zeros(limited, DType.FLOAT32, 100_000);   // cache emptied and retried
            assertEquals(0.0, b.get(99_999));
        } finally {
            System.clearProperty("sfd.cuda.memoryLimit");
        }
    }

    @Test
    void kernelErrorsNameTheFunctionAndTheReason() {
        Tensor x = Tensor.zeros(emu, DType.FLOAT32, 2, 3, 4, 4), w = Tensor.zeros(emu, DType.FLOAT32, 5, 3, 3, 3);
        Tensor out = Tensor.zeros(emu, DType.FLOAT32, 2, 5, 4, 4);
        SfdException e = assertThrows(SfdException.class, () -> emu.conv2d(x, w, null, -1, out));
        assertTrue(e.getMessage().startsWith("cuda-emu: sfd_conv2d_fwd_f32 failed with CUDA error 1: sfd_conv2d_fwd_f32: invalid argument"), e.getMessage());
        Tensor cpu = Tensor.zeros(Backends.cpu(), DType.FLOAT32, 2, 5, 4, 4);
        SfdException e2 = assertThrows(SfdException.class, () -> emu.fill(cpu, 1.0));
        assertTrue(e2.getMessage().contains("storage of backend 'cpu' passed to cuda-emu"), e2.getMessage());
    }

    /** The Java Philox (dev.sfd.random) and the kernels draw bit-identical uniforms and normals, f32 and f64. */
    @Test
    void philoxDrawsAreBitIdenticalToTheJavaReference() {
        int n = 40_003;
        for (long seed : new long[] {42, -7, 0x0123_4567_89AB_CDEFL}) {
            for (long counter : new long[] {0, 0xFFFF_FFF0L, -5}) {
                Tensor z32 = Tensor.zeros(emu, DType.FLOAT32, n), z64 = Tensor.zeros(emu, DType.FLOAT64, n);
                Tensor u32 = Tensor.zeros(emu, DType.FLOAT32, n), u64 = Tensor.zeros(emu, DType.FLOAT64, n);
                emu.randomNormal(seed, counter, z32);
                emu.randomNormal(seed, counter, z64);
                emu.randomUniform(seed, counter, u32);
                emu.randomUniform(seed, counter, u64);
                float[] jf = new float[n], ju = new float[n];
                double[] jd = new double[n], jud = new double[n];
                Philox.normal(seed, counter, jf, 0, n);
                Philox.normal(seed, counter, jd, 0, n);
                Philox.uniform(seed, counter, ju, 0, n);
                Philox.uniform(seed, counter, jud, 0, n);
                String what = "seed " + seed + " counter " + counter;
                assertTrue(Arrays.equals(jf, z32.toFloatArray()), "f32 normals " + what);
                assertTrue(Arrays.equals(jd, z64.toDoubleArray()), "f64 normals " + what);
                assertTrue(Arrays.equals(ju, u32.toFloatArray()), "f32 uniforms " + what);
                assertTrue(Arrays.equals(jud, u64.toDoubleArray()), "f64 uniforms " + what);
                for (Tensor t : new Tensor[] {z32, z64, u32, u64}) t.storage().close();
            }
        }
    }

    @Test
    void backendsFallBackToTheCpuWithTheReasonLogged() {
        // Backends.current() chooses once per JVM: the test JVMs pin it with -Dsfd.backend (cpu unless overridden);
        // without the property the best available is chosen: the CPU exactly when "cuda" cannot be created
        String pinned = System.getProperty("sfd.backend");
        Backend chosen = Backends.current();
        if (pinned != null && !pinned.isBlank()) assertEquals(pinned.trim(), chosen.name());
        else assertEquals(gpuUnavailableReason() == null ? "cuda" : "cpu", chosen.name());
    }
}
