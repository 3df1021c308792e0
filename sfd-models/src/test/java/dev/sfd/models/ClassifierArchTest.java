package dev.sfd.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import dev.sfd.io.SafeTensors;
import dev.sfd.optim.Adam;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two judge layouts: shapes, parameter layout, file round trip, training signal and refused metadata. */
class ClassifierArchTest {
    @TempDir Path dir;

    static Tensor images(int n, long seed) {
        return new RandomStream(seed).normal(dev.sfd.tensor.DType.FLOAT32, n, 1, 32, 32);
    }

    @Test
    void secondJudgeHasItsOwnLayout() {
        Classifier a = new Classifier(Classifier.Arch.CNN6, 1, 4, 10, 1);
        Classifier b = new Classifier(Classifier.Arch.CNN3K5, 1, 4, 10, 1);
        assertEquals(Classifier.Arch.CNN6, new Classifier(1, 4, 10, 1).arch());
        // cnn3k5: conv0 5x5 (1->4), conv1 5x5 (4->8), conv2 3x3 (8->16), no norms
        Map<String, Tensor> sd = b.stateDict();
        assertArrayEquals(new int[] {4, 1, 5, 5}, sd.get("conv0.weight").shape());
        assertArrayEquals(new int[] {8, 4, 5, 5}, sd.get("conv1.weight").shape());
        assertArrayEquals(new int[] {16, 8, 3, 3}, sd.get("conv2.weight").shape());
        assertArrayEquals(new int[] {128, 256}, sd.get("fc.weight").shape());
        assertTrue(sd.keySet().stream().noneMatch(k -> k.startsWith("norm")), sd.keySet().toString());
        assertTrue(a.stateDict().containsKey("norm5.weight"));
        Tensor x = images(3, 2);
        assertArrayEquals(new int[] {3, 10}, b.logits(x).shape());
        assertArrayEquals(new int[] {3, Classifier.FEATURES}, b.features(x).shape());
    }

    @Test
    void fileRoundTripKeepsArchitectureAndLogits() {
        Classifier b = new Classifier(Classifier.Arch.CNN3K5, 1, 4, 10, 5);
        b.train(false);
        Path f = dir.resolve("judge2.safetensors");
        b.save(f, null);
        assertEquals("1,4,10,cnn3k5", SafeTensors.read(f).metadata().get("sfd.classifier"));
        Classifier back = Classifier.load(f);
        assertEquals(Classifier.Arch.CNN3K5, back.arch());
        Tensor x = images(2, 9);
        assertArrayEquals(b.logits(x).toFloatArray(), back.logits(x).toFloatArray());
        // the shipped layout keeps its three-field metadata, so files written before the second layout still load
        Path g = dir.resolve("judge1.safetensors");
        new Classifier(1, 4, 10, 5).save(g, null);
        assertEquals("1,4,10", SafeTensors.read(g).metadata().get("sfd.classifier"));
        assertEquals(Classifier.Arch.CNN6, Classifier.load(g).arch());
    }

    @Test
    void secondJudgeLearnsASeparableTask() {
        // two "classes": bright left half vs bright right half; a few Adam steps must separate them
        int n = 16;
        float[] px = new float[n * 32 * 32];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) px[i * 1024 + y * 32 + x] = (x < 16) == (labels[i] == 0) ? 0.8f : -0.8f;
        }
        Tensor x = Tensor.of(px, n, 1, 32, 32);
        Classifier b = new Classifier(Classifier.Arch.CNN3K5, 1, 4, 2, 3);
        Adam adam = new Adam(b.parameters(), 1e-2, 0.9, 0.999);
        double first = Double.NaN, last = Double.NaN;
        for (int step = 0; step < 30; step++) {
            Tensor loss = Classifier.crossEntropy(b.logits(x), labels);
            double v = loss.item();
            if (step == 0) first = v;
            last = v;
            adam.zeroGrad();
            loss.backward();
            adam.step();
        }
        assertTrue(last < 0.2 * first, "loss " + first + " -> " + last);
        assertArrayEquals(labels, b.predict(x, 8));
    }

    @Test
    void badMetadataAndSizesAreRefused() throws Exception {
        Classifier b = new Classifier(Classifier.Arch.CNN3K5, 1, 4, 10, 5);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("sfd.kind", Classifier.KIND);
        meta.put("sfd.classifier", "1,4,10,resnet");
        Path f = dir.resolve("bad.safetensors");
        SafeTensors.write(f, b.stateDict(), meta);
        SfdException e = assertThrows(SfdException.class, () -> Classifier.load(f));
        assertTrue(e.getMessage().contains("resnet") && e.getMessage().contains("bad.safetensors"), e.getMessage());
        meta.put("sfd.classifier", "1,4");
        SafeTensors.write(f, b.stateDict(), meta);
        assertThrows(SfdException.class, () -> Classifier.load(f));
        assertThrows(IllegalArgumentException.class, () -> Classifier.Arch.of("cnn9"));
        assertThrows(IllegalArgumentException.class, () -> new Classifier(Classifier.Arch.CNN3K5, 1, 0, 10, 1));
        assertTrue(Files.exists(f));
    }
}
