package dev.sfd.unlearn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.FormatException;
import org.junit.jupiter.api.Test;

class SfdConfigTest {
    @Test
    void jsonRoundTripsEveryValue() {
        SfdConfig c = SfdConfig.defaults().iterations(33).batch(3, 5).learningRates(1e-4, 2e-4).keep(0.7).alpha(1.1).sigmaInit(1.5)
                .generatorWeights(0.9, 0.2).fakeWeights(0.8, 0.3).generatorTMax(0.5).adam(0.1, 0.99, 1e-7).generatorLossScale(3)
                .emaHalfLife(1000, 0.25).guidance(1.5, 2, 2.5).seed(99).checkpointEvery(4);
        String json = c.toJson();
        java.util.Map<String, Object> top = dev.sfd.io.Json.parseMap(json);
        assertEquals("sfd-config", top.get("format"));
        assertEquals(SfdConfig.FORMAT_VERSION, ((Number) top.get("version")).intValue());
        SfdConfig back = SfdConfig.fromStored(json);
        assertEquals(c.toMap(), back.toMap());
        assertEquals(c, back);
        assertEquals(SfdConfig.EmaMode.NONE, SfdConfig.fromStored(c.emaOff().toJson()).emaMode());
    }

    @Test
    void versionOneTextMigrates() {
        String v1 = "{iterations=6, batch_remain=4, batch_forget=4, lr_generator=0.001, lr_fake=0.001, keep=1.0, alpha=1.2, "
                + "sigma_init=2.5, lambda_r=1.0, lambda_f=0.1, lambda_fake_r=1.0, lambda_fake_f=0.1, generator_t_max=0.8, fake_p_mean=-1.2, "
                + "fake_p_std=1.2, adam_beta1=0.0, adam_beta2=0.999, adam_eps=1.0E-8, clip=NONE, clip_value=1.0, sanitize=true, "
                + "generator_loss_scale=1.0, ema=HALF_LIFE, ema_half_life_images=500000.0, ema_rampup=0.5, ema_decay=0.9999, "
                + "guidance_train_fake=1.0, guidance_eval_fake=1.0, guidance_teacher=1.0, seed=11, checkpoint_every=2}";
        SfdConfig expected = SfdConfig.defaults().iterations(6).batch(4, 4).learningRates(1e-3, 1e-3).keep(1).seed(11).checkpointEvery(2);
        assertEquals(expected, SfdConfig.fromStored(v1));
        // values of a knob that was not used are dropped; a used one fails naming it
        FormatException clip = assertThrows(FormatException.class, () -> SfdConfig.fromStored(v1.replace("clip=NONE", "clip=NORM")));
        assertTrue(clip.getMessage().contains("retired knob clip=NORM"), clip.getMessage());
        FormatException rw = assertThrows(FormatException.class, () -> SfdConfig.fromStored(v1.replace("keep=1.0", "remain_weights=2:3.0,4:3.0")));
        assertTrue(rw.getMessage().contains("retired knob remain_weights"), rw.getMessage());
        FormatException fixed = assertThrows(FormatException.class, () -> SfdConfig.fromStored(v1.replace("ema=HALF_LIFE", "ema=FIXED")));
        assertTrue(fixed.getMessage().contains("emaFixed"), fixed.getMessage());
    }

    @Test
    void unknownVersionsAndKeysAreNamed() {
        java.util.Map<String, Object> m = dev.sfd.io.Json.parseMap(SfdConfig.defaults().toJson());
        m.put("version", 9);
        String v9 = dev.sfd.io.Json.write(m);
        FormatException v = assertThrows(FormatException.class, () -> SfdConfig.fromStored(v9));
        assertTrue(v.getMessage().contains("version 9"), v.getMessage());
        m.put("version", SfdConfig.FORMAT_VERSION);
        m.put("sede", 3);
        String unknown = dev.sfd.io.Json.write(m);
        FormatException k = assertThrows(FormatException.class, () -> SfdConfig.fromStored(unknown));
        assertTrue(k.getMessage().contains("'sede'"), k.getMessage());
        assertThrows(FormatException.class, () -> SfdConfig.fromStored("iterations=3"));
    }

    @Test
    void sameRunIgnoresOnlyTheIterationCount() {
        SfdConfig c = SfdConfig.defaults();
        assertTrue(c.sameRunAs(c.iterations(999)));
        assertFalse(c.sameRunAs(c.seed(8)));
        assertFalse(c.sameRunAs(c.keep(1)));
    }
}
