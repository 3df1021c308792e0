package dev.sfd.backend;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The whole backend contract on a real GPU ("cuda"), with the same refinement as {@link CudaEmuBackendContractTest}
 * (the GPU build compiles the same kernel sources). Runs only when the test JVM asks for the GPU with
 * {@code -Dsfd.backend=cuda} (test JVMs default to {@code cpu}); then a missing or unusable GPU fails the suite with
 * the reason instead of skipping. Command: sfd-cuda/README.md, "Testing on a GPU".
 */
class CudaGpuBackendContractTest extends CudaEmuBackendContractTest {
    @BeforeAll
    static void onlyWhenTheGpuIsRequested() {
        Assumptions.assumeTrue("cuda".equals(System.getProperty("sfd.backend")), "run with -Dsfd.backend=cuda on a GPU host");
    }

    @Override
    protected Backend backend() { return Backends.byName("cuda"); }
}
