package dev.sfd.bench.cli;

import dev.sfd.SfdException;
import dev.sfd.io.ImageGrid;
import dev.sfd.io.Json;
import dev.sfd.models.Evaluator;
import dev.sfd.models.Models;
import dev.sfd.models.data.FashionMnist;
import dev.sfd.ops.Ops;
import dev.sfd.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Judges a folder of samples (DIR/<class>/<NNNN>.png) with the classifier; writes DIR/eval.json. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Per-class classifier accuracy and per-class Frechet distance (classifier features, against real "
                + "Fashion-MNIST test images) of a sample folder DIR/<class>/<NNNN>.png; prints and writes DIR/eval.json.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--samples", required = true) Path samples;
    @Option(names = "--classifier", defaultValue = "classifier", description = "'classifier' (shipped) or a file") String classifier;

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(samples)) throw new SfdException("sample folder " + samples + " does not exist");
        List<Tensor> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(samples)) {
            for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                int c;
                try {
                    c = Integer.parseInt(d.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                try (Stream<Path> files = Files.list(d)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".png")).sorted().toList()) {
                        Tensor img = ImageGrid.readImage(f);
                        images.add(Ops.reshape(img, 1, img.dim(0), img.dim(1), img.dim(2)));
                        labels.add(c);
                    }
                }
            }
        }
        if (images.isEmpty()) throw new SfdException("no samples found under " + samples + " (expected " + samples + "/<class>/<NNNN>.png)");
        Evaluator ev = new Evaluator(Models.classifier(classifier), FashionMnist.test());
        int[] lab = labels.stream().mapToInt(Integer::intValue).toArray();
        Evaluator.Result r = ev.judge(Ops.concat(0, images.toArray(new Tensor[0])), lab);
        Map<String, Object> out = Reports.perClass(r, ev.classifier().numClasses());
        Json.write(samples.resolve("eval.json"), out);
        System.out.println(Json.write(out));
        return 0;
    }
}
