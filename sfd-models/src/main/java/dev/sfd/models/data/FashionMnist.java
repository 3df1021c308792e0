package dev.sfd.models.data;

import dev.sfd.FormatException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.SoftReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Fashion-MNIST (Xiao et al. 2017) read from the four IDX files, gzip-compressed or not:
 * {@code train-images-idx3-ubyte.gz}, {@code train-labels-idx1-ubyte.gz}, {@code t10k-images-idx3-ubyte.gz},
 * {@code t10k-labels-idx1-ubyte.gz}. The directory is, in order: the one given to {@link #load(Split, Path)},
 * the system property {@value #PROPERTY}, or {@link #DEFAULT_DIR} (where the Debian package
 * {@code dataset-fashion-mnist} installs them).
 *
 * <p>Images are 28x28 bytes, scaled to [-1, 1] ({@code p / 127.5 - 1}) and padded to 32x32 with -1 (the
 * background value after scaling), 2 pixels on each side. The raw bytes stay in memory (47 MB for the
 * training split) and are converted per access. Loaded splits are cached (softly) per file path, size and
 * modification time.
 *
 * <p>Every structural problem (missing file, bad gzip, wrong magic number, wrong image size, image and
 * label counts that differ, truncated or over-long data, a label outside 0..9) raises a
 * {@link FormatException} naming the file.
 */
public final class FashionMnist implements Dataset {
    /** System property naming the directory with the IDX files. */
    public static final String PROPERTY = "sfd.data.fmnist";
    /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** The ten class names, by label. */
    public static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** Side of the stored images. */
    public static final int RAW_SIZE = 28;
    /** Side of the padded images this dataset returns. */
    public static final int SIZE = 32;

    private static final int IMAGE_MAGIC = 0x00000803;
    private static final int LABEL_MAGIC = 0x00000801;
    private static final int MAX_COUNT = 10_000_000;
    private static final int PAD = (SIZE - RAW_SIZE) / 2;
    private static final Map<String, SoftReference<FashionMnist>> CACHE = new ConcurrentHashMap<>();

    /** The two splits and their file-name prefixes. */
    public enum Split {
        /** 60,000 training images. */
        TRAIN("train"),
        /** 10,000 test images. */
        TEST("t10k");

        private final String prefix;

        Split(String prefix) { this.prefix = prefix; }

        /** File-name prefix: "train" or "t10k". */
        public String prefix() { return prefix; }
    }

    private final Split split;
    private final byte[] pixels;
    private final byte[] labels;
    private final int count;

    private FashionMnist(Split split, byte[] pixels, byte[] labels) {
        this.split = split;
        this.pixels = pixels;
        this.labels = labels;
        this.count = labels.length;
    }

    /** The training split from {@link #directory()}. */
    public static FashionMnist train() { return load(Split.TRAIN); }

    /** The test split from {@link #directory()}. */
    public static FashionMnist test() { return load(Split.TEST); }

    /** A split from {@link #directory()}. */
    public static FashionMnist load(Split split) { return load(split, directory()); }

    /** A split from an explicit directory. */
    public static FashionMnist load(Split split, Path dir) {
        Path images = find(dir, split.prefix() + "-images-idx3-ubyte");
        Path labelsFile = find(dir, split.prefix() + "-labels-idx1-ubyte");
        String key = cacheKey(images) + "|" + cacheKey(labelsFile);
        SoftReference<FashionMnist> ref = CACHE.get(key);
        FashionMnist cached = ref == null ? null : ref.get();
        if (cached != null) return cached;
        Idx img = readIdx(images, IMAGE_MAGIC, "image");
        Idx lab = readIdx(labelsFile, LABEL_MAGIC, "label");
        int nImages = img.count();
        int nLabels = lab.count();
        if (nImages != nLabels) {
            throw new FormatException("Fashion-MNIST " + split.prefix() + ": " + images + " holds " + nImages + " images but "
                    + labelsFile + " holds " + nLabels + " labels");
        }
        byte[] labels = lab.data();
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xff) >= CLASS_NAMES.size()) {
                throw new FormatException(labelsFile + ": label " + (labels[i] & 0xff) + " at index " + i + " is outside 0..9");
            }
        }
        FashionMnist ds = new FashionMnist(split, img.data(), labels);
        CACHE.put(key, new SoftReference<>(ds));
        return ds;
    }

    /** The directory used when none is given: property {@value #PROPERTY}, else {@link #DEFAULT_DIR}. */
    public static Path directory() {
        String p = System.getProperty(PROPERTY);
        return p == null || p.isBlank() ? DEFAULT_DIR : Path.of(p);
    }

    /** True when all four files exist in {@link #directory()} (tests use this to skip with a message). */
    public static boolean isAvailable() { return isAvailable(directory()); }

    /** True when all four files exist in {@code dir} (gzip-compressed or not). */
    public static boolean isAvailable(Path dir) {
        for (Split s : Split.values()) {
            for (String kind : new String[] {"-images-idx3-ubyte", "-labels-idx1-ubyte"}) {
                String base = s.prefix() + kind;
                if (!Files.isRegularFile(dir.resolve(base + ".gz")) && !Files.isRegularFile(dir.resolve(base))) return false;
            }
        }
        return true;
    }

    /** How to get the data, for messages (also used by the CLI). */
    public static String installHint() {
        return "Install it with `sudo apt-get install dataset-fashion-mnist` (Debian package, installs to " + DEFAULT_DIR
                + ") or set -D" + PROPERTY + "=DIR to a directory holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,"
                + " t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz.";
    }

    /** Which split this is. */
    public Split split() { return split; }

    @Override public int size() { return count; }
    @Override public int numClasses() { return CLASS_NAMES.size(); }
    @Override public List<String> classNames() { return CLASS_NAMES; }
    @Override public String name() { return "Fashion-MNIST " + (split == Split.TRAIN ? "train" : "test"); }

    @Override
    public int label(int i) {
        checkIndex(i);
        return labels[i];
    }

    @Override
    public void image(int i, float[] dst, int offset) {
        checkIndex(i);
        Arrays.fill(dst, offset, offset + SIZE * SIZE, -1f);
        int src = i * RAW_SIZE * RAW_SIZE;
        for (int y = 0; y < RAW_SIZE; y++) {
            int row = offset + (y + PAD) * SIZE + PAD;
            for (int x = 0; x < RAW_SIZE; x++) dst[row + x] = (pixels[src++] & 0xff) / 127.5f - 1f;
        }
    }

    /** The raw 28x28 bytes of image {@code i} (a copy), as stored in the IDX file. */
    public byte[] rawImage(int i) {
        checkIndex(i);
        return Arrays.copyOfRange(pixels, i * RAW_SIZE * RAW_SIZE, (i + 1) * RAW_SIZE * RAW_SIZE);
    }

    // ------------------------------------------------------------------ IDX

    private static Path find(Path dir, String base) {
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) return gz;
        Path plain = dir.resolve(base);
        if (Files.isRegularFile(plain)) return plain;
        String where = Files.isDirectory(dir) ? "" : " (the directory itself does not exist)";
        throw new FormatException("Fashion-MNIST not found: " + gz + " does not exist" + where + ". " + installHint());
    }

    /** Path, size and modification time: a replaced file is read again. */
    private static String cacheKey(Path f) {
        try {
            return f.toAbsolutePath().normalize() + ":" + Files.size(f) + ":" + Files.getLastModifiedTime(f).toMillis();
        } catch (IOException e) {
            throw new FormatException(f + ": cannot read: " + e, e);
        }
    }

    private record Idx(int count, byte[] data) {}

    /** Reads an IDX file; validates magic, dimensions and exact length. */
    private static Idx readIdx(Path file, int magic, String kind) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            try (DataInputStream in = new DataInputStream(gzip ? new GZIPInputStream(raw, 1 << 16) : raw)) {
                int m = in.readInt();
                if (m != magic) {
                    String hint = m == IMAGE_MAGIC ? " (that of an image file)" : m == LABEL_MAGIC ? " (that of a label file)" : "";
                    throw new FormatException(file + ": bad magic number 0x" + String.format("%08x", m) + hint + ", expected 0x"
                            + String.format("%08x", magic) + " for an IDX " + kind + " file");
                }
                int n = in.readInt();
                if (n < 0 || n > MAX_COUNT) throw new FormatException(file + ": implausible " + kind + " count " + n);
                long bytes = n;
                if (magic == IMAGE_MAGIC) {
                    int rows = in.readInt();
                    int cols = in.readInt();
                    if (rows != RAW_SIZE || cols != RAW_SIZE) {
                        throw new FormatException(file + ": images are " + rows + "x" + cols + ", expected " + RAW_SIZE + "x" + RAW_SIZE);
                    }
                    bytes = (long) n * RAW_SIZE * RAW_SIZE;
                }
                byte[] payload = new byte[(int) bytes];
                try {
                    in.readFully(payload);
                } catch (EOFException e) {
                    throw new FormatException(file + ": truncated: the header announces " + n + " " + kind + "s (" + bytes
                            + " bytes of data) but the file ends early", e);
                }
                long extra = 0;
                byte[] skip = new byte[8192];
                for (int r; (r = in.read(skip)) > 0; ) extra += r;
                if (extra > 0) {
                    throw new FormatException(file + ": " + extra + " unexpected bytes after the " + n + " " + kind
                            + "s the header announces (wrong count or corrupt file)");
                }
                return new Idx(n, payload);
            }
        } catch (FormatException e) {
            throw e;
        } catch (ZipException e) {
            throw new FormatException(file + ": corrupt gzip data (" + e.getMessage() + "); re-install the data. " + installHint(), e);
        } catch (EOFException e) {
            throw new FormatException(file + ": truncated: the file ends inside its header or compressed stream (" + e.getMessage()
                    + "); re-install the data. " + installHint(), e);
        } catch (IOException e) {
            throw new FormatException(file + ": cannot read: " + e, e);
        }
    }
}
