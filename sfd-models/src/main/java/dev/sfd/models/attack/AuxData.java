package dev.sfd.models.attack;

import dev.sfd.SfdException;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.io.SafeTensors;
import dev.sfd.models.baselines.Baselines;
import dev.sfd.models.data.Dataset;
import dev.sfd.ops.Ops;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.OneStepGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Data for the relearning attacks: a few real images of one class (the targeted attack) and labelled images an
 * attacker can make WITHOUT real data, by sampling a model for the labels other than the forgotten one (the
 * attacked model itself, or the original teacher). Generated sets are cached in one safetensors file keyed by
 * the model, the labels, the sampler and the seed, so a resumed attack trains on exactly the same images.
 */
public final class AuxData {
    /** Generated images per label (default of {@code relearn --aux generated-*}). */
    public static final int DEFAULT_PER_CLASS = 100;
    /** Heun steps of a denoiser's generated images. */
    public static final int DEFAULT_HEUN_STEPS = 18;
    /** Philox seed of the generated images' latents. */
    public static final long DEFAULT_SEED = 31;

    private static final int CHUNK = 64;

    private AuxData() {}

    /**
     * The first {@code n} images of class {@code cls} of {@code data}, in the dataset's order (a fixed, reproducible
     * choice; the attack's own seed decides the batches drawn from them).
     */
    public static Dataset firstOfClass(Dataset data, int cls, int n) {
        data.checkClass(cls);
        if (n < 1) throw new SfdException("asked for " + n + " images of class " + cls + ": need at least 1");
        int[] idx = data.indicesOf(cls);
        if (idx.length < n) {
            throw new SfdException("asked for " + n + " images of class " + cls + " but " + data.name() + " has only " + idx.length);
        }
        return data.subset(Arrays.copyOf(idx, n));
    }

    /**
     * {@code perClass} samples of every label except {@code forget}: one-step samples when {@code sigmaInit} is
     * given (a one-step generator's network), Heun ({@code heunSteps}) otherwise. Cached in {@code cache} when not null.
     */
    public static Dataset generated(ScoreNetwork net, Double sigmaInit, int forget, int perClass, int heunSteps, long seed, Path cache, String who) {
        Baselines.requireForgetLabel(net, forget, who);
        if (perClass < 1) throw new SfdException("generated auxiliary data: images per class must be >= 1, got " + perClass);
        int[] labels = new int[perClass * (net.labelDim() - 1)];
        for (int c = 0, k = 0; c < net.labelDim(); c++) {
            if (c == forget) continue;
            for (int i = 0; i < perClass; i++) labels[k++] = c;
        }
        return sampled(net, sigmaInit, labels, heunSteps, seed, cache, who + " samples of the labels other than " + forget);
    }

    /**
     * One sample of {@code net} per entry of {@code labels} (one-step with {@code sigmaInit}, else Heun), labelled
     * with that entry, as a dataset of values clamped to [-1, 1]. With a {@code cache} file that was written for the
     * same network, labels, sampler and seed, the images are read from it instead of sampled; otherwise they are
     * sampled and the file (re)written.
     */
    public static Dataset sampled(ScoreNetwork net, Double sigmaInit, int[] labels, int heunSteps, long seed, Path cache, String name) {
        if (labels.length == 0) throw new SfdException("no labels to sample for " + name);
        if (heunSteps < 1) throw new SfdException("Heun steps must be >= 1, got " + heunSteps);
        String key = Baselines.fingerprint(net) + "/" + (sigmaInit != null ? "one-step sigma_init " + sigmaInit : "heun " + heunSteps)
                + "/seed " + seed + "/labels " + Integer.toHexString(Arrays.hashCode(labels)) + "x" + labels.length;
        Tensor images = null;
        if (cache != null && Files.isRegularFile(cache)) {
            SafeTensors.Contents f = SafeTensors.read(cache);
            if (key.equals(f.metadata().get("sfd.aux_key"))) images = f.tensors().get("images");
        }
        if (images == null) {
            List<Tensor> parts = new ArrayList<>();
            for (int start = 0; start < labels.length; start += CHUNK) {
                int[] lab = Arrays.copyOfRange(labels, start, Math.min(labels.length, start + CHUNK));
                parts.add(sigmaInit != null ? new OneStepGenerator(net, sigmaInit).sample(lab, seed + start)
                        : RelearnAttack.sampleHeun(net, lab, heunSteps, seed + start));
            }
            images = Ops.clamp(Ops.concat(0, parts.toArray(new Tensor[0])), -1, 1);
            if (cache != null) {
                try {
                    if (cache.getParent() != null) Files.createDirectories(cache.getParent());
                } catch (java.io.IOException e) {
                    throw new SfdException("cannot create the folder of " + cache + ": " + e.getMessage());
                }
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("sfd.aux_key", key);
                meta.put("sfd.aux_name", name);
                SafeTensors.write(cache, Map.of("images", images), meta);
            }
        }
        return of(images, labels, net.labelDim(), name + " (" + labels.length + " images)");
    }

    /** An in-memory dataset of {@code images} [N, C, H, W] with the given labels in a {@code numClasses}-way label space. */
    public static Dataset of(Tensor images, int[] labels, int numClasses, String name) {
        if (images.rank() != 4 || images.dim(0) != labels.length) {
            throw new SfdException(name + ": expected images [" + labels.length + ", C, H, W], got " + Arrays.toString(images.shape()));
        }
        for (int l : labels) if (l < 0 || l >= numClasses) throw new SfdException(name + ": label " + l + " outside 0.." + (numClasses - 1));
        return new InMemory(images.to(DType.FLOAT32).toFloatArray(), labels.clone(), numClasses, images.dim(1), images.dim(2), images.dim(3), name);
    }

    private record InMemory(float[] data, int[] labels, int numClasses, int channels, int height, int width, String name) implements Dataset {
        @Override public int size() { return labels.length; }

        @Override
        public List<String> classNames() {
            List<String> n = new ArrayList<>();
            for (int c = 0; c < numClasses; c++) n.add("class " + c);
            return n;
        }

        @Override
        public int label(int i) {
            checkIndex(i);
            return labels[i];
        }

        @Override
        public void image(int i, float[] dst, int offset) {
            checkIndex(i);
            System.arraycopy(data, i * imageSize(), dst, offset, imageSize());
        }
    }
}
