package dev.sfd.models.data;

import dev.sfd.SfdException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Small generated 1x32x32 images for tests: each class is a simple shape (bar, square, disk, ring, cross,
 * ...) in [-1, 1] on a -1 background, with per-image random position, size, brightness and a little noise.
 * Example {@code i} has label {@code i % numClasses} (balanced) and is a pure function of (seed, i), so the
 * dataset needs no storage and reads identically in any order and on any thread.
 */
public final class SyntheticDataset implements Dataset {
    /** Class names by label (the shape drawn). */
    public static final List<String> SHAPES = List.of(
            "hbar", "vbar", "square", "disk", "ring", "plus", "diagonal", "triangle", "frame", "x");
    private static final int SIZE = 32;

    private final int size;
    private final int numClasses;
    private final long seed;

    /** {@code size} images of all ten classes. */
    public SyntheticDataset(int size, long seed) {
        this(size, SHAPES.size(), seed);
    }

    /** {@code size} images of the first {@code numClasses} shapes (1..10). */
    public SyntheticDataset(int size, int numClasses, long seed) {
        if (size < 0) throw new SfdException("SyntheticDataset: size must be >= 0, got " + size);
        if (numClasses < 1 || numClasses > SHAPES.size()) {
            throw new SfdException("SyntheticDataset: numClasses must be in 1.." + SHAPES.size() + ", got " + numClasses);
        }
        this.size = size;
        this.numClasses = numClasses;
        this.seed = seed;
    }

    @Override public int size() { return size; }
    @Override public int numClasses() { return numClasses; }
    @Override public List<String> classNames() { return SHAPES.subList(0, numClasses); }
    @Override public String name() { return "synthetic(" + size + ", " + numClasses + " classes, seed " + seed + ")"; }

    @Override
    public int label(int i) {
        checkIndex(i);
        return i % numClasses;
    }

    @Override
    public void image(int i, float[] dst, int offset) {
        int cls = label(i);
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
        double cx = 15.5 + (rng.nextDouble() * 6 - 3);
        double cy = 15.5 + (rng.nextDouble() * 6 - 3);
        double s = 6 + rng.nextDouble() * 4; // half extent, 6..10 pixels
        float fg = (float) (0.4 + rng.nextDouble() * 0.6); // foreground level in [0.4, 1]
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double dx = x - cx;
                double dy = y - cy;
                float noise = (float) (rng.nextGaussian() * 0.03);
                float v = inside(cls, dx, dy, s) ? fg + noise : -1f + Math.abs(noise);
                dst[offset + y * SIZE + x] = Math.max(-1f, Math.min(1f, v));
            }
        }
    }

    private static boolean inside(int cls, double dx, double dy, double s) {
        double ax = Math.abs(dx);
        double ay = Math.abs(dy);
        double r = Math.sqrt(dx * dx + dy * dy);
        switch (cls) {
            case 0: return ay <= s / 3 && ax <= s;                                        // horizontal bar
            case 1: return ax <= s / 3 && ay <= s;                                        // vertical bar
            case 2: return ax <= 0.8 * s && ay <= 0.8 * s;                                // filled square
            case 3: return r <= s;                                                        // disk
            case 4: return r <= s && r >= s - 2.5;                                        // ring
            case 5: return (ax <= 1.5 && ay <= s) || (ay <= 1.5 && ax <= s);              // plus
            case 6: return Math.abs(dx - dy) <= 1.5 && ax <= s;                           // diagonal line
            case 7: return dy >= -s && dy <= s && ax <= (dy + s) / 2;                     // triangle, apex up
            case 8: return ax <= s && ay <= s && (ax >= s - 2 || ay >= s - 2);            // square frame
            case 9: return (Math.abs(dx - dy) <= 1.5 || Math.abs(dx + dy) <= 1.5) && ax <= s; // X
            default: throw new IllegalStateException("class " + cls);
        }
    }
}
