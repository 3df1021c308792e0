package dev.sfd.unlearn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import org.junit.jupiter.api.Test;

class SfdConfigTest {
    @Test
    void learningRateAnnealingIsLinearAfterItsStart() {
        SfdConfig off = SfdConfig.defaults().iterations(11);
        for (long s = 0; s < 11; s++) assertEquals(1.0, off.lrScale(s), 0.0);
        // 11 iterations, anneal after 40%: constant through step 4.4, then linear to 0.1 at step 10
        SfdConfig c = off.lrAnneal(0.4, 0.1);
        assertEquals(1.0, c.lrScale(0), 0.0);
        assertEquals(1.0, c.lrScale(4), 0.0);
        assertEquals(1.0 - 0.9 * (5 - 4.4) / (10 - 4.4), c.lrScale(5), 1e-12);
        assertEquals(0.1, c.lrScale(10), 1e-12);
        for (long s = 1; s < 11; s++) assertTrue(c.lrScale(s) <= c.lrScale(s - 1), "non-increasing at " + s);
        assertThrows(SfdException.class, () -> off.lrAnneal(1.5, 0.1));
        assertThrows(SfdException.class, () -> off.lrAnneal(0.5, -0.1));
    }

    @Test
    void annealingKeysAppearOnlyWhenUsed() {
        // checkpoints compare configuration strings: a run without annealing keeps the string older versions wrote
        assertFalse(SfdConfig.defaults().toMap().containsKey("lr_anneal_start"));
        assertEquals(0.5, SfdConfig.defaults().lrAnneal(0.5, 0.2).toMap().get("lr_anneal_start"));
        assertFalse(SfdConfig.defaults().lrAnneal(0.5, 0.2).equals(SfdConfig.defaults()));
    }

    @Test
    void anchorIsValidatedAndRecordedOnlyWhenUsed() {
        assertFalse(SfdConfig.defaults().toMap().containsKey("anchor"));
        assertEquals(0.02, SfdConfig.defaults().anchor(0.02).toMap().get("anchor"));
        assertEquals(0.0, SfdConfig.defaults().anchor(0).anchor(), 0.0);
        assertThrows(SfdException.class, () -> SfdConfig.defaults().anchor(1.0));
        assertThrows(SfdException.class, () -> SfdConfig.defaults().anchor(-0.1));
        assertThrows(SfdException.class, () -> SfdConfig.defaults().anchor(Double.NaN));
        assertFalse(SfdConfig.defaults().toMap().containsKey("fake_warmup"));
        assertEquals(20L, SfdConfig.defaults().fakeWarmup(20).toMap().get("fake_warmup"));
        assertThrows(SfdException.class, () -> SfdConfig.defaults().fakeWarmup(-1));
    }
}
