package dev.sfd.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.diffusion.EdmPrecond;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** SongUnet.CONDITIONING_PARAMETERS selects exactly the label/noise embedding MLP and the per-block affines. */
class ConditioningParametersTest {
    @Test
    void selectsTheEmbeddingMlpAndEveryBlockAffine() {
        EdmPrecond net = SongUnet.create(SongUnetConfig.fmnistS(), 1);
        Pattern p = Pattern.compile(SongUnet.CONDITIONING_PARAMETERS);
        long matched = 0, total = 0;
        int affines = 0;
        for (var e : net.namedParameters().entrySet()) {
            String k = e.getKey();
            boolean expected = k.startsWith("model.map_label.") || k.startsWith("model.map_layer") || k.contains(".affine.");
            assertEquals(expected, p.matcher(k).matches(), k);
            long n = e.getValue().data().numel();
            total += n;
            if (expected) matched += n;
            if (k.endsWith(".affine.weight")) affines++;
        }
        assertTrue(affines > 10, "every UNet block has an affine: " + affines);
        // fmnist-s: 169,696 of 1,753,345 parameters (~10%)
        assertEquals(169_696, matched);
        assertEquals(1_753_345, total);
    }
}
