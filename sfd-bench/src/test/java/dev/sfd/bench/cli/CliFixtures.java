package dev.sfd.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.sfd.models.Classifier;
import dev.sfd.models.ConstantJudge;
import dev.sfd.models.SongUnet;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Tiny assets and helpers shared by the CLI tests: a random SongUNet teacher, classifiers, PNG checks, captured output. */
final class CliFixtures {
    private CliFixtures() {}

    /** A random tiny SongUNet teacher (32x32x1, 10 labels, 8 channels) saved in {@code dir}. */
    static Path teacher(Path dir) {
        Path p = dir.resolve("teacher.safetensors");
        SongUnet.save(SongUnet.create(CliEndToEndTest.SMALL, 5), p, null);
        return p;
    }

    /** A random tiny classifier saved in {@code dir}. */
    static Path classifier(Path dir) {
        Path p = dir.resolve("classifier.safetensors");
        new Classifier(1, 4, 10, 6).save(p, null);
        return p;
    }

    /** A judge that calls every image class {@code k}, saved in {@code dir} ({@link ConstantJudge}): figures with known values. */
    static Path constantJudge(Path dir, int k) { return ConstantJudge.save(dir, k); }

    /** Decodes a PNG (failing when the file is not one) and checks its size; returns the image. */
    static BufferedImage png(Path file, int width, int height) throws IOException {
        byte[] b = Files.readAllBytes(file);
        assertEquals(0x89, b[0] & 0xff, file + " is not a PNG");
        assertEquals("PNG", new String(b, 1, 3, StandardCharsets.US_ASCII), file + " is not a PNG");
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, file + " does not decode");
        if (width > 0) assertEquals(width, img.getWidth(), file + " width");
        if (height > 0) assertEquals(height, img.getHeight(), file + " height");
        return img;
    }

    /** Number of distinct RGB values in an image (a blank picture has 1). */
    static int colours(BufferedImage img) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) seen.add(img.getRGB(x, y) & 0xffffff);
        return seen.size();
    }

    /** What a CLI call printed, and its exit code. */
    record Ran(int code, String out, String err) {}

    /** Runs the CLI in this JVM with stdout and stderr captured. */
    /**
     * Runs the CLI in-process and fails unless the command finished: exit 0, or for a forgetting command (forget, demo,
     * sweep) exit 3, a finished run below the product's bar (what these tiny random networks reach).
     */
    static Ran finished(String... args) {
        Ran r = run(args);
        boolean forgetting = args[0].equals("forget") || args[0].equals("demo") || args[0].equals("sweep");
        if (!(forgetting && r.code() == SfdCli.EXIT_BELOW_BAR)) assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
        return r;
    }

    static Ran run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = SfdCli.execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Ran(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Files under {@code dir}, relative, sorted, '/'-separated. */
    static List<String> files(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }

    static double num(Object o) { return ((Number) o).doubleValue(); }
}
