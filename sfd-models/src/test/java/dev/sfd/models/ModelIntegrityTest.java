package dev.sfd.models;

import static dev.sfd.models.BadInputTest.SMALL;
import static dev.sfd.models.BadInputTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.io.SafeTensors;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.OneStepGenerator;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model files are checked at load: shipped checksums, non-finite weights, and the kind of network a role needs. */
class ModelIntegrityTest {
    @TempDir Path dir;

    @Test
    void everyShippedFileMatchesItsSha256AndEveryShippedWeightsFileIsListed() throws Exception {
        Map<String, String> sums = Models.shippedChecksums();
        assertTrue(sums.containsKey(Models.TEACHER) && sums.containsKey(Models.CLASSIFIER), sums.keySet().toString());
        for (Map.Entry<String, String> e : sums.entrySet()) {
            try (InputStream in = Models.class.getResourceAsStream(Models.RESOURCE_DIR + e.getKey())) {
                assertTrue(in != null, e.getKey() + " is listed but not shipped");
                assertEquals(e.getValue(), Models.sha256(in.readAllBytes()), e.getKey());
            }
        }
        for (String name : new String[] {Models.TEACHER, Models.CLASSIFIER, Models.DISTILLED_GENERATOR, Models.DISTILLED_FAKE, Models.retrainName(0)}) {
            if (Models.shipped(name)) assertTrue(sums.containsKey(name), name + " is shipped but has no checksum");
        }
    }

    @Test
    void nonFiniteWeightsAreRefusedAtLoadNamingFileAndTensor() {
        EdmPrecond net = SongUnet.create(SMALL, 1);
        Map<String, Tensor> sd = new LinkedHashMap<>(net.stateDict());
        String name = sd.keySet().iterator().next();
        float[] bad = sd.get(name).toFloatArray();
        java.util.Arrays.fill(bad, Float.NaN);
        sd.put(name, Tensor.of(bad, sd.get(name).shape()));
        Path f = dir.resolve("nan-teacher.safetensors");
        SafeTensors.write(f, sd, net.metadata());
        assertMessage(() -> Models.denoiser(f.toString()), f.toString(), "tensor '" + name + "'", "non-finite");
        OneStepGenerator g = new OneStepGenerator(SongUnet.create(SMALL, 1), 2.5);
        Path gf = dir.resolve("nan-generator.safetensors");
        Map<String, String> meta = new LinkedHashMap<>(SafeTensors.readHeader(saveGenerator(g)).metadata());
        SafeTensors.write(gf, sd, meta);
        assertMessage(() -> Models.generator(gf), gf.toString(), "non-finite");
    }

    private Path saveGenerator(OneStepGenerator g) {
        Path p = dir.resolve("generator.safetensors");
        g.save(p);
        return p;
    }

    @Test
    void aGeneratorOrClassifierPassedAsADenoiserIsRefusedNamingItsKind() {
        Path gen = saveGenerator(new OneStepGenerator(SongUnet.create(SMALL, 1), 2.5));
        assertMessage(() -> Models.denoiser(gen.toString()), gen.toString(), "is a one-step generator", "not a SongUNet diffusion denoiser");
        Path teacher = dir.resolve("teacher.safetensors");
        SongUnet.save(SongUnet.create(SMALL, 1), teacher, Map.of("sfd.kind", "edm-denoiser"));
        Models.denoiser(teacher.toString());
        Path fake = dir.resolve("fake.safetensors");
        Models.writeFake(fake, SongUnet.create(SMALL, 1), "", null);
        Models.denoiser(fake.toString());
        Path unknown = dir.resolve("odd.safetensors");
        SongUnet.save(SongUnet.create(SMALL, 1), unknown, Map.of("sfd.kind", "vae"));
        assertMessage(() -> Models.denoiser(unknown.toString()), "of kind 'vae'");
    }
}
