package dev.sfd.io;

import dev.sfd.FormatException;
import dev.sfd.SfdException;
import dev.sfd.ShapeException;
import dev.sfd.tensor.Shapes;
import dev.sfd.tensor.Tensor;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * PNG output for image tensors in [-1, 1] (NCHW, C = 1 grayscale or 3 RGB), with {@code javax.imageio}.
 *
 * <p>A grid lays N images out row-major in {@code cols} columns with padding between tiles, optionally with
 * a label to the left of each row (e.g. the class name for one-row-per-class sample sheets) and a title
 * above. Typical use:
 * <pre>{@code
 * ImageGrid.of(samples).cols(10).rowLabels(classNames).title("teacher, Heun 18 steps").scale(2).write(path);
 * }</pre>
 *
 * <p>Values map to 8 bits as {@code round((v + 1) * 127.5)} clamped to [0, 255] (NaN becomes 0); reading
 * maps a byte {@code p} back to {@code p / 127.5 - 1}, so a round trip moves a value in [-1, 1] by at most
 * 1/255. Grayscale tensors become 8-bit grayscale PNGs (pixels written through the raster, never through
 * a colour conversion). Text needs a font; on a machine without any, labels and title are skipped and
 * that is logged once, the layout is unchanged.
 */
public final class ImageGrid {
    private static final System.Logger LOG = System.getLogger("dev.sfd.io");
    private static volatile boolean fontWarned;

    private final float[] data;
    private final int n;
    private final int c;
    private final int h;
    private final int w;
    private int cols;
    private int padding = 2;
    private int scale = 1;
    private List<String> rowLabels = List.of();
    private String title;

    private ImageGrid(Tensor images) {
        int[] s = images.shape();
        if (s.length != 4 || (s[1] != 1 && s[1] != 3)) {
            throw new ShapeException("ImageGrid: expected images [N, C, H, W] with C = 1 or 3, got " + Shapes.str(s));
        }
        if (s[0] == 0 || s[2] == 0 || s[3] == 0) throw new ShapeException("ImageGrid: no pixels in images of shape " + Shapes.str(s));
        this.data = HostData.floats(images);
        this.n = s[0];
        this.c = s[1];
        this.h = s[2];
        this.w = s[3];
        this.cols = (int) Math.ceil(Math.sqrt(n));
    }

    /** A grid of the images of a [N, C, H, W] tensor in [-1, 1]; by default about square, padding 2, scale 1. */
    public static ImageGrid of(Tensor images) {
        return new ImageGrid(images);
    }

    /** Number of columns; the number of rows follows as ceil(N / cols). */
    public ImageGrid cols(int cols) {
        if (cols < 1) throw new SfdException("ImageGrid: cols must be >= 1, got " + cols);
        this.cols = cols;
        return this;
    }

    /** Pixels between tiles and around the grid (before scaling is irrelevant: padding is in output pixels). */
    public ImageGrid padding(int padding) {
        if (padding < 0) throw new SfdException("ImageGrid: padding must be >= 0, got " + padding);
        this.padding = padding;
        return this;
    }

    /** Integer nearest-neighbour magnification of each tile (32x32 images are small on screen). */
    public ImageGrid scale(int scale) {
        if (scale < 1 || scale > 64) throw new SfdException("ImageGrid: scale must be in [1, 64], got " + scale);
        this.scale = scale;
        return this;
    }

    /** One label per row (at most {@link #rows()} labels), drawn in a left margin. */
    public ImageGrid rowLabels(List<String> labels) {
        if (labels.size() > rows()) {
            throw new SfdException("ImageGrid: " + labels.size() + " row labels for " + rows() + " rows (" + n + " images in " + cols + " columns)");
        }
        this.rowLabels = List.copyOf(labels);
        return this;
    }

    /** A title above the grid (null for none). */
    public ImageGrid title(String title) {
        this.title = title;
        return this;
    }

    /** Number of rows of the grid. */
    public int rows() { return (n + cols - 1) / cols; }

