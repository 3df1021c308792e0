package dev.sfd.bench.cli;

import dev.sfd.io.Json;
import dev.sfd.models.Evaluator;
import dev.sfd.models.Models;
import dev.sfd.models.data.Dataset;
import dev.sfd.models.data.FashionMnist;
import dev.sfd.models.data.ImageFolderDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Judges a folder of samples (DIR/<class>/<NNNN>.png) with the classifier; writes DIR/eval.json. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Per-class classifier accuracy and per-class Frechet distance (classifier features, against real "
                + "Fashion-MNIST test images) of a sample folder DIR/<class>/<NNNN>.png; prints and writes DIR/eval.json.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--samples", required = true, description = "sample folder DIR/<class>/<NNNN>.png (what sfd sample writes)") Path samples;
    @Option(names = "--classifier", defaultValue = "classifier", description = "'classifier' (shipped) or a file") String classifier;

    @Override
    public Integer call() throws IOException {
        Evaluator ev = new Evaluator(Models.classifier(classifier), FashionMnist.test());
        ImageFolderDataset folder = new ImageFolderDataset(samples, ev.classifier().numClasses());
        int[] all = java.util.stream.IntStream.range(0, folder.size()).toArray();
        Dataset.Batch b = folder.batch(all);
        Map<String, Object> out = ev.table(b.images(), b.labels()).toJson();
        Json.write(samples.resolve("eval.json"), out);
        System.out.println(Json.write(out));
        return 0;
    }
}
