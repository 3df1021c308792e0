package dev.sfd.unlearn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import org.junit.jupiter.api.Test;

class MemoryEstimateTest {
    @Test
    void peakIsStateCopiesOfTheParametersPlusActivationsPerImage() {
        MemoryEstimate e = new MemoryEstimate(1_000_000, 2_000_000, 16, true);
        assertEquals((long) (MemoryEstimate.STATE_COPIES * 1_000_000 + 16 * MemoryEstimate.ACTIVATION_FACTOR * 2_000_000), e.peakBytes());
        assertEquals((long) (MemoryEstimate.STATE_COPIES * 1_000_000), new MemoryEstimate(1_000_000, 2_000_000, 16, false).peakBytes(),
                "on a GPU backend the activations are not on the heap");
    }

    @Test
    void refusalNamesTheOptionsToLowerAndHowManyImagesFit() {
        MemoryEstimate e = new MemoryEstimate(1 << 20, 1 << 20, 20_008, true);
        long heap = 1L << 30;
        long fit = e.maxImagesPerStep(heap);
        assertTrue(new MemoryEstimate(1 << 20, 1 << 20, (int) fit, true).peakBytes() <= heap);
        assertTrue(new MemoryEstimate(1 << 20, 1 << 20, (int) fit + 1, true).peakBytes() > heap);
        SfdException ex = assertThrows(SfdException.class, () -> e.requireFits(heap, "--batch-forget"));
        assertTrue(ex.getMessage().contains("20008 images") && ex.getMessage().contains("lower --batch-forget (about " + fit + " images per step fit)")
                && ex.getMessage().contains("1.0 GiB"), ex.getMessage());
        e.requireFits(e.peakBytes(), "--batch-forget");
    }

    @Test
    void theForwardProbeSeesTheActivationsOfABiggerNetwork() {
        long small = MemoryEstimate.forwardBytesPerImage(SfdCheckpointTest.teacher());
        assertTrue(small > 0, "probe " + small);
        MemoryEstimate e = MemoryEstimate.of(SfdCheckpointTest.teacher(), SfdConfig.defaults().batch(8, 8));
        assertEquals(16, e.imagesPerStep());
        assertEquals(SfdCheckpointTest.teacher().parameterCount() * 4, e.parameterBytes());
    }
}
