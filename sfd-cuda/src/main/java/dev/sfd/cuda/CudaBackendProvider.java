package dev.sfd.cuda;

import dev.sfd.SfdException;
import dev.sfd.backend.Backend;
import dev.sfd.backend.BackendProvider;
import java.util.List;

/**
 * Registers "cuda" (priority 100: chosen automatically when a device is usable) and "cuda-emu" (priority -1:
 * only on request, e.g. {@code -Dsfd.backend=cuda-emu}). Availability is detected once per flavour; on a
 * machine without a driver {@link #create} throws with the driver's reason, which {@code Backends} logs
 * before falling back to the CPU.
 */
public final class CudaBackendProvider implements BackendProvider {
    @Override
    public List<String> names() { return List.of("cuda", "cuda-emu"); }

    @Override
    public int priority(String name) { return "cuda".equals(name) ? 100 : -1; }

    @Override
    public Backend create(String name) {
        switch (name) {
            case "cuda": return CudaBackend.gpu();
            case "cuda-emu": return CudaBackend.emulated();
            default: throw new SfdException("CudaBackendProvider: unknown backend '" + name + "' (known: cuda, cuda-emu)");
        }
    }
}
