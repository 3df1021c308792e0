package dev.sfd.unlearn;

import dev.sfd.SfdException;
import dev.sfd.backend.Backends;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.ops.Ops;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The Java heap an SFD run needs, estimated before anything large is allocated, so that a batch that cannot fit
 * fails in a second with a message naming what to lower instead of growing into an {@code OutOfMemoryError}.
 *
 * <p>Model: {@code heap = STATE_COPIES x parameter bytes + images per step x ACTIVATION_FACTOR x forward bytes per
 * image}. The parameter bytes cover the teacher, generator, fake network, their gradients, Adam moments, EMA and
 * anchor copies; "forward bytes per image" is measured as the heap one differentiable forward pass of the teacher on a
 * single image keeps alive (what the autograd graph holds for the backward pass, after a full collection); the factor
 * covers the several passes an SFD step keeps alive (generator, fake network and teacher on the generated images).
 * Both constants were fitted to the smallest heap at which one SFD step of the fmnist-s network runs at two batch
 * sizes (docs/results/memory.md) and rounded up, so the estimate is about 17% above that smallest heap. The estimate concerns the Java heap and therefore the CPU backends;
 * on a GPU backend activations live in device memory and only the parameter term applies.
 */
public record MemoryEstimate(long parameterBytes, long forwardBytesPerImage, int imagesPerStep, boolean activationsOnHeap) {
    /** Heap copies of the parameters an SFD run holds (fitted intercept 26.8, rounded up). */
    public static final double STATE_COPIES = 32;
    /** Heap bytes per image and step, in units of one differentiable forward pass (fitted slope 4.29, rounded up). */
    public static final double ACTIVATION_FACTOR = 5;

    /** Estimated peak heap in bytes. */
    public long peakBytes() {
        double activations = activationsOnHeap ? (double) imagesPerStep * ACTIVATION_FACTOR * forwardBytesPerImage : 0;
        return (long) Math.min(Long.MAX_VALUE, STATE_COPIES * parameterBytes + activations);
    }

    /** Images per step that fit into {@code heapBytes} (0 when not even the parameters fit). */
    public long maxImagesPerStep(long heapBytes) {
        if (!activationsOnHeap) return Long.MAX_VALUE;
        double left = heapBytes - STATE_COPIES * parameterBytes;
        return left <= 0 ? 0 : (long) (left / (ACTIVATION_FACTOR * forwardBytesPerImage));
    }

    /**
     * The estimate for training {@code teacher} with {@code cfg} (remain + forget images per step) on the current
     * backend. Runs one forward pass of the teacher on one image and two full collections (a fraction of a second).
     */
    public static MemoryEstimate of(ScoreNetwork teacher, SfdConfig cfg) {
        long params = teacher.parameterCount() * Float.BYTES;
        boolean onHeap = !Backends.current().name().startsWith("cuda") || Backends.current().name().equals("cuda-emu");
        return new MemoryEstimate(params, forwardBytesPerImage(teacher), cfg.batchRemain() + cfg.batchForget(), onHeap);
    }

    /**
     * Throws an {@link SfdException} when the estimate exceeds {@code heapBytes}, naming the estimate, the heap, how many
     * images per step would fit and the settings to lower ({@code lowerWhat}, e.g. the command's batch options).
     */
    public void requireFits(long heapBytes, String lowerWhat) {
        if (peakBytes() <= heapBytes) return;
        long fit = maxImagesPerStep(heapBytes);
        throw new SfdException(String.format(Locale.ROOT, "an SFD step with %d images needs about %s of heap (%s for the networks and "
                        + "optimiser state + %s per image) but the JVM has %s: lower %s (about %d images per step fit) or give the JVM more "
                        + "heap (-Xmx; SFD_HEAP for ./sfd)", imagesPerStep, gib(peakBytes()), gib((long) (STATE_COPIES * parameterBytes)),
                gib((long) (ACTIVATION_FACTOR * forwardBytesPerImage)), gib(heapBytes), lowerWhat, fit));
    }

    /**
     * Heap bytes that one differentiable forward pass of {@code net} on a single image keeps alive (the autograd graph
     * holds the intermediates for the backward pass): used heap after a full collection with the output reachable,
     * minus used heap after a full collection before the pass.
     */
    static long forwardBytesPerImage(ScoreNetwork net) {
        int[] shape = net.imageShape();
        int[] batchShape = new int[shape.length + 1];
        batchShape[0] = 1;
        System.arraycopy(shape, 0, batchShape, 1, shape.length);
        Tensor x = Tensor.zeros(DType.FLOAT32, batchShape).requiresGrad(true);
        Tensor sigma = Tensor.of(new float[] {1f}, 1);
        Tensor labels = net.labelDim() > 0 ? Ops.oneHot(new int[] {0}, net.labelDim(), DType.FLOAT32) : null;
        long before = usedAfterGc();
        Tensor out = net.denoise(x, sigma, labels);
        long after = usedAfterGc();
        // the output must stay reachable until the second measurement; never below input + output
        return Math.max(after - before, 2L * out.numel() * Float.BYTES);
    }

    private static long usedAfterGc() {
        java.lang.management.MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        mem.gc();
        mem.gc();
        return mem.getHeapMemoryUsage().getUsed();
    }

    private static String gib(long bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1L << 20));
    }
}
