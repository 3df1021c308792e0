package dev.sfd.models.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.models.Classifier;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.models.data.Dataset;
import dev.sfd.models.data.SyntheticDataset;
import org.junit.jupiter.api.Test;

/** The relearning attack on a tiny random denoiser and generator network; bad input fails clearly. */
class RelearnAttackTest {
    static final SongUnetConfig SMALL = new SongUnetConfig(32, 1, 1, 10, 0, 8, new int[] {1, 2}, 2, 1, new int[] {16}, 0, 0.1, 1);
    static final Dataset DATA = new SyntheticDataset(40, 1);
    static final Classifier JUDGE = new Classifier(1, 4, 10, 6);

    @Test
    void recordsTheForgottenClassRateEveryKSteps() {
        EdmPrecond net = SongUnet.create(SMALL, 5);
        var s = new RelearnAttack.Settings(3, 2, 2, 1e-3, 4, 2, 1);
        var r = new RelearnAttack(net, null, DATA.withoutClasses(0), 0, JUDGE, s).run(null);
        assertEquals(3, r.curve().size(), "steps 0, 2 and the last (3)");
        assertEquals(0, r.first().step());
        assertEquals(3, r.last().step());
        for (var p : r.curve()) {
            assertTrue(p.forgottenRate() >= 0 && p.forgottenRate() <= 1);
            assertTrue(Double.isNaN(p.forgottenRateOneStep()));
        }
        assertTrue(Double.isFinite(r.last().loss()));
    }

    @Test
    void generatorGetsHeunAndOneStepCurves() {
        var r = new RelearnAttack(SongUnet.create(SMALL, 6), 2.5, DATA.withoutClasses(7), 7, JUDGE,
                new RelearnAttack.Settings(1, 1, 2, 1e-3, 3, 1, 1)).run(null);
        assertEquals(2, r.curve().size());
        assertTrue(r.curve().stream().allMatch(p -> p.forgottenRateOneStep() >= 0 && p.forgottenRateOneStep() <= 1));
    }

    @Test
    void badInputIsRejected() {
        EdmPrecond net = SongUnet.create(SMALL, 5);
        var s = RelearnAttack.Settings.quick();
        SfdException e = assertThrows(SfdException.class, () -> new RelearnAttack(net, null, DATA, 0, JUDGE, s));
        assertTrue(e.getMessage().contains("contains 4 images of the forgotten class 0"), e.getMessage());
        e = assertThrows(SfdException.class, () -> new RelearnAttack(net, null, DATA.withoutClasses(0), 12, JUDGE, s));
        assertTrue(e.getMessage().contains("has no label 12"), e.getMessage());
        e = assertThrows(SfdException.class, () -> new RelearnAttack(net, null, DATA.withClasses(1).subset(new int[0]), 0, JUDGE, s));
        assertTrue(e.getMessage().contains("is empty"), e.getMessage());
    }
}
