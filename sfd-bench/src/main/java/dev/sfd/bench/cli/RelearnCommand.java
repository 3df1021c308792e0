package dev.sfd.bench.cli;

import dev.sfd.ConfigException;
import dev.sfd.SfdException;
import dev.sfd.io.Json;
import dev.sfd.models.Classifier;
import dev.sfd.models.attack.AuxData;
import dev.sfd.models.attack.ModeConnectivity;
import dev.sfd.models.attack.RelearnAttack;
import dev.sfd.models.data.FashionMnist;
import dev.sfd.models.baselines.Baselines;
import dev.sfd.models.data.Dataset;
import dev.sfd.models.SongUnet;
import dev.sfd.diffusion.EdmPrecond;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The DiMRA-style relearning attack on an unlearned model, its targeted variant and the mode-connectivity diagnostic. */
@Command(name = "relearn", mixinStandardHelpOptions = true,
        description = "Relearning attack (after DiMRA): fine-tune an unlearned model with the EDM training loss on auxiliary data that "
                + "contains no image of the forgotten class, and every K steps record the share of forgotten-label samples the "
                + "classifier assigns to the forgotten class. A one-step generator's network (an EDM denoiser at fixed sigma_init) "
                + "is fine-tuned the same way and reported both Heun-sampled and one-step. Writes OUT/relearn.json, OUT/relearn.png, "
                + "OUT/attacked.safetensors. --targeted N instead fine-tunes on N real images of the forgotten class under its label "
                + "and reports the first step at which the forgotten-class rate reaches 0.5.")
