package dev.sfd.backend;

/** The fast CPU backend ({@link Backends#cpu()}) against the reference kernels. */
class CpuBackendContractTest extends BackendContractTest {
    @Override
    protected Backend backend() { return Backends.cpu(); }
}
