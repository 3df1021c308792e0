package dev.sfd.bench.cli;

import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.models.data.Dataset;
import dev.sfd.models.data.FashionMnist;
import dev.sfd.models.train.TeacherConfig;
import dev.sfd.models.train.TeacherTrainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Trains an EDM SongUNet teacher on Fashion-MNIST with periodic atomic checkpoints and --resume. */
@Command(name = "train-teacher", mixinStandardHelpOptions = true,
        description = "Train a class-conditional EDM teacher (SongUNet) on Fashion-MNIST. Writes OUT/checkpoint.safetensors "
                + "(resumable), OUT/teacher.safetensors (EMA weights), OUT/loss.csv and OUT/loss.png.")
final class TrainTeacherCommand implements Callable<Integer> {
    @Option(names = "--config", defaultValue = "fmnist-s", description = "SongUNet config: fmnist-s, fmnist-m (default: ${DEFAULT-VALUE})")
    String config;
    @Option(names = "--iterations", defaultValue = "20000", description = "total optimiser steps (default: ${DEFAULT-VALUE})")
    long iterations;
    @Option(names = "--batch", defaultValue = "64", description = "images per step (default: ${DEFAULT-VALUE})") int batch;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate after warm-up (default: ${DEFAULT-VALUE})") double lr;
    @Option(names = "--seed", defaultValue = "1", description = "Philox seed of initialisation, batches and noise (default: ${DEFAULT-VALUE})") long seed;
    @Option(names = "--checkpoint-every", defaultValue = "100", description = "steps between checkpoints (default: ${DEFAULT-VALUE})") long checkpointEvery;
    @Option(names = "--ema-half-life", defaultValue = "100000", description = "EMA half-life in images") double emaHalfLife;
    @Option(names = "--until", defaultValue = "-1", description = "stop after this step (for time-boxed sessions); -1 = all")
    long until;
    @Option(names = "--out", defaultValue = "runs/teacher", description = "output folder (default: ${DEFAULT-VALUE})") Path out;
    @Option(names = "--resume", description = "continue from OUT/checkpoint.safetensors") boolean resume;
    @Option(names = "--overwrite", description = Output.OVERWRITE_HELP) boolean overwrite;
    @Option(names = "--data", description = "Fashion-MNIST directory (default: /usr/share/datasets/fashion-mnist)") Path data;

    @Override
    public Integer call() throws IOException {
        // options are checked before the folder is claimed: a bad value writes nothing
        dev.sfd.ConfigException.requirePositive("--iterations", iterations);
        dev.sfd.ConfigException.requirePositive("--batch", batch);
        dev.sfd.ConfigException.requirePositive("--lr", lr);
        dev.sfd.ConfigException.requirePositive("--checkpoint-every", checkpointEvery);
        TeacherConfig tc = new TeacherConfig(iterations, batch, lr, iterations * batch / 20, emaHalfLife, 0.05, seed, checkpointEvery);
        SongUnetConfig arch = SongUnetConfig.named(config);
        Output.claim(out, resume, overwrite, "train-teacher", config, seed, java.util.Map.of("iterations", iterations, "batch", batch, "lr", lr));
        Dataset train = data == null ? FashionMnist.train() : FashionMnist.load(FashionMnist.Split.TRAIN, data);
        TeacherTrainer t = new TeacherTrainer(arch, tc, train);
        Path ckpt = out.resolve("checkpoint.safetensors");
        if (resume) {
            t.resume(ckpt);
            System.err.println("resumed from " + ckpt + " at step " + t.step());
        }
        Path csv = out.resolve("loss.csv");
        if (!resume || !Files.exists(csv)) Files.writeString(csv, "step,loss,lr,seconds\n");
        long stop = until < 0 ? iterations : until;
        try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
             Progress p = new Progress("teacher", iterations, t.step(), "loss")) {
            t.train(stop, ckpt, new dev.sfd.unlearn.TrainingListener() {
                @Override
                public void onStep(long step, long total, Map<String, Double> f) {
                    p.onStep(step, total, f);
                    try {
                        w.write(step + "," + f.get("loss") + "," + f.get("lr") + "," + f.get("seconds") + "\n");
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }

                @Override
                public void onCheckpoint(long step, Path file) {
                    try {
                        w.flush();
                        SongUnet.save(t.emaNetwork(), out.resolve("teacher.safetensors"), Map.of("sfd.kind", "edm-denoiser", "sfd.train_step", Long.toString(step)));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
        }
        Plots.lossCurve(csv, out.resolve("loss.png"), "teacher EDM loss");
        System.out.println("teacher: step " + t.step() + "/" + iterations + ", weights " + out.resolve("teacher.safetensors"));
        return 0;
    }
}
