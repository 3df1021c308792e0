package dev.sfd.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sfd.backend.cpu.Parallel;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.nn.Parameter;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.ScoreForgettingDistillation;
import dev.sfd.unlearn.SfdConfig;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * Guards memory work on the autograd graph and fused ops (releasing saved tensors early, recomputing instead
 * of storing) against changing results: three SFD iterations on a tiny SongUNet must give the very weights
 * (generator, EMA and fake network, bit for bit) that the code gave before that work. The hash was recorded
 * with the unfused ops and the tensor-holding graph; it depends on the kernels' vector width, so it is keyed
 * by it (recorded on an AVX2 machine). Regions run sequentially so that the result does not depend on the thread count.
 */
class SfdBitIdentityTest {
    /** SHA-256 of the weights after three iterations, by preferred vector width in bits. */
    private static final Map<Integer, String> EXPECTED = Map.of(
            256, "4a87671e8dc8dcc36fd49dc51734f8ae783ddc5bd51e5766396e909c92c08d48");

    @Test
    void threeIterationsGiveTheRecordedWeights() throws Exception {
        int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        String hash = weightsAfterThreeIterations();
        System.out.println("SfdBitIdentityTest: vector bits " + bits + ", weights sha256 " + hash);
        assumeTrue(EXPECTED.containsKey(bits), "no hash recorded for " + bits + "-bit vectors (got " + hash + ")");
        assertEquals(EXPECTED.get(bits), hash, "weights after 3 SFD iterations changed");
    }

    static String weightsAfterThreeIterations() throws Exception {
        EdmPrecond teacher = SongUnet.create(SongUnetConfig.tiny(), 5);
        SfdConfig cfg = SfdConfig.defaults().iterations(3).batch(3, 2).seed(11);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var sfd = new ScoreForgettingDistillation(teacher, ForgetPlan.classes().forget(0).overrideWith(1), cfg)) {
            Parallel.runSequential(() -> {
                for (int i = 0; i < 3; i++) sfd.iterate();
            });
            digest(md, sfd.rawGenerator().network());
            digest(md, sfd.generator().network());
            digest(md, sfd.fakeScore());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void digest(MessageDigest md, ScoreNetwork net) {
        for (Map.Entry<String, Parameter> e : net.namedParameters().entrySet()) {
            md.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            float[] v = e.getValue().data().toFloatArray();
            ByteBuffer b = ByteBuffer.allocate(4 * v.length);
            for (float f : v) b.putInt(Float.floatToRawIntBits(f));
            md.update(b.array());
        }
    }
}
