package dev.sfd.unlearn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.ConfigException;
import org.junit.jupiter.api.Test;

/** Settings that cannot do what was asked are refused by the library, naming the setting. */
class ConfigValidationTest {
    static void refused(Runnable r, String fragment) {
        ConfigException e = assertThrows(ConfigException.class, r::run);
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    }

    @Test
    void aPlanWithAnEmptyEntryIsRefusedInsteadOfBecomingDistillation() {
        refused(() -> ForgetPlan.parse(","), "empty entry");
        refused(() -> ForgetPlan.parse("0->1,"), "empty entry");
        refused(() -> ForgetPlan.parse("0->1,,3->4"), "empty entry");
        assertTrue(ForgetPlan.parse("").isEmpty());
        assertTrue(ForgetPlan.parse("0->1, 3->4").forgetClasses().length == 2);
    }

    @Test
    void aPlanThatForgetsNeedsAForgetBatchAndAForgetWeight() {
        ForgetPlan plan = ForgetPlan.parse("0->1");
        refused(() -> SfdConfig.defaults().batch(8, 0).requireFits(plan, 10), "forget batch is 0");
        refused(() -> SfdConfig.defaults().forgetWeight(0).requireFits(plan, 10), "forget weight is 0");
        SfdConfig.defaults().batch(8, 0).forgetWeight(0).requireFits(ForgetPlan.none(), 10); // distillation needs neither
        SfdConfig.defaults().requireFits(plan, 10);
    }

    @Test
    void theTrainerRefusesTheSameCombinations() {
        refused(() -> new ScoreForgettingDistillation(SfdCheckpointTest.teacher(), SfdCheckpointTest.plan(), SfdCheckpointTest.cfg().batch(4, 0)),
                "forget batch is 0");
    }
}
