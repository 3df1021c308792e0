package dev.sfd.models.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import org.junit.jupiter.api.Test;

/** Distances and interpolation between two tiny SongUNets; the line's ends are the two models' own rates. */
class ModeConnectivityTest {
    static final SongUnetConfig SMALL = RelearnAttackTest.SMALL;

    @Test
    void distanceAndInterpolationFollowTheWeights() {
        EdmPrecond a = SongUnet.create(SMALL, 5), b = SongUnet.create(SMALL, 6);
        assertEquals(0.0, ModeConnectivity.l2Distance(a, a), 0.0);
        double d = ModeConnectivity.l2Distance(a, b);
        assertTrue(d > 0);
        var mid = ModeConnectivity.interpolate(a, b, 0.5);
        assertEquals(d / 2, ModeConnectivity.l2Distance(a, mid), d * 1e-5, "the midpoint is half way");
        assertEquals(d / 2, ModeConnectivity.l2Distance(mid, b), d * 1e-5);
        String name = a.stateDict().keySet().iterator().next();
        assertArrayEquals(b.stateDict().get(name).toFloatArray(), ModeConnectivity.interpolate(a, b, 1).stateDict().get(name).toFloatArray());
        assertArrayEquals(a.stateDict().get(name).toFloatArray(), ModeConnectivity.interpolate(a, b, 0).stateDict().get(name).toFloatArray());
    }

    @Test
    void lineEndsAreTheModelsOwnRates() {
        EdmPrecond a = SongUnet.create(SMALL, 5), b = SongUnet.create(SMALL, 6);
        var s = new ModeConnectivity.Settings(3, 6, 1, 4);
        var line = ModeConnectivity.along(a, "a", b, "b", 2.5, 0, RelearnAttackTest.JUDGE, s);
        assertEquals(3, line.points().size());
        assertEquals(0.5, line.points().get(1).alpha(), 0.0);
        double[] ra = RelearnAttack.forgottenRates(a, 2.5, 0, RelearnAttackTest.JUDGE, 6, 1, 4);
        double[] rb = RelearnAttack.forgottenRates(b, 2.5, 0, RelearnAttackTest.JUDGE, 6, 1, 4);
        assertEquals(ra[0], line.points().get(0).forgottenRate(), 0.0);
        assertEquals(ra[1], line.points().get(0).forgottenRateOneStep(), 0.0);
        assertEquals(rb[0], line.points().get(2).forgottenRate(), 0.0);
        assertEquals(rb[1], line.points().get(2).forgottenRateOneStep(), 0.0);
        assertEquals(ModeConnectivity.l2Distance(a, b), line.l2Distance(), 0.0);
        assertEquals(3, ((java.util.List<?>) line.toMap().get("line")).size());
    }

    @Test
    void differentArchitecturesAreRefused() {
        EdmPrecond a = SongUnet.create(SMALL, 5);
        EdmPrecond wide = SongUnet.create(new SongUnetConfig(32, 1, 1, 10, 0, 16, new int[] {1, 2}, 2, 1, new int[] {16}, 0, 0.1, 1), 5);
        SfdException e = assertThrows(SfdException.class, () -> ModeConnectivity.l2Distance(a, wide));
        assertTrue(e.getMessage().contains("same architecture"), e.getMessage());
        e = assertThrows(SfdException.class, () -> new ModeConnectivity.Settings(1, 4, 1, 1));
        assertTrue(e.getMessage().contains("at least 2 points"), e.getMessage());
    }
}
