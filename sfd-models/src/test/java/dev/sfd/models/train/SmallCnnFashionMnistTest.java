package dev.sfd.models.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.models.Classifier;
import dev.sfd.models.data.Dataset;
import dev.sfd.models.data.FashionMnist;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Foundation acceptance: a small CNN trained with the engine reaches >= 85% on Fashion-MNIST within 2 minutes. */
@Tag("slow")
class SmallCnnFashionMnistTest {
    @Test
    void smallCnnLearnsFashionMnistQuickly() {
        Assumptions.assumeTrue(FashionMnist.isAvailable(), FashionMnist.installHint());
        Dataset train = FashionMnist.train();
        Dataset test = FashionMnist.test();
        Classifier model = new Classifier(1, 8, 10, 1);
        ClassifierTrainer t = new ClassifierTrainer(model, train, 64, 1, 4e-3, 1).flips(false);
        long t0 = System.nanoTime();
        t.train(t.totalSteps(), null, null);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double acc = ClassifierTrainer.accuracy(model, test.subset(java.util.stream.IntStream.range(0, 5000).toArray()), 250);
        System.out.printf("small CNN: %d steps in %.1f s, test accuracy %.4f%n", t.totalSteps(), seconds, acc);
        assertTrue(acc >= 0.85, "test accuracy " + acc);
        assertTrue(seconds <= 120, "training took " + seconds + " s");
    }
}
