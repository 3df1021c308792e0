package dev.sfd.models;

import dev.sfd.FormatException;
import dev.sfd.SfdException;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.io.SafeTensors;
import dev.sfd.models.data.Dataset;
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
    /** The second judge: another layout ({@link Classifier.Arch#CNN3K5}), seed and training run (model card beside it). */
    public static final String SECOND_CLASSIFIER = "fmnist-classifier-cnn3k5.safetensors";
    /** Stage 1 of SFD-Two-Stage on the shipped teacher: a plain-distilled one-step generator ... */
    public static final String DISTILLED_GENERATOR = "fmnist-s-distilled-generator.safetensors";
    /** ... and the fake score network it was trained against. */
    public static final String DISTILLED_FAKE = "fmnist-s-distilled-fake.safetensors";
    /**
     * Prefix of the shipped retrain baselines: {@code fmnist-s-retrain-<class>.safetensors} is {@code fmnist-s} trained
     * from scratch without that class with the teacher's recipe and schedule (issue 7's gold standard; model card beside it).
     */
    public static final String RETRAIN_PREFIX = "fmnist-s-retrain-";
    /** Stored evaluation of the shipped teacher (per-class accuracy, FD and confusion rows; protocol inside). */
    public static final String TEACHER_EVALUATION = "fmnist-s-teacher.eval.json";
    /** File names of a stage-1 folder (what {@code sfd forget --plan ''} writes). */
    public static final String GENERATOR_FILE = "generator.safetensors";
    public static final String FAKE_FILE = "fake.safetensors";

    private Models() {}

    /** Whether the shipped weights of that name are in this build. */
    public static boolean shipped(String name) { return Models.class.getResource(RESOURCE_DIR + name) != null; }

    /** File of SHA-256 sums (sha256sum format) of the shipped weights, next to them. */
    public static final String CHECKSUMS = "SHA256SUMS";

    /** Shipped weights, checked against {@value #CHECKSUMS} and for non-finite values before they are parsed as a network. */
    static SafeTensors.Contents resource(String name) {
        byte[] bytes;
        try (InputStream in = Models.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) throw new SfdException("shipped weights " + name + " are not in this build of sfd-models");
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new FormatException("cannot read shipped weights " + name + ": " + e.getMessage(), e);
        }
        String want = shippedChecksums().get(name);
        if (want == null) throw new FormatException("shipped weights " + name + " are not listed in " + RESOURCE_DIR + CHECKSUMS);
        String actual = sha256(bytes);
        if (!actual.equals(want)) {
            throw new FormatException("shipped weights " + name + " are corrupt: SHA-256 " + actual + ", " + CHECKSUMS + " says " + want
                    + " (rebuild sfd-models from a clean checkout)");
        }
        return SafeTensors.read(bytes, "sfd-models:" + name, DType.FLOAT32).requireFinite("shipped weights " + name);
    }

    /** Name -> SHA-256 from {@value #CHECKSUMS}. */
    static Map<String, String> shippedChecksums() {
        try (InputStream in = Models.class.getResourceAsStream(RESOURCE_DIR + CHECKSUMS)) {
            if (in == null) throw new FormatException(RESOURCE_DIR + CHECKSUMS + " is missing from this build of sfd-models");
            Map<String, String> sums = new java.util.LinkedHashMap<>();
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) continue;
                String[] p = line.trim().split("\\s+\\*?", 2);
                if (p.length != 2 || !p[0].matches("[0-9a-f]{64}")) throw new FormatException(CHECKSUMS + ": malformed line '" + line + "'");
                sums.put(p[1], p[0]);
            }
            return sums;
        } catch (IOException e) {
            throw new FormatException("cannot read " + CHECKSUMS + ": " + e.getMessage(), e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    /** sfd.kind values of files that hold an EDM denoiser (absent: a converted or older file, accepted). */
    static final java.util.Set<String> DENOISER_KINDS = java.util.Set.of("edm-denoiser", "fake-score-network");

    /** Refuses a file whose sfd.kind says it is not a diffusion denoiser (a generator, classifier or checkpoint passed as a teacher). */
    static void requireDenoiserKind(Map<String, String> metadata, String source) {
        String kind = metadata == null ? null : metadata.get("sfd.kind");
        if (kind == null || DENOISER_KINDS.contains(kind)) return;
        String hint = switch (kind) {
            case OneStepGenerator.KIND -> "a one-step generator (sample it with 'sfd sample --model', attack it with 'sfd relearn --model')";
            case Classifier.KIND -> "a classifier (pass it as --classifier)";
            case "sfd-checkpoint" -> "a training checkpoint (export its networks with 'sfd export-stage1' or use --from-stage1)";
            default -> "of kind '" + kind + "'";
        };
        throw new FormatException(source + " is " + hint + ", not a SongUNet diffusion denoiser (metadata sfd.kind '" + kind + "'; expected one of "
                + new java.util.TreeSet<>(DENOISER_KINDS) + ")");
    }

    /** The shipped Fashion-MNIST teacher (EMA weights, eval mode). */
    public static EdmPrecond teacher() { return denoiser(resource(TEACHER), "shipped teacher"); }

    /**
     * The stored evaluation of the shipped teacher with the shipped classifier ({@code ./sfd eval} output of the
     * model card's protocol, with a {@code protocol} entry), or null when this build has none. Deterministic:
     * the Philox latents are the same on every backend, so re-running the protocol reproduces it.
     */
    public static Map<String, Object> teacherEvaluation() {
        try (InputStream in = Models.class.getResourceAsStream(RESOURCE_DIR + TEACHER_EVALUATION)) {
            if (in == null) return null;
            return dev.sfd.io.Json.parseMap(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new FormatException("cannot read " + TEACHER_EVALUATION + ": " + e.getMessage(), e);
        }
    }

    /** The shipped judge classifier. */
    public static Classifier classifier() { return Classifier.fromContents(resource(CLASSIFIER), "shipped classifier"); }

    /** File name of the shipped retrain baseline without class {@code forget}. */
    public static String retrainName(int forget) { return RETRAIN_PREFIX + forget + ".safetensors"; }

    /** Whether this build ships a retrain baseline without class {@code forget} (for the shipped teacher). */
    public static boolean shippedRetrain(int forget) { return forget >= 0 && shipped(retrainName(forget)); }

    /**
     * The shipped retrain baseline without class {@code forget} (EMA weights, eval mode) and its file metadata
     * (training provenance: {@code sfd.train_steps}, {@code sfd.train_hours}, {@code sfd.train_note}).
     */
    public static Shipped retrain(int forget) {
        if (!shippedRetrain(forget)) {
            throw new SfdException("this build ships no retrain baseline without class " + forget + " (only "
                    + shippedRetrainClasses() + "); train one with './sfd baseline retrain --forget " + forget + "'");
        }
        SafeTensors.Contents c = resource(retrainName(forget));
        return new Shipped(denoiser(c, "shipped " + retrainName(forget)), c.metadata());
    }

    /** A shipped network and the metadata of its file. */
    public record Shipped(EdmPrecond network, Map<String, String> metadata) {}

    static String shippedRetrainClasses() {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < 10; k++) if (shipped(retrainName(k))) b.append(b.length() == 0 ? "" : ", ").append("class ").append(k);
        return b.length() == 0 ? "none" : b.toString();
    }

    /**
     * "teacher" (the shipped one), "retrain-K" (the shipped retrain baseline without class K) or a path to
     * SongUNet weights.
     */
    public static EdmPrecond denoiser(String spec) {
        if ("teacher".equals(spec)) return teacher();
        if (isRetrainSpec(spec)) return retrain(Integer.parseInt(spec.substring("retrain-".length()))).network();
        SafeTensors.Contents c = readFile(Path.of(spec));
        requireDenoiserKind(c.metadata(), spec);
        return denoiser(c, spec);
    }

    /** Whether {@code spec} names shipped weights ("teacher", "retrain-K") rather than a file; an existing file of that name wins. */
    public static boolean isShippedSpec(String spec) { return "teacher".equals(spec) || isRetrainSpec(spec); }

    private static boolean isRetrainSpec(String spec) { return spec.matches("retrain-[0-9]{1,4}") && !Files.exists(Path.of(spec)); }

    /**
     * The shipped second judge, trained independently of {@link #classifier()} (another architecture and seed), so that
     * every forgetting figure can be read by two classifiers.
     */
    public static Classifier secondClassifier() {
        return Classifier.fromContents(resource(SECOND_CLASSIFIER), "shipped second classifier");
    }

    /** How reports name the shipped second judge. */
    public static final String SECOND_JUDGE_NAME = "shipped second judge (cnn3k5)";

    /**
     * {@code evaluator} with the shipped second judge added ({@link Evaluator#secondJudge}) when this build ships it, so
     * that its figures are read by two independent classifiers and a plan counts as forgotten only when both agree.
     */
    public static Evaluator withShippedSecondJudge(Evaluator evaluator) {
        return shipped(SECOND_CLASSIFIER) ? evaluator.secondJudge(secondClassifier(), SECOND_JUDGE_NAME) : evaluator;
    }

    /**
     * The product's evaluator: the shipped judge ({@link #classifier()}) and, when this build ships it, the shipped second
     * judge ({@link #withShippedSecondJudge}), with {@code real} as the reference images of FD (null: no FD).
     */
    public static Evaluator shippedEvaluator(Dataset real) {
        return withShippedSecondJudge(new Evaluator(classifier(), real));
    }

    /**
     * The evaluator of a judge named as {@link #classifier(String)} names it: {@code "classifier"} gives
     * {@link #shippedEvaluator} (both shipped judges), any other judge reads alone.
     */
    public static Evaluator evaluator(String classifierSpec, Dataset real) {
        return "classifier".equals(classifierSpec) ? shippedEvaluator(real) : new Evaluator(classifier(classifierSpec), real);
    }

    /** "classifier" (the shipped judge), "second-classifier" (the shipped second judge) or a path. */
    public static Classifier classifier(String spec) {
        if ("classifier".equals(spec)) return classifier();
        if ("second-classifier".equals(spec)) return secondClassifier();
        return Classifier.fromContents(readFile(Path.of(spec)).requireFinite(spec), spec);
    }

    static SafeTensors.Contents readFile(Path p) {
        if (!Files.isRegularFile(p)) throw new FormatException("model file " + p + " does not exist");
        return SafeTensors.read(p).requireFinite(p.toString());
    }

    static EdmPrecond denoiser(SafeTensors.Contents c, String source) { return denoiser(c.metadata(), c.tensors(), source); }

    /** A SongUNet denoiser of the architecture in {@code metadata} with {@code weights}, in eval mode. */
    static EdmPrecond denoiser(Map<String, String> metadata, Map<String, dev.sfd.tensor.Tensor> weights, String source) {
        SongUnetConfig cfg = SongUnetConfig.fromMetadata(metadata, source);
        EdmPrecond net = new EdmPrecond(new SongUnet(cfg, 0));
        try {
            net.loadStateDict(weights, true);
        } catch (SfdException e) {
            throw new FormatException(source + ": " + e.getMessage(), e);
        }
        net.train(false);
        return net;
    }

    /**
     * A finished plain distillation (stage 1 of SFD-Two-Stage): the one-step generator and its fake score network;
     * {@code provenance} names the checkpoint, step and configuration it came from (empty for a folder or the shipped pair).
     */
    public record Stage1(OneStepGenerator generator, EdmPrecond fake, String source, Map<String, String> provenance) {
        /** The networks, as {@link dev.sfd.unlearn.SfdRecipe#twoStage(dev.sfd.unlearn.Stage1)} takes them. */
        public dev.sfd.unlearn.Stage1 networks() { return new dev.sfd.unlearn.Stage1(generator, fake); }
    }

    /** Whether this build ships a stage 1 for the shipped teacher. */
    public static boolean shippedStage1() { return shipped(DISTILLED_GENERATOR) && shipped(DISTILLED_FAKE); }

    /**
     * "shipped" (the stage 1 distilled from the shipped teacher), a folder holding {@value #GENERATOR_FILE} and
     * {@value #FAKE_FILE} as written by a plain-distillation run ({@code sfd forget --plan ''}), or the
     * {@code checkpoint.safetensors} of such a run, finished or not (its EMA generator, else the raw one, and its fake net).
     */
    public static Stage1 stage1(String spec) {
        if ("shipped".equals(spec)) {
            SafeTensors.Contents g = resource(DISTILLED_GENERATOR);
            return new Stage1(generator(g, "shipped " + DISTILLED_GENERATOR), denoiser(resource(DISTILLED_FAKE), "shipped " + DISTILLED_FAKE),
                    "shipped", Map.of());
        }
        Path dir = Path.of(spec);
        if (Files.isRegularFile(dir)) return stage1FromCheckpoint(dir);
        if (!Files.isDirectory(dir)) throw new FormatException("stage 1 folder " + dir + " does not exist (expected " + GENERATOR_FILE + " and " + FAKE_FILE + ")");
        Path fake = dir.resolve(FAKE_FILE);
        if (!Files.isRegularFile(fake)) throw new FormatException("stage 1 folder " + dir + " has no " + FAKE_FILE + " (the fake score network of the distillation)");
        SafeTensors.Contents fc = readFile(fake);
        requireDenoiserKind(fc.metadata(), fake.toString());
        return new Stage1(generator(dir.resolve(GENERATOR_FILE)), denoiser(fc, fake.toString()), dir.toString(), Map.of());
    }

    /**
     * Writes a stage-1 folder ({@value #GENERATOR_FILE} and {@value #FAKE_FILE}) that {@link #stage1(String)} reads
     * back; {@code provenance} (for example the source checkpoint and its step) goes into both files' metadata.
     */
    public static void writeStage1(Path dir, OneStepGenerator generator, dev.sfd.diffusion.ScoreNetwork fake, String plan,
                                   Map<String, String> provenance) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new FormatException("cannot create stage 1 folder " + dir + ": " + e.getMessage());
        }
        generator.save(dir.resolve(GENERATOR_FILE), provenance);
        writeFake(dir.resolve(FAKE_FILE), fake, plan, provenance);
    }

    /** Writes the fake score network of a run (what makes it usable as stage 1 of SFD-Two-Stage), atomically. */
    public static void writeFake(Path file, dev.sfd.diffusion.ScoreNetwork fake, String plan, Map<String, String> extra) {
        Map<String, String> meta = new java.util.LinkedHashMap<>(fake.metadata());
        meta.put("sfd.kind", "fake-score-network");
        meta.put("sfd.plan", plan);
        if (extra != null) meta.putAll(extra);
        SafeTensors.write(file, fake.stateDict(), meta);
    }

    private static Stage1 stage1FromCheckpoint(Path file) {
        Map<String, String> m = SafeTensors.readHeader(file).metadata();
        if (m == null || !"sfd-checkpoint".equals(m.get("sfd.kind"))) {
            throw new FormatException(file + " is neither a stage 1 folder nor an SFD checkpoint (metadata sfd.kind is "
                    + (m == null ? "absent" : m.get("sfd.kind")) + ")");
        }
        dev.sfd.io.Checkpoint c = dev.sfd.io.Checkpoint.load(file);
        if (!c.meta("plan").isEmpty()) {
            throw new FormatException(file + " is a checkpoint of plan '" + c.meta("plan") + "': a stage 1 is plain distillation (empty plan)");
        }
        String source = file + " (step " + c.meta("step") + ")";
        EdmPrecond generator = network(c, c.hasGroup("ema") ? "ema" : "generator", source);
        Map<String, String> provenance = new java.util.LinkedHashMap<>();
        provenance.put("sfd.stage1.checkpoint", file.getFileName().toString());
        provenance.put("sfd.stage1.step", c.meta("step"));
        provenance.put("sfd.stage1.config", c.meta("config"));
        return new Stage1(new OneStepGenerator(generator, sigmaInitOf(c, file)), network(c, "fake", source), source, provenance);
    }

    private static EdmPrecond network(dev.sfd.io.Checkpoint c, String group, String source) {
        return denoiser(c.metadata(), c.group(group), source + ", " + group);
    }

    /** sigma_init of a checkpoint: its own key, else the value inside its stored configuration (older checkpoints). */
    private static double sigmaInitOf(dev.sfd.io.Checkpoint c, Path file) {
        if (c.metadata().get("sigma_init") != null) return c.metaDouble("sigma_init");
        String config = c.metadata().get("config");
        Object stored = config == null ? null : dev.sfd.unlearn.SfdConfig.storedValues(config).get("sigma_init");
        if (stored == null) throw new FormatException(file + " does not record sigma_init");
        if (stored instanceof Number n) return n.doubleValue();
        try {
            return Double.parseDouble(stored.toString());
        } catch (NumberFormatException e) {
            throw new FormatException(file + ": sigma_init in the stored configuration is not a number: '" + stored + "'");
        }
    }

    /** Throws unless {@code net} has the teacher's architecture (a stage 1 must come from the same kind of network). */
    public static void requireSameArchitecture(dev.sfd.diffusion.ScoreNetwork teacher, dev.sfd.diffusion.ScoreNetwork net, String what) {
        if (!teacher.metadata().equals(net.metadata())) {
            throw new FormatException(what + " does not have the teacher's architecture: " + net.metadata() + " vs " + teacher.metadata());
        }
    }

    /** True when the file holds a one-step generator (metadata sfd.kind). */
    public static boolean isGenerator(Path p) {
        Map<String, String> m = SafeTensors.readHeader(p).metadata();
        return m != null && OneStepGenerator.KIND.equals(m.get("sfd.kind"));
    }

    /** Loads a one-step generator written by {@link OneStepGenerator#save}. */
    public static OneStepGenerator generator(Path p) { return generator(readFile(p), p.toString()); }

    static OneStepGenerator generator(SafeTensors.Contents c, String source) {
        Map<String, String> m = c.metadata();
        if (m == null || !OneStepGenerator.KIND.equals(m.get("sfd.kind"))) {
            throw new FormatException(source + " is not a one-step generator (metadata sfd.kind is " + (m == null ? "absent" : m.get("sfd.kind")) + ")");
        }
        return new OneStepGenerator(denoiser(c, source), Double.parseDouble(m.get("sfd.sigma_init")));
    }
}
