package dev.sfd.backend;

/**
 * Service interface through which optional backends (sfd-cuda) register themselves with
 * {@link java.util.ServiceLoader}. The CPU backend is built in and needs no provider.
 */
public interface BackendProvider {
    /** Names this provider can create, e.g. "cuda", "cuda-emu". */
    java.util.List<String> names();

    /** Higher wins when no backend is requested explicitly; return a negative number to opt out of auto-selection. */
    int priority(String name);

    /**
     * Creates the backend, or throws {@link dev.sfd.SfdException} naming why it is unavailable (e.g. "no CUDA
     * driver: cudaGetDeviceCount returned 35").
     */
    Backend create(String name);
}
