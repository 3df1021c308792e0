package dev.sfd.bench.cli;

import dev.sfd.models.Classifier;
import dev.sfd.models.data.Dataset;
import dev.sfd.models.data.FashionMnist;
import dev.sfd.models.train.ClassifierTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Trains the judge classifier on Fashion-MNIST and reports its test accuracy. */
@Command(name = "train-classifier", mixinStandardHelpOptions = true,
        description = "Train the Fashion-MNIST judge classifier (UA and FD metrics). Writes OUT/classifier.safetensors, "
                + "OUT/checkpoint.safetensors (resumable) and OUT/loss.png; prints the test accuracy.")
final class TrainClassifierCommand implements Callable<Integer> {
    @Option(names = "--epochs", defaultValue = "8", description = "passes over the training set (default: ${DEFAULT-VALUE})") int epochs;
    @Option(names = "--batch", defaultValue = "128", description = "images per step (default: ${DEFAULT-VALUE})") int batch;
    @Option(names = "--width", defaultValue = "32", description = "channels of the first stage (then 2x, 4x)") int width;
    @Option(names = "--arch", defaultValue = "cnn6", description = "cnn6 (the shipped judge's layout) or cnn3k5 (the second judge's: "
            + "5x5/5x5/3x3 conv + ReLU, no normalisation); see Classifier.Arch") String arch;
    @Option(names = "--lr", defaultValue = "2e-3", description = "Adam learning rate (default: ${DEFAULT-VALUE})") double lr;
    @Option(names = "--seed", defaultValue = "3", description = "Philox seed of initialisation and batches (default: ${DEFAULT-VALUE})") long seed;
    @Option(names = "--out", defaultValue = "runs/classifier", description = "output folder (default: ${DEFAULT-VALUE})") Path out;
    @Option(names = "--resume", description = "continue from OUT/checkpoint.safetensors") boolean resume;
    @Option(names = "--overwrite", description = Output.OVERWRITE_HELP) boolean overwrite;
    @Option(names = "--until", defaultValue = "-1", description = "stop after this step; -1 = all") long until;
    @Option(names = "--data", description = "Fashion-MNIST directory (default: /usr/share/datasets/fashion-mnist)") Path data;

    @Override
    public Integer call() throws IOException {
        Classifier.Arch layout;
        try {
            layout = Classifier.Arch.of(arch);
        } catch (IllegalArgumentException e) {
            throw new dev.sfd.ConfigException("--arch: " + e.getMessage());
        }
        dev.sfd.ConfigException.requirePositive("--epochs", epochs);
        dev.sfd.ConfigException.requirePositive("--batch", batch);
        dev.sfd.ConfigException.requirePositive("--width", width);
        dev.sfd.ConfigException.requirePositive("--lr", lr);
        Output.claim(out, resume, overwrite, "train-classifier", (layout == Classifier.Arch.CNN6 ? "" : layout.id + " ") + "width " + width, seed, java.util.Map.of("epochs", epochs, "batch", batch, "lr", lr));
        Dataset train = data == null ? FashionMnist.train() : FashionMnist.load(FashionMnist.Split.TRAIN, data);
        Dataset test = data == null ? FashionMnist.test() : FashionMnist.load(FashionMnist.Split.TEST, data);
        Classifier model = new Classifier(layout, 1, width, train.numClasses(), seed);
        ClassifierTrainer t = new ClassifierTrainer(model, train, batch, epochs, lr, seed);
        Path ckpt = out.resolve("checkpoint.safetensors");
        if (resume) t.resume(ckpt);
        Path csv = out.resolve("loss.csv");
        StringBuilder log = new StringBuilder(resume && Files.exists(csv) ? Files.readString(csv) : "step,loss\n");
        try (Progress p = new Progress("classifier", t.totalSteps(), t.step(), "loss")) {
            t.train(until < 0 ? t.totalSteps() : until, ckpt, new dev.sfd.unlearn.TrainingListener() {
                @Override
                public void onStep(long step, long total, Map<String, Double> f) {
                    p.onStep(step, total, f);
                    log.append(step).append(',').append(f.get("loss")).append('\n');
                }
            });
        }
        Files.writeString(csv, log);
        Plots.lossCurve(csv, out.resolve("loss.png"), "classifier cross-entropy");
        if (t.step() >= t.totalSteps()) {
            double acc = ClassifierTrainer.accuracy(model, test, 256);
            model.save(out.resolve("classifier.safetensors"), Map.of("sfd.test_accuracy", Double.toString(acc),
                    "sfd.epochs", Integer.toString(epochs), "sfd.seed", Long.toString(seed)));
            System.out.printf("classifier: test accuracy %.4f, weights %s%n", acc, out.resolve("classifier.safetensors"));
        } else {
            System.out.println("classifier: paused at step " + t.step() + "/" + t.totalSteps() + " (resume with --resume)");
        }
        return 0;
    }
}
