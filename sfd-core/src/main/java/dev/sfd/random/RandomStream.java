package dev.sfd.random;

/** A Philox stream: a fixed seed and a 64-bit block counter that advances with every draw (see docs/philox.md). */
public final class RandomStream {
    private final long seed;
    private long counter;

    public RandomStream(long seed) { this(seed, 0); }

    public RandomStream(long seed, long counter) {
        this.seed = seed;
        this.counter = counter;
    }

    public long seed() { return seed; }

    public long counter() { return counter; }

    /** Returns the counter to use for a draw of n elements and advances past it by ceil(n / 4) blocks. */
    public long next(int n) {
        long c = counter;
        counter += (n + 3L) / 4;
        return c;
    }
}
