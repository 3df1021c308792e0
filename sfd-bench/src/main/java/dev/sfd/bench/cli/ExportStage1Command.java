package dev.sfd.bench.cli;

import dev.sfd.SfdException;
import dev.sfd.models.Models;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Turns the checkpoint of a plain distillation ({@code sfd forget --plan ''}, finished or still running) into a
 * stage-1 folder: the EMA one-step generator and the fake score network, the pair that {@code --from-stage1} reads and
 * that the build ships as {@code fmnist-s-distilled-{generator,fake}.safetensors}.
 */
@Command(name = "export-stage1", mixinStandardHelpOptions = true,
        description = "Write OUT/generator.safetensors (EMA generator) and OUT/fake.safetensors from the checkpoint of a "
                + "plain distillation (forget --plan ''), finished or not, for --from-stage1 or for shipping.")
final class ExportStage1Command implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "checkpoint.safetensors of a plain-distillation run") Path checkpoint;
    @Option(names = "--out", required = true, description = "folder to write generator.safetensors and fake.safetensors into") Path out;
    @Option(names = "--overwrite", description = Output.OVERWRITE_HELP) boolean overwrite;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(checkpoint)) throw new SfdException("export-stage1: checkpoint " + checkpoint + " is not a file");
        Models.Stage1 s1 = Models.stage1(checkpoint.toString());
        Output.claim(out, false, overwrite, "export-stage1", checkpoint.toString(), 0, java.util.Map.of());
        Models.writeStage1(out, s1.generator(), s1.fake(), "", s1.provenance());
        System.out.println("stage 1 from " + s1.source() + " written to " + out.resolve(Models.GENERATOR_FILE) + " and "
                + out.resolve(Models.FAKE_FILE));
        return 0;
    }
}