    /** Renders the grid: TYPE_BYTE_GRAY for one channel, TYPE_INT_RGB for three. */
    public BufferedImage render() {
        int tileW = w * scale;
        int tileH = h * scale;
        int rows = rows();
        int fontSize = Math.max(9, Math.min(14, tileH / 3));
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, fontSize);
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, fontSize + 2);
        boolean text = !rowLabels.isEmpty() || title != null;
        int left = 0;
        int top = 0;
        FontMetrics fm = null;
        FontMetrics tfm = null;
        if (text) {
            BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
            Graphics2D g = probe.createGraphics();
            try {
                fm = g.getFontMetrics(font);
                tfm = g.getFontMetrics(titleFont);
                for (String s : rowLabels) if (s != null) left = Math.max(left, fm.stringWidth(s));
            } catch (Throwable e) { // no fonts or font libraries (minimal containers): keep the layout, drop the text
                fontFailed(e);
                fm = null;
                tfm = null;
                for (String s : rowLabels) if (s != null) left = Math.max(left, s.length() * fontSize * 6 / 10);
            } finally {
                g.dispose();
            }
            if (!rowLabels.isEmpty()) left += 2 * Math.max(padding, 3);
            if (title != null) top = (tfm != null ? tfm.getHeight() : fontSize + 6) + Math.max(padding, 3);
        }
        int width = left + cols * tileW + (cols + 1) * padding;
        int height = top + rows * tileH + (rows + 1) * padding;
        if (title != null && tfm != null) width = Math.max(width, tfm.stringWidth(title) + 2 * Math.max(padding, 3));
        BufferedImage img = new BufferedImage(width, height, c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
        } finally {
            g.dispose();
        }
        WritableRaster r = img.getRaster();
        for (int i = 0; i < n; i++) {
            int x0 = left + padding + (i % cols) * (tileW + padding);
            int y0 = top + padding + (i / cols) * (tileH + padding);
            paint(img, r, i, x0, y0);
        }
        if (fm != null) drawText(img, font, titleFont, left, top, tileH);
        return img;
    }

    private void paint(BufferedImage img, WritableRaster r, int index, int x0, int y0) {
        int plane = h * w;
        int base = index * c * plane;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = base + y * w + x;
                int v;
                if (c == 1) {
                    v = quantize(data[p]);
                } else {
                    v = (quantize(data[p]) << 16) | (quantize(data[p + plane]) << 8) | quantize(data[p + 2 * plane]);
                }
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        if (c == 1) r.setSample(x0 + x * scale + dx, y0 + y * scale + dy, 0, v);
                        else img.setRGB(x0 + x * scale + dx, y0 + y * scale + dy, v);
                    }
                }
            }
        }
    }

    private void drawText(BufferedImage img, Font font, Font titleFont, int left, int top, int tileH) {
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.BLACK);
            if (title != null) {
                g.setFont(titleFont);
                FontMetrics t = g.getFontMetrics();
                int x = Math.max(Math.max(padding, 3), (img.getWidth() - t.stringWidth(title)) / 2);
                g.drawString(title, x, Math.max(padding, 3) + t.getAscent());
            }
            g.setFont(font);
            FontMetrics fm = g.getFontMetrics();
            for (int row = 0; row < rowLabels.size(); row++) {
                String s = rowLabels.get(row);
                if (s == null) continue;
                int yMid = top + padding + row * (tileH + padding) + tileH / 2;
                g.drawString(s, Math.max(padding, 3), yMid + (fm.getAscent() - fm.getDescent()) / 2);
            }
        } catch (Throwable e) {
            fontFailed(e);
        } finally {
            g.dispose();
        }
    }

    private static void fontFailed(Throwable e) {
        if (!fontWarned) {
            fontWarned = true;
            LOG.log(System.Logger.Level.WARNING, "no usable font (" + e + "); PNG grids are written without labels and title."
                    + " Install a font package (e.g. fonts-dejavu-core) to get them.");
        }
    }

    /** Renders and writes the grid as a PNG, atomically. */
    public void write(Path file) {
        writePng(render(), file);
    }

    // ------------------------------------------------------------------ single images

    /** Writes one image, [C, H, W] (C = 1 or 3) or [H, W], in [-1, 1] as an 8-bit grayscale or RGB PNG. */
    public static void writeImage(Tensor image, Path file) {
        writePng(toImage(image), file);
    }

    /** One image, [C, H, W] (C = 1 or 3) or [H, W], in [-1, 1] as an 8-bit BufferedImage (no padding). */
    public static BufferedImage toImage(Tensor image) {
        int[] s = image.shape();
        if (s.length == 2) s = new int[] {1, s[0], s[1]};
        if (s.length != 3 || (s[0] != 1 && s[0] != 3)) {
            throw new ShapeException("image: expected [C, H, W] with C = 1 or 3 (or [H, W]), got " + Shapes.str(image.shape()));
        }
        int[] nchw = {1, s[0], s[1], s[2]};
        ImageGrid one = new ImageGrid(new Tensor(image.storage(), nchw, withLeadingOne(image, s), image.offset()));
        return one.padding(0).cols(1).render();
    }

    private static int[] withLeadingOne(Tensor image, int[] chw) {
        int[] st = image.strides();
        if (st.length == 2) st = new int[] {chw[1] * chw[2], st[0], st[1]};
        return new int[] {chw[0] * chw[1] * chw[2], st[0], st[1], st[2]};
    }

    /**
     * Reads a PNG (or any format ImageIO knows) as a FLOAT32 tensor [C, H, W] in [-1, 1]: C = 1 for grayscale
     * images (alpha dropped), 3 otherwise. 16-bit samples are scaled by 65535 instead of 255.
     */
    public static Tensor readImage(Path file) {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            if (!Files.exists(file)) throw new FormatException("image " + file.toAbsolutePath() + " does not exist");
            throw new FormatException("image " + file.toAbsolutePath() + " cannot be decoded: " + e.getMessage(), e);
        }
        if (img == null) {
            if (!Files.exists(file)) throw new FormatException("image " + file.toAbsolutePath() + " does not exist");
            throw new FormatException("image " + file.toAbsolutePath() + " is not in an image format ImageIO can read");
        }
        int width = img.getWidth();
        int height = img.getHeight();
        Raster r = img.getRaster();
        boolean component = img.getColorModel() instanceof ComponentColorModel;
        int csType = img.getColorModel().getColorSpace().getType();
        int plane = width * height;
        if (component && csType == ColorSpace.TYPE_GRAY) {
            double max = (1 << img.getColorModel().getComponentSize(0)) - 1;
            float[] out = new float[plane];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) out[y * width + x] = (float) (r.getSample(x, y, 0) / max * 2.0 - 1.0);
            }
            return Tensor.wrap(out, 1, height, width);
        }
        float[] out = new float[3 * plane];
        if (component && csType == ColorSpace.TYPE_RGB && img.getColorModel().getColorSpace().isCS_sRGB()) {
            double max = (1 << img.getColorModel().getComponentSize(0)) - 1;
            for (int ch = 0; ch < 3; ch++) {
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) out[ch * plane + y * width + x] = (float) (r.getSample(x, y, ch) / max * 2.0 - 1.0);
                }
            }
        } else {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int rgb = img.getRGB(x, y);
                    out[y * width + x] = (float) (((rgb >> 16) & 0xff) / 127.5 - 1.0);
                    out[plane + y * width + x] = (float) (((rgb >> 8) & 0xff) / 127.5 - 1.0);
                    out[2 * plane + y * width + x] = (float) ((rgb & 0xff) / 127.5 - 1.0);
                }
            }
        }
        return Tensor.wrap(out, 3, height, width);
    }

    /** The 8-bit value of a pixel value in [-1, 1]. */
    public static int quantize(float v) {
        if (Float.isNaN(v)) return 0;
        long q = Math.round((v + 1.0) * 127.5);
        return (int) Math.max(0, Math.min(255, q));
    }

    /** Writes any BufferedImage as PNG, atomically (also used for plots). */
    public static void writePng(BufferedImage img, Path file) {
        AtomicFiles.write(file, out -> encodePng(img, out, file));
    }

    private static void encodePng(BufferedImage img, OutputStream out, Path file) throws IOException {
        Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("png");
        if (!it.hasNext()) throw new SfdException("cannot write " + file + ": this JVM has no PNG ImageWriter");
        ImageWriter writer = it.next();
        // memory cache: ImageIO's default disk cache would put extra temp files next to nothing we control
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(img);
        } finally {
            writer.dispose();
        }
    }
}
