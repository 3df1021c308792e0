package dev.sfd.bench.cli;

import dev.sfd.ConfigException;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.diffusion.Guidance;
import dev.sfd.diffusion.Sampler;
import dev.sfd.io.ImageGrid;
import dev.sfd.models.Evaluator;
import dev.sfd.models.Models;
import dev.sfd.models.data.FashionMnist;
import dev.sfd.ops.Ops;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.OneStepGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes DIR/<class>/<NNNN>.png and DIR/grid.png from a teacher (diffusion sampler) or a one-step generator. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Sample images per class: from a diffusion model with Heun/Euler, or from a one-step generator (1 network call). "
                + "Writes DIR/<class>/<NNNN>.png (8-bit) and DIR/grid.png (one labelled row per class).")
final class SampleCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "teacher", description = "'teacher' (shipped), 'retrain-0' (the shipped retrain baseline without class 0), a SongUNet file, or a one-step generator file")
    String model;
    @Option(names = "--sampler", defaultValue = "heun", description = "heun or euler (ignored for one-step generators)") String sampler;
    @Option(names = "--steps", defaultValue = "18", description = "sampler steps N for diffusion models (Heun: 2N - 1 network calls per image; default: ${DEFAULT-VALUE})") int steps;
    @Option(names = "--guidance", defaultValue = "1.0", description = "classifier-free guidance weight w (1 = off)") double guidance;
    @Option(names = "--per-class", defaultValue = "16", description = "images per class (default: ${DEFAULT-VALUE})") int perClass;
    @Option(names = "--seed", defaultValue = "0", description = "Philox seed of the latents (default: ${DEFAULT-VALUE})") long seed;
    @Option(names = "--out", required = true, description = "output folder: OUT/<class>/<NNNN>.png and OUT/grid.png") Path out;

    @Option(names = "--overwrite", description = Output.OVERWRITE_HELP) boolean overwrite;

    @Override
    public Integer call() throws IOException {
        ConfigException.requirePositive("--per-class", perClass);
        ConfigException.requirePositive("--steps", steps);
        ConfigException.requireNonNegative("--guidance (1 = off)", guidance);
        java.util.function.Supplier<Tensor> draw = loader(model, sampler, steps, guidance, perClass, seed); // loads and checks first
        Output.claim(out, false, overwrite, "sample", model, seed, java.util.Map.of("sampler", sampler, "steps", steps, "guidance", guidance, "per_class", perClass));
        Tensor images = draw.get();
        int classes = images.dim(0) / perClass;
        writeTree(out, images, perClass, classes);
        System.out.println("wrote " + images.dim(0) + " images to " + out + " (grid: " + out.resolve("grid.png") + ")");
        return 0;
    }

    /** Loads the model and checks the sampler now; the returned supplier draws the images. */
    static java.util.function.Supplier<Tensor> loader(String model, String sampler, int steps, double guidance, int perClass, long seed) {
        boolean isFile = !Models.isShippedSpec(model);
        if (isFile && Models.isGenerator(Path.of(model))) {
            OneStepGenerator g = Models.generator(Path.of(model));
            return () -> Evaluator.sampleGenerator(g, perClass, seed)[0];
        }
        EdmPrecond net = Models.denoiser(model);
        Sampler s = switch (sampler) {
            case "heun" -> Sampler.heun(steps);
            case "euler" -> Sampler.euler(steps);
            default -> throw new ConfigException("--sampler: unknown sampler '" + sampler + "' (heun, euler)");
        };
        return () -> heunWithProgress(Guidance.of(net, guidance), net.imageShape(), net.labelDim(), perClass, s, seed,
                "sample " + s.nfe() + " calls/image");
    }

    /** Diffusion sampling with a progress bar over images (stderr). */
    static Tensor heunWithProgress(dev.sfd.diffusion.Denoiser d, int[] shape, int classes, int perClass, Sampler s, long seed, String task) {
        long total = (long) classes * perClass;
        try (Progress p = new Progress(task, total, 0)) {
            return Evaluator.sampleDiffusion(d, shape, classes, perClass, s, seed, done -> p.onStep(done, total, java.util.Map.of()));
        }
    }

    static void writeTree(Path out, Tensor images, int perClass, int classes) throws IOException {
        for (int i = 0; i < images.dim(0); i++) {
            Path dir = out.resolve(Integer.toString(i / perClass));
            Files.createDirectories(dir);
            ImageGrid.writeImage(Ops.narrow(images, 0, i, 1).reshape(images.dim(1), images.dim(2), images.dim(3)),
                    dir.resolve(String.format("%04d.png", i % perClass)));
        }
        grid(out.resolve("grid.png"), images, perClass, classes, "samples");
    }

    /** A labelled grid with one row per class, at most 12 images per row. */
    static void grid(Path png, Tensor images, int perClass, int classes, String title) {
        int cols = Math.min(perClass, 12);
        Tensor[] rows = new Tensor[classes];
        for (int c = 0; c < classes; c++) rows[c] = Ops.narrow(images, 0, c * perClass, cols);
        List<String> names = classes == FashionMnist.CLASS_NAMES.size() ? FashionMnist.CLASS_NAMES : null;
        ImageGrid g = ImageGrid.of(Ops.concat(0, rows)).cols(cols).scale(2).title(title);
        if (names != null) g = g.rowLabels(names);
        g.write(png);
    }
}
