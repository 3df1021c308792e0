package dev.sfd.models;

import dev.sfd.FormatException;
import dev.sfd.SfdException;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.io.SafeTensors;
import dev.sfd.tensor.DType;
import dev.sfd.unlearn.OneStepGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loading of networks by name or path: the shipped Fashion-MNIST teacher and judge classifier (resources of
 * this module, each with a model card next to it), SongUNet denoisers and one-step generators from files.
 */
public final class Models {
    /** Resource folder of the shipped weights. */
    public static final String RESOURCE_DIR = "/dev/sfd/models/weights/";
    public static final String TEACHER = "fmnist-s-teacher.safetensors";
    public static final String CLASSIFIER = "fmnist-classifier.safetensors";

    private Models() {}

    /** Whether the shipped weights of that name are in this build. */
    public static boolean shipped(String name) { return Models.class.getResource(RESOURCE_DIR + name) != null; }

    static SafeTensors.Contents resource(String name) {
        try (InputStream in = Models.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) throw new SfdException("shipped weights " + name + " are not in this build of sfd-models");
            return SafeTensors.read(in, "sfd-models:" + name, DType.FLOAT32);
        } catch (IOException e) {
            throw new FormatException("cannot read shipped weights " + name + ": " + e.getMessage(), e);
        }
    }

    /** The shipped Fashion-MNIST teacher (EMA weights, eval mode). */
    public static EdmPrecond teacher() { return denoiser(resource(TEACHER), "shipped teacher"); }

    /** The shipped judge classifier. */
    public static Classifier classifier() { return Classifier.fromContents(resource(CLASSIFIER), "shipped classifier"); }

    /** "teacher" (the shipped one) or a path to SongUNet weights. */
    public static EdmPrecond denoiser(String spec) {
        if ("teacher".equals(spec)) return teacher();
        return denoiser(readFile(Path.of(spec)), spec);
    }

    /** "classifier" (the shipped one) or a path. */
    public static Classifier classifier(String spec) {
        if ("classifier".equals(spec)) return classifier();
        return Classifier.fromContents(readFile(Path.of(spec)), spec);
    }

    static SafeTensors.Contents readFile(Path p) {
        if (!Files.isRegularFile(p)) throw new FormatException("model file " + p + " does not exist");
        return SafeTensors.read(p);
    }

    static EdmPrecond denoiser(SafeTensors.Contents c, String source) {
        SongUnetConfig cfg = SongUnetConfig.fromMetadata(c.metadata(), source);
        EdmPrecond net = new EdmPrecond(new SongUnet(cfg, 0));
        try {
            net.loadStateDict(c.tensors(), true);
        } catch (SfdException e) {
            throw new FormatException(source + ": " + e.getMessage(), e);
        }
        net.train(false);
        return net;
    }

    /** True when the file holds a one-step generator (metadata sfd.kind). */
    public static boolean isGenerator(Path p) {
        Map<String, String> m = SafeTensors.readHeader(p).metadata();
        return m != null && OneStepGenerator.KIND.equals(m.get("sfd.kind"));
    }

    /** Loads a one-step generator written by {@link OneStepGenerator#save}. */
    public static OneStepGenerator generator(Path p) {
        SafeTensors.Contents c = readFile(p);
        Map<String, String> m = c.metadata();
        if (m == null || !OneStepGenerator.KIND.equals(m.get("sfd.kind"))) {
            throw new FormatException(p + " is not a one-step generator (metadata sfd.kind is " + (m == null ? "absent" : m.get("sfd.kind")) + ")");
        }
        return new OneStepGenerator(denoiser(c, p.toString()), Double.parseDouble(m.get("sfd.sigma_init")));
    }
}
