package dev.sfd.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.FormatException;
import dev.sfd.ShapeException;
import dev.sfd.SfdException;
import dev.sfd.tensor.CpuStorage;
import dev.sfd.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {
    @TempDir Path dir;

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    @Test
    void grayscaleRoundTripWithinQuantisation() throws Exception {
        float[] v = random(32 * 32, 1);
        v[0] = -1f;
        v[1] = 1f;
        v[2] = 0f;
        v[3] = 5f;     // clamped
        v[4] = -7f;    // clamped
        Path f = dir.resolve("g/0001.png");
        ImageGrid.writeImage(Tensor.wrap(v, 1, 32, 32), f);
        BufferedImage raw = ImageIO.read(f.toFile());
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, raw.getType(), "8-bit grayscale PNG");
        assertEquals(255, raw.getRaster().getSample(1, 0, 0));
        assertEquals(0, raw.getRaster().getSample(0, 0, 0));
        assertEquals(128, raw.getRaster().getSample(2, 0, 0)); // round(127.5) = 128

        Tensor back = ImageGrid.readImage(f);
        assertArrayEquals(new int[] {1, 32, 32}, back.shape());
        float[] b = HostData.floats(back);
        for (int i = 0; i < v.length; i++) {
            float expect = Math.max(-1f, Math.min(1f, v[i]));
            assertEquals(expect, b[i], 1.0 / 255 + 1e-6, "pixel " + i);
            assertEquals(ImageGrid.quantize(v[i]) / 127.5 - 1.0, b[i], 1e-6, "exact 8-bit level at " + i);
        }
    }

    @Test
    void rgbRoundTripKeepsChannelsApart() {
        int h = 5, w = 7;
        float[] v = new float[3 * h * w];
        for (int i = 0; i < h * w; i++) {
            v[i] = 1f;              // red plane
            v[h * w + i] = -1f;     // green plane
            v[2 * h * w + i] = (i % 3) / 2f - 0.5f;
        }
        Path f = dir.resolve("rgb.png");
        ImageGrid.writeImage(Tensor.wrap(v, 3, h, w), f);
        Tensor back = ImageGrid.readImage(f);
        assertArrayEquals(new int[] {3, h, w}, back.shape());
        float[] b = HostData.floats(back);
        for (int i = 0; i < v.length; i++) assertEquals(v[i], b[i], 1.0 / 255 + 1e-6, "value " + i);
    }

    @Test
    void acceptsHwAndNonContiguousViews() {
        float[] base = {-1, 1, -1, 1, 1, -1}; // [2,3], read transposed -> [3,2]
        Tensor t = new Tensor(new CpuStorage(base), new int[] {3, 2}, new int[] {1, 3}, 0);
        BufferedImage img = ImageGrid.toImage(t);
        assertEquals(2, img.getWidth());
        assertEquals(3, img.getHeight());
        // element (y, x) = base[y + 3x]
        assertEquals(0, img.getRaster().getSample(0, 0, 0));
        assertEquals(255, img.getRaster().getSample(1, 0, 0));
        assertEquals(255, img.getRaster().getSample(0, 1, 0));
        assertEquals(255, img.getRaster().getSample(1, 1, 0));
        assertEquals(0, img.getRaster().getSample(0, 2, 0));
        assertEquals(0, img.getRaster().getSample(1, 2, 0));
    }

    @Test
    void gridDimensionsAndTilePlacement() throws Exception {
        int n = 7, h = 4, w = 6;
        float[] v = new float[n * h * w];
        for (int i = 0; i < n; i++) java.util.Arrays.fill(v, i * h * w, (i + 1) * h * w, -1f + i * 0.25f);
        Tensor images = Tensor.wrap(v, n, 1, h, w);
        ImageGrid grid = ImageGrid.of(images).cols(3).padding(2).scale(2);
        assertEquals(3, grid.rows());
        BufferedImage img = grid.render();
        assertEquals(3 * w * 2 + 4 * 2, img.getWidth());
        assertEquals(3 * h * 2 + 4 * 2, img.getHeight());
        for (int i = 0; i < n; i++) {
            int x0 = 2 + (i % 3) * (w * 2 + 2);
            int y0 = 2 + (i / 3) * (h * 2 + 2);
            int expect = ImageGrid.quantize(-1f + i * 0.25f);
            assertEquals(expect, img.getRaster().getSample(x0, y0, 0), "tile " + i + " top-left");
            assertEquals(expect, img.getRaster().getSample(x0 + w * 2 - 1, y0 + h * 2 - 1, 0), "tile " + i + " bottom-right");
        }
        assertEquals(255, img.getRaster().getSample(0, 0, 0), "padding is white");
        // the empty last two cells stay background
        assertEquals(255, img.getRaster().getSample(2 + 2 * (w * 2 + 2), 2 + 2 * (h * 2 + 2), 0));

        Path f = dir.resolve("grid.png");
        grid.write(f);
        BufferedImage read = ImageIO.read(f.toFile());
        assertEquals(img.getWidth(), read.getWidth());
        assertEquals(img.getHeight(), read.getHeight());
    }

    @Test
    void labelsAndTitleAddMarginsAndInk() {
        float[] v = new float[4 * 3 * 32 * 32];
        java.util.Arrays.fill(v, 1f); // white tiles: any dark pixel outside tiles is text
        Tensor images = Tensor.wrap(v, 4, 3, 32, 32);
        BufferedImage plain = ImageGrid.of(images).cols(2).render();
        BufferedImage labelled = ImageGrid.of(images).cols(2)
                .rowLabels(List.of("T-shirt/top", "Ankle boot")).title("teacher samples").render();
        assertEquals(BufferedImage.TYPE_INT_RGB, labelled.getType());
        assertTrue(labelled.getWidth() > plain.getWidth(), "left margin for labels");
        assertTrue(labelled.getHeight() > plain.getHeight(), "top margin for the title");
        int dark = 0;
        int margin = labelled.getWidth() - plain.getWidth();
        for (int y = 0; y < labelled.getHeight(); y++) {
            for (int x = 0; x < margin; x++) if ((labelled.getRGB(x, y) & 0xff) < 128) dark++;
        }
        assertTrue(dark > 20, "labels drawn in the margin (" + dark + " dark pixels)");
    }

    @Test
    void badInputsAreNamed() throws Exception {
        assertThrows(ShapeException.class, () -> ImageGrid.of(Tensor.wrap(new float[8], 2, 2, 2)));
        assertThrows(ShapeException.class, () -> ImageGrid.of(Tensor.wrap(new float[16], 1, 4, 2, 2)));
        assertThrows(ShapeException.class, () -> ImageGrid.writeImage(Tensor.wrap(new float[8], 2, 2, 2), dir.resolve("x.png")));
        SfdException e = assertThrows(SfdException.class,
                () -> ImageGrid.of(Tensor.wrap(new float[4], 4, 1, 1, 1)).cols(2).rowLabels(List.of("a", "b", "c")));
        assertTrue(e.getMessage().contains("3 row labels for 2 rows"), e.getMessage());
        Path notPng = dir.resolve("not.png");
        Files.writeString(notPng, "hello");
        FormatException fe = assertThrows(FormatException.class, () -> ImageGrid.readImage(notPng));
        assertTrue(fe.getMessage().contains(notPng.toAbsolutePath().toString()), fe.getMessage());
        fe = assertThrows(FormatException.class, () -> ImageGrid.readImage(dir.resolve("none.png")));
        assertTrue(fe.getMessage().contains("does not exist"), fe.getMessage());
    }
}