final class RelearnCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "unlearned model: a SongUNet denoiser file, a one-step generator file, 'teacher' or 'retrain-0' (shipped)")
    String model;
    @Option(names = "--aux", defaultValue = "fmnist-test",
            description = "auxiliary data without the forgotten class: fmnist-test, fmnist-train (the forgotten class is removed), a folder "
                    + "DIR/<class>/<NNNN>.png, generated-self (the attacked model's own samples of the other labels: one-step for a generator, "
                    + "Heun for a denoiser) or generated-teacher (the teacher's Heun samples of the other labels) (default: ${DEFAULT-VALUE})")
    String aux;
    @Option(names = "--aux-per-class", description = "generated-*: images per label (default " + AuxData.DEFAULT_PER_CLASS + ")") Integer auxPerClass;
    @Option(names = "--aux-seed", description = "generated-*: seed of the latents (default " + AuxData.DEFAULT_SEED + ")") Long auxSeed;
    @Option(names = "--teacher", defaultValue = "teacher",
            description = "the original model for generated-teacher and --diagnose: 'teacher' (shipped) or a SongUNet file")
    String teacherSpec;
    @Option(names = "--targeted", paramLabel = "N", description = "targeted relearning: fine-tune on the first N real images of the forgotten class of the "
            + "Fashion-MNIST training split, under the forgotten label (e.g. 10 or 100); --aux is not used") Integer targeted;
    @Option(names = "--diagnose", description = "also write linear mode connectivity into relearn.json: the weights' L2 distance and the forgotten-class "
            + "rate at --diagnose-points points of the lines teacher -> model and model -> attacked") boolean diagnose;
    @Option(names = "--diagnose-points", description = "points per line, both ends included (default 5)") Integer diagnosePoints;
    @Option(names = "--forget", defaultValue = "0", description = "the forgotten class (default: ${DEFAULT-VALUE})") int forget;
    @Option(names = "--steps", description = "attack steps (default 500; --quick 20)") Integer steps;
    @Option(names = "--every", description = "evaluate every K steps (default 50; --quick 10)") Integer every;
    @Option(names = "--batch", description = "auxiliary images per step (default 16; --quick 8)") Integer batch;
    @Option(names = "--lr", description = "Adam learning rate (default 1e-4)") Double lr;
    @Option(names = "--eval-samples", description = "forgotten-label samples per evaluation (default 100; --quick 16)") Integer evalSamples;
    @Option(names = "--heun-steps", description = "Heun steps of the evaluation sampler (default 18; --quick 8)") Integer heunSteps;
    @Option(names = "--seed", description = "default 21") Long seed;
    @Option(names = "--quick", description = "small budget (20 steps, 16 samples, Heun 8)") boolean quick;
    @Option(names = "--classifier", defaultValue = "classifier", description = "'classifier' (shipped) or a file") String classifier;
    @Option(names = "--data", description = "Fashion-MNIST directory for fmnist-* aux data") Path data;
    @Option(names = "--out", defaultValue = "runs/relearn", description = "output folder (default: ${DEFAULT-VALUE}); refused if it holds another run") Path out;
    @Option(names = "--resume", description = "continue an interrupted attack from OUT/checkpoint.safetensors (written at every evaluation; "
            + "same model and settings required; removed when the attack finishes)") boolean resume;
    @Option(names = "--overwrite", description = Output.OVERWRITE_HELP) boolean overwrite;

    RelearnAttack.Settings settings() {
        RelearnAttack.Settings d = quick ? RelearnAttack.Settings.quick() : RelearnAttack.Settings.defaults();
        return new RelearnAttack.Settings(steps != null ? steps : d.steps(), every != null ? every : d.every(), batch != null ? batch : d.batch(),
                lr != null ? lr : d.lr(), evalSamples != null ? evalSamples : d.evalSamples(), heunSteps != null ? heunSteps : d.heunSteps(),
                seed != null ? seed : d.seed());
    }

    /**
     * The attack's data: N real forgotten-class images (--targeted), generated images (cached in OUT, which is
     * created for them) or real data without the class.
     */
    Dataset auxData(Suite.Model m) {
        if (targeted != null) return AuxData.firstOfClass(Suite.fmnist(FashionMnist.Split.TRAIN, data), forget, targeted);
        int perClass = auxPerClass != null ? auxPerClass : AuxData.DEFAULT_PER_CLASS;
        long seed = auxSeed != null ? auxSeed : AuxData.DEFAULT_SEED;
        if (aux.startsWith("generated-")) Output.requireWritable(out);
        return switch (aux) {
            case "generated-self" -> AuxData.generated(m.network(), m.sigmaInit(), forget, perClass, AuxData.DEFAULT_HEUN_STEPS, seed,
                    out.resolve("aux-generated-self.safetensors"), "the attacked model");
            case "generated-teacher" -> AuxData.generated(Suite.teacher(teacherSpec), null, forget, perClass, AuxData.DEFAULT_HEUN_STEPS, seed,
                    out.resolve("aux-generated-teacher.safetensors"), "the teacher");
            default -> Suite.aux(aux, forget, m.network().labelDim(), data);
        };
    }

    @Override
    public Integer call() throws IOException {
        validate();
        RelearnAttack.Settings s = settings();
        ModeConnectivity.Settings ds = null;
        if (diagnose) {
            ModeConnectivity.Settings d = quick ? ModeConnectivity.Settings.quick() : ModeConnectivity.Settings.defaults();
            ds = new ModeConnectivity.Settings(diagnosePoints != null ? diagnosePoints : d.points(), s.evalSamples(), s.heunSteps(), d.seed());
        }
        Suite.Model m = Suite.model(model);
        Baselines.requireForgetLabel(m.network(), forget, "the model " + model);
        Classifier judge = Suite.classifier(classifier);
        // real data is checked before the folder is claimed (nothing is written for rejected input); generated data is
        // cached in the folder, so it is made after the claim
        boolean generated = targeted == null && aux.startsWith("generated-");
        Dataset auxData = generated ? null : auxData(m);
        Output.claim(out, resume, overwrite, "relearn", model + " forget " + forget, s.seed(),
                java.util.Map.of("settings", s.toString(), "aux", aux, "targeted", targeted == null ? 0 : targeted));
        Path ckpt = out.resolve("checkpoint.safetensors");
        if (resume && !Files.isRegularFile(ckpt)) throw new SfdException("--resume: " + ckpt + " does not exist (nothing to continue)");
        if (generated) auxData = auxData(m);
        RelearnAttack attack = targeted != null ? RelearnAttack.targeted(m.network(), m.sigmaInit(), auxData, forget, judge, s)
                : new RelearnAttack(m.network(), m.sigmaInit(), auxData, forget, judge, s);
        Output.requireWritable(out);
        if (!resume) Files.deleteIfExists(ckpt);
        RelearnAttack.Result r;
        try (Progress p = new Progress("relearn", s.steps(), 0, "loss", "forgotten_rate")) {
            r = attack.run(p, ckpt);
        }
        Map<String, Object> report = report(m, r, s, auxData, ds, judge);
        Json.write(out.resolve("relearn.json"), report);
        Suite.attackChart(out.resolve("relearn.png"), "relearning attack on " + Path.of(model).getFileName() + ", class " + forget, Map.of("model", r.curve()));
        if (r.attacked() instanceof EdmPrecond e && e.model() instanceof SongUnet) {
            SongUnet.save(e, out.resolve("attacked.safetensors"), Map.of("sfd.kind", "edm-denoiser", "sfd.attack", "relearn", "sfd.forget", Integer.toString(forget)));
        }
        Files.deleteIfExists(ckpt);
        printSummary(m, r, s);
        return 0;
    }

    /** Refuses out-of-range options before anything is loaded or written. */
    private void validate() {
        if (targeted != null && targeted < 1) throw new ConfigException("--targeted " + targeted + ": give the number of forgotten-class images (>= 1)");
        if (auxPerClass != null) ConfigException.requirePositive("--aux-per-class", auxPerClass);
        if (steps != null) ConfigException.requirePositive("--steps", steps);
        if (every != null) ConfigException.requirePositive("--every", every);
        if (batch != null) ConfigException.requirePositive("--batch", batch);
        if (lr != null) ConfigException.requirePositive("--lr", lr);
        if (evalSamples != null) ConfigException.requirePositive("--eval-samples", evalSamples);
        if (heunSteps != null) ConfigException.requirePositive("--heun-steps", heunSteps);
        if (diagnosePoints != null && diagnosePoints < 2) throw new ConfigException("--diagnose-points must be >= 2 (both ends of each line), got " + diagnosePoints);
    }

    /** relearn.json: what was attacked, how, and the curve (plus mode connectivity with --diagnose). */
    private Map<String, Object> report(Suite.Model m, RelearnAttack.Result r, RelearnAttack.Settings s, Dataset auxData,
                                       ModeConnectivity.Settings ds, Classifier judge) throws IOException {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", model);
        report.put("kind", m.isGenerator() ? "one-step generator (network fine-tuned as an EDM denoiser; Heun and one-step rates)" : "diffusion denoiser (Heun)");
        report.put("forget", forget);
        report.put("attack", targeted != null ? "targeted: " + targeted + " real images of the forgotten class under its label"
                : "relearning (no image of the class)");
        report.put("aux", auxData.name());
        report.put("aux_images", auxData.size());
        report.put("settings", s.toMap());
        report.put("seconds", r.seconds());
        report.put("forgotten_rate_before", r.first().forgottenRate());
        report.put("forgotten_rate_after", r.last().forgottenRate());
        if (m.isGenerator()) {
            report.put("forgotten_rate_one_step_before", r.first().forgottenRateOneStep());
            report.put("forgotten_rate_one_step_after", r.last().forgottenRateOneStep());
        }
        if (targeted != null) {
            report.put("first_step_reaching_0.5", orNull(r.firstStepReaching(0.5)));
            if (m.isGenerator()) report.put("first_step_reaching_0.5_one_step", orNull(r.firstStepReachingOneStep(0.5)));
        }
        report.put("curve", Suite.curveJson(r.curve()));
        if (ds != null) {
            EdmPrecond teacher = Suite.teacher(teacherSpec);
            Map<String, Object> mc = new LinkedHashMap<>();
            mc.put("teacher_to_model", ModeConnectivity.along(teacher, "teacher", m.network(), "model", m.sigmaInit(), forget, judge, ds).toMap());
            mc.put("model_to_attacked", ModeConnectivity.along(m.network(), "model", r.attacked(), "attacked", m.sigmaInit(), forget, judge, ds).toMap());
            report.put("mode_connectivity", mc);
        }
        return report;
    }

    private void printSummary(Suite.Model m, RelearnAttack.Result r, RelearnAttack.Settings s) {
        if (targeted != null) {
            System.out.printf("relearn --targeted %d: forgotten-class rate reaches 0.5 at step %s (Heun)%s%n", targeted, orNull(r.firstStepReaching(0.5)),
                    m.isGenerator() ? ", " + orNull(r.firstStepReachingOneStep(0.5)) + " (one-step)" : "");
        }
        System.out.printf("relearn: forgotten-class rate %.3f -> %.3f after %d steps%s; %s%n", r.first().forgottenRate(), r.last().forgottenRate(), s.steps(),
                m.isGenerator() ? String.format(" (one-step %.3f -> %.3f)", r.first().forgottenRateOneStep(), r.last().forgottenRateOneStep()) : "",
                out.resolve("relearn.json"));
    }

    /** JSON null when no evaluated step reached the rate. */
    private static Long orNull(java.util.OptionalLong step) { return step.isPresent() ? step.getAsLong() : null; }
}
