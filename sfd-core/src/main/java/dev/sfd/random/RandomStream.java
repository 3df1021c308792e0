package dev.sfd.random;

import dev.sfd.backend.Backend;
import dev.sfd.backend.Backends;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Shapes;
import dev.sfd.tensor.Tensor;

/**
 * A Philox stream position: a seed and a 64-bit block counter. Each draw of n elements takes the current
 * counter and advances it by {@code ceil(n / 4)}, so consecutive draws never overlap and a run restored
 * from {@link #state()} continues bit-identically. Not thread-safe: one stream per consumer.
 */
public final class RandomStream {
    private long seed;
    private long counter;

    public RandomStream(long seed) { this(seed, 0L); }

    public RandomStream(long seed, long counter) {
        this.seed = seed;
        this.counter = counter;
    }

    public long seed() { return seed; }

    /** The counter the next draw will use. */
    public long counter() { return counter; }

    /** Returns the counter to use for a draw of {@code n} elements and advances past it. */
    public long next(int n) {
        if (n < 0) throw new IllegalArgumentException("RandomStream.next: negative element count " + n);
        long c = counter;
        counter += Philox.blocks(n);
        return c;
    }

    /** {@code {seed, counter}} for a checkpoint; see {@link #restore}. */
    public long[] state() { return new long[] {seed, counter}; }

    /** Continues from a saved {@link #state()}. */
    public void restore(long seed, long counter) {
        this.seed = seed;
        this.counter = counter;
    }

    /** Jumps to a saved counter of the same seed (checkpoint resume). */
    public void restore(long counter) { this.counter = counter; }

    /** Standard normal tensor on the current thread's backend. */
    public Tensor normal(DType dtype, int... shape) { return normal(Backends.current(), dtype, shape); }

    /** Uniform [0, 1) tensor on the current thread's backend. */
    public Tensor uniform(DType dtype, int... shape) { return uniform(Backends.current(), dtype, shape); }

    public Tensor normal(Backend backend, DType dtype, int... shape) {
        Tensor t = Tensor.zeros(backend, dtype, shape);
        backend.randomNormal(seed, next(Shapes.numel(shape)), t);
        return t;
    }

    public Tensor uniform(Backend backend, DType dtype, int... shape) {
        Tensor t = Tensor.zeros(backend, dtype, shape);
        backend.randomUniform(seed, next(Shapes.numel(shape)), t);
        return t;
    }

    @Override
    public String toString() { return "RandomStream(seed=" + seed + ", counter=" + counter + ")"; }
}
