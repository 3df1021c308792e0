package dev.sfd.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.FormatException;
import dev.sfd.SfdException;
import dev.sfd.tensor.CpuStorage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir Path dir;

    // ------------------------------------------------------------------ the installed data

    private static void assumeInstalled() {
        Assumptions.assumeTrue(FashionMnist.isAvailable(),
                "Fashion-MNIST not found in " + FashionMnist.directory() + "; skipping. " + FashionMnist.installHint());
    }

    @Test
    void realDataCountsLabelsAndBalance() {
        assumeInstalled();
        FashionMnist train = FashionMnist.train();
        FashionMnist test = FashionMnist.test();
        assertEquals(60000, train.size());
        assertEquals(10000, test.size());
        assertEquals(10, train.numClasses());
        assertEquals("Ankle boot", train.classNames().get(9));
        assertEquals("T-shirt/top", train.classNames().get(0));
        int[] perClass = new int[10];
        for (int l : train.labels()) perClass[l]++;
        assertArrayEquals(new int[] {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000}, perClass);
        assertEquals(9, train.label(0)); // the first training image is an ankle boot
        assertArrayEquals(new int[] {9, 2, 1, 1, 6}, Arrays.copyOf(test.labels(), 5));
        assertSame(train, FashionMnist.train(), "cached");
    }

    @Test
    void realDataPixelsScaledAndPadded() {
        assumeInstalled();
        FashionMnist test = FashionMnist.test();
        Dataset.Batch b = test.batch(new int[] {0, 1, 9999, 0});
        assertArrayEquals(new int[] {4, 1, 32, 32}, b.images().shape());
        assertArrayEquals(new int[] {9, 2, test.label(9999), 9}, b.labels());
        float[] v = ((CpuStorage) b.images().storage()).f;
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        assertEquals(-1f, min);
        assertEquals(1f, max, 1e-6f, "some pixel is 255");
        for (int n = 0; n < 4; n++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    if (y < 2 || y >= 30 || x < 2 || x >= 30) assertEquals(-1f, v[n * 1024 + y * 32 + x], "padding at " + n + "," + y + "," + x);
                }
            }
        }
        byte[] raw = test.rawImage(1);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) assertEquals((raw[y * 28 + x] & 0xff) / 127.5f - 1f, v[1024 + (y + 2) * 32 + x + 2], 1e-6f);
        }
        assertArrayEquals(Arrays.copyOfRange(v, 0, 1024), Arrays.copyOfRange(v, 3 * 1024, 4 * 1024));
    }

    @Test
    void realDataClassFilters() {
        assumeInstalled();
        FashionMnist test = FashionMnist.test();
        Dataset retain = test.withoutClasses(3);
        assertEquals(9000, retain.size());
        assertTrue(Arrays.stream(retain.labels()).noneMatch(l -> l == 3));
        assertEquals(10, retain.numClasses(), "label space unchanged");
        Dataset two = test.withClasses(0, 1);
        assertEquals(2000, two.size());
        assertEquals(1000, test.indicesOf(7).length);
        assertArrayEquals(test.image(test.indicesOf(7)[5]), test.withClasses(7).image(5));
    }

    // ------------------------------------------------------------------ hand-made IDX files

    @Test
    void smallValidFilesLoadGzippedOrPlain() throws IOException {
        Path gz = dataset("gz", images(3, 28, 28), labels(new byte[] {0, 5, 9}), true);
        FashionMnist d = FashionMnist.load(FashionMnist.Split.TEST, gz);
        assertEquals(3, d.size());
        assertEquals(5, d.label(1));
        float[] img = d.image(2);
        assertEquals(-1f, img[0]);
        assertEquals(pixel(2, 0, 0) / 127.5f - 1f, img[2 * 32 + 2], 1e-6f);
        assertEquals(pixel(2, 27, 27) / 127.5f - 1f, img[29 * 32 + 29], 1e-6f);

        Path plain = dataset("plain", images(3, 28, 28), labels(new byte[] {0, 5, 9}), false);
        assertArrayEquals(img, FashionMnist.load(FashionMnist.Split.TEST, plain).image(2));
    }

    @Test
    void missingDataSaysHowToInstall() {
        FormatException e = assertThrows(FormatException.class, () -> FashionMnist.load(FashionMnist.Split.TRAIN, dir.resolve("nowhere")));
        String m = e.getMessage();
        assertTrue(m.contains("train-images-idx3-ubyte.gz does not exist"), m);
        assertTrue(m.contains("sudo apt-get install dataset-fashion-mnist"), m);
        assertTrue(m.contains("-Dsfd.data.fmnist=DIR"), m);
        assertTrue(!FashionMnist.isAvailable(dir));
    }

    @Test
    void propertyOverridesDefaultDirectory() {
        String old = System.getProperty(FashionMnist.PROPERTY);
        try {
            System.setProperty(FashionMnist.PROPERTY, dir.toString());
            assertEquals(dir, FashionMnist.directory());
            FormatException e = assertThrows(FormatException.class, FashionMnist::test);
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        } finally {
            if (old == null) System.clearProperty(FashionMnist.PROPERTY); else System.setProperty(FashionMnist.PROPERTY, old);
        }
        assertEquals(old == null ? FashionMnist.DEFAULT_DIR : Path.of(old), FashionMnist.directory());
    }

    @Test
    void corruptGzipIsAFormatException() throws IOException {
        byte[] good = gzip(images(50, 28, 28));
        byte[] bad = good.clone();
        for (int i = 20; i < 60; i++) bad[i] ^= 0x5a; // inside the deflate stream
        Path d = dataset("corrupt", null, labels(new byte[50]), true);
        Files.write(d.resolve("t10k-images-idx3-ubyte.gz"), bad);
        FormatException e = assertThrows(FormatException.class, () -> FashionMnist.load(FashionMnist.Split.TEST, d));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte.gz"), e.getMessage());

        Path d2 = dataset("cut", null, labels(new byte[50]), true);
        Files.write(d2.resolve("t10k-images-idx3-ubyte.gz"), Arrays.copyOf(good, good.length / 2));
        e = assertThrows(FormatException.class, () -> FashionMnist.load(FashionMnist.Split.TEST, d2));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte.gz") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void badMagicNumbers() throws IOException {
        byte[] img = images(2, 28, 28);
        ByteBuffer.wrap(img).putInt(0, 0x00000801);
        Path d = dataset("magic", img, labels(new byte[2]), true);
        assertFormat(d, "bad magic number 0x00000801 (that of a label file)", "expected 0x00000803");
        byte[] lab = labels(new byte[2]);
        ByteBuffer.wrap(lab).putInt(0, 0x12345678);
        Path d2 = dataset("magic2", images(2, 28, 28), lab, true);
        assertFormat(d2, "t10k-labels-idx1-ubyte.gz: bad magic number 0x12345678");
    }

    @Test
    void wrongSizesCountsAndLabels() throws IOException {
        assertFormat(dataset("dims", images(2, 27, 28), labels(new byte[2]), true), "images are 27x28, expected 28x28");
        assertFormat(dataset("count", images(3, 28, 28), labels(new byte[2]), true), "holds 3 images but", "holds 2 labels");
        byte[] img = images(3, 28, 28);
        assertFormat(dataset("trunc", Arrays.copyOf(img, img.length - 100), labels(new byte[3]), true),
                "truncated: the header announces 3 images");
        byte[] longer = Arrays.copyOf(img, img.length + 7);
        assertFormat(dataset("extra", longer, labels(new byte[3]), true), "7 unexpected bytes after the 3 images");
        assertFormat(dataset("label", images(3, 28, 28), labels(new byte[] {1, 10, 2}), true),
                "label 10 at index 1 is outside 0..9");
        byte[] hugeCount = images(1, 28, 28);
        ByteBuffer.wrap(hugeCount).putInt(4, -5);
        assertFormat(dataset("neg", hugeCount, labels(new byte[1]), true), "implausible image count -5");
    }

    @Test
    void indexAndClassErrorsNameTheDataset() throws IOException {
        FashionMnist d = FashionMnist.load(FashionMnist.Split.TEST, dataset("idx", images(3, 28, 28), labels(new byte[] {0, 1, 2}), true));
        SfdException e = assertThrows(SfdException.class, () -> d.batch(new int[] {0, 3}));
        assertTrue(e.getMessage().contains("index 3 out of range for Fashion-MNIST test (3 examples)"), e.getMessage());
        e = assertThrows(SfdException.class, () -> d.withoutClasses(10));
        assertTrue(e.getMessage().contains("class id 10 out of range"), e.getMessage());
    }

    // ------------------------------------------------------------------ helpers

    private void assertFormat(Path d, String... fragments) {
        FormatException e = assertThrows(FormatException.class, () -> FashionMnist.load(FashionMnist.Split.TEST, d));
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "<" + f + "> in: " + e.getMessage());
    }

    private static int pixel(int n, int y, int x) { return (n * 31 + y * 7 + x * 3) & 0xff; }

    private static byte[] images(int n, int rows, int cols) {
        ByteBuffer b = ByteBuffer.allocate(16 + n * rows * cols);
        b.putInt(0x00000803).putInt(n).putInt(rows).putInt(cols);
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < rows; y++) for (int x = 0; x < cols; x++) b.put((byte) pixel(i, y, x));
        }
        return b.array();
    }

    private static byte[] labels(byte[] values) {
        ByteBuffer b = ByteBuffer.allocate(8 + values.length);
        b.putInt(0x00000801).putInt(values.length).put(values);
        return b.array();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(data);
        }
        return bos.toByteArray();
    }

    /** A directory with the t10k files (images may be null to write it separately). */
    private Path dataset(String name, byte[] images, byte[] labels, boolean gz) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        String ext = gz ? ".gz" : "";
        if (images != null) Files.write(d.resolve("t10k-images-idx3-ubyte" + ext), gz ? gzip(images) : images);
        Files.write(d.resolve("t10k-labels-idx1-ubyte" + ext), gz ? gzip(labels) : labels);
        return d;
    }
}
