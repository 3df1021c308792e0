package dev.sfd.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import dev.sfd.tensor.CpuStorage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticDatasetTest {
    @Test
    void deterministicBySeedAndIndexOrder() {
        SyntheticDataset a = new SyntheticDataset(100, 7);
        SyntheticDataset b = new SyntheticDataset(100, 7);
        assertArrayEquals(a.image(42), b.image(42));
        float[] late = a.image(99);
        a.image(3);
        assertArrayEquals(late, a.image(99), "independent of access order");
        assertFalse(Arrays.equals(a.image(42), new SyntheticDataset(100, 8).image(42)), "seed matters");
        assertFalse(Arrays.equals(a.image(2), a.image(12)), "same class, different images");
    }

    @Test
    void balancedLabelsRangeAndShape() {
        SyntheticDataset d = new SyntheticDataset(50, 5, 1);
        assertEquals(5, d.numClasses());
        assertEquals(5, d.classNames().size());
        int[] count = new int[5];
        for (int l : d.labels()) count[l]++;
        assertArrayEquals(new int[] {10, 10, 10, 10, 10}, count);
        Dataset.Batch b = d.batch(new int[] {0, 1, 2, 3});
        assertArrayEquals(new int[] {4, 1, 32, 32}, b.images().shape());
        assertArrayEquals(new int[] {0, 1, 2, 3}, b.labels());
        for (float v : ((CpuStorage) b.images().storage()).f) assertTrue(v >= -1f && v <= 1f);
    }

    @Test
    void classesDiffer() {
        SyntheticDataset d = new SyntheticDataset(20, 2);
        // mean image per class: the shapes differ, so the class means are far apart
        double[][] mean = new double[10][1024];
        for (int i = 0; i < 20; i++) {
            float[] img = d.image(i);
            for (int p = 0; p < 1024; p++) mean[d.label(i)][p] += img[p] / 2;
        }
        for (int a = 0; a < 10; a++) {
            for (int c = a + 1; c < 10; c++) {
                double dist = 0;
                for (int p = 0; p < 1024; p++) dist += Math.abs(mean[a][p] - mean[c][p]);
                assertTrue(dist > 20, "classes " + a + " and " + c + " differ (L1 " + dist + ")");
            }
        }
        for (int i = 0; i < 10; i++) {
            float[] img = d.image(i);
            long fg = 0;
            for (float v : img) if (v > -0.5f) fg++;
            assertTrue(fg > 15 && fg < 700, "class " + i + " draws a shape (" + fg + " pixels)");
            assertEquals(-1f, img[0], 0.2f, "corner is background");
        }
    }

    @Test
    void subsetsKeepLabelSpace() {
        SyntheticDataset d = new SyntheticDataset(30, 3); // 30 images, seed 3, all ten classes
        Dataset noTwo = d.withoutClasses(2);
        assertEquals(27, noTwo.size());
        assertEquals(10, noTwo.numClasses());
        assertTrue(Arrays.stream(noTwo.labels()).allMatch(l -> l != 2));
        Dataset nested = noTwo.withClasses(1);
        assertEquals(3, nested.size());
        assertArrayEquals(d.image(1), nested.image(0));
        Dataset picked = d.subset(new int[] {5, 5, 0});
        assertArrayEquals(new int[] {5, 5, 0}, picked.labels());
        assertEquals(4, d.filter(l -> l == 7).size() + 1);
        assertThrows(SfdException.class, () -> d.subset(new int[] {30}));
        assertThrows(SfdException.class, () -> new SyntheticDataset(10, 11, 0));
    }
}
