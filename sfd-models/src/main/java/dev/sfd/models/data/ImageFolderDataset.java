package dev.sfd.models.data;

import dev.sfd.SfdException;
import dev.sfd.io.ImageGrid;
import dev.sfd.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A labelled dataset read from {@code DIR/<class>/*.png} (the layout {@code sfd sample} writes): 8-bit PNGs
 * mapped to [-1, 1], held in memory. Used as auxiliary data of the relearning attack.
 */
public final class ImageFolderDataset implements Dataset {
    private final Path dir;
    private final int numClasses;
    private final int channels, height, width;
    private final List<float[]> images = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();

    /** Reads every {@code DIR/<c>/*.png} with {@code 0 <= c < numClasses}; other entries are ignored. */
    public ImageFolderDataset(Path dir, int numClasses) {
        if (!Files.isDirectory(dir)) throw new SfdException("image folder " + dir + " does not exist (expected " + dir + "/<class>/<NNNN>.png)");
        this.dir = dir;
        this.numClasses = numClasses;
        int[] shape = null;
        try (Stream<Path> dirs = Files.list(dir)) {
            for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                int c;
                try {
                    c = Integer.parseInt(d.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (c < 0 || c >= numClasses) throw new SfdException("image folder " + d + ": class " + c + " is out of range 0.." + (numClasses - 1));
                try (Stream<Path> files = Files.list(d)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".png")).sorted().toList()) {
                        Tensor img = ImageGrid.readImage(f);
                        if (shape == null) shape = img.shape();
                        else if (!java.util.Arrays.equals(shape, img.shape())) {
                            throw new SfdException("image folder " + dir + ": " + f + " is " + java.util.Arrays.toString(img.shape()) + ", others are " + java.util.Arrays.toString(shape));
                        }
                        images.add(img.toFloatArray());
                        labels.add(c);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image folder " + dir, e);
        }
        if (images.isEmpty()) throw new SfdException("image folder " + dir + " has no images (expected " + dir + "/<class>/<NNNN>.png)");
        this.channels = shape[0];
        this.height = shape[1];
        this.width = shape[2];
    }

    @Override public int size() { return images.size(); }
    @Override public int numClasses() { return numClasses; }

    @Override
    public List<String> classNames() {
        List<String> n = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) n.add(Integer.toString(c));
        return n;
    }

    @Override
    public int label(int i) {
        checkIndex(i);
        return labels.get(i);
    }

    @Override
    public void image(int i, float[] dst, int offset) {
        checkIndex(i);
        System.arraycopy(images.get(i), 0, dst, offset, imageSize());
    }

    @Override public String name() { return "image folder " + dir; }
    @Override public int channels() { return channels; }
    @Override public int height() { return height; }
    @Override public int width() { return width; }
}
