package dev.sfd.bench.cli;

import dev.sfd.unlearn.SfdConfig;
import picocli.CommandLine.Option;

/** SFD hyper-parameters shared by the demo and forget commands (defaults: the CPU recipe, SPEC-SFD 16/18). */
final class SfdOptions {
    @Option(names = "--iterations", defaultValue = "150", description = "SFD iterations (default 150: on the shipped teacher the EMA generator draws the override "
            + "for the forgotten label by ~50-100 and FD levels off after ~100; 150 keeps the demo within 15 minutes on a 2-core AVX2 machine)") long iterations;
    @Option(names = "--batch-remain", defaultValue = "8") int batchRemain;
    @Option(names = "--batch-forget", defaultValue = "8") int batchForget;
    @Option(names = "--lr", defaultValue = "5e-5", description = "learning rate of generator and fake score network") double lr;
    @Option(names = "--lr-fake", description = "learning rate of the fake score network when it should differ from --lr "
            + "(a faster critic tracks the generator's distribution more closely)") Double lrFake;
    @Option(names = "--adam-beta1", defaultValue = "0", description = "Adam beta1 of both networks (SiD and the paper: 0)") double adamBeta1;
    @Option(names = "--forget-weight", defaultValue = "0.1", description = "lambda_f = lambda'_f") double forgetWeight;
    @Option(names = "--alpha", defaultValue = "1.2") double alpha;
    @Option(names = "--guidance", defaultValue = "1.0", description = "CFG weight for teacher and fake roles (1 = off)") double guidance;
    @Option(names = "--ema-half-life", defaultValue = "500000", description = "EMA half-life in images (capped by --ema-rampup)") double emaHalfLife;
    @Option(names = "--ema-rampup", defaultValue = "0.5", description = "EMA half-life at most this share of the images seen so far "
            + "(EDM and the paper: 0.05, which on a short CPU run averages over a few noisy steps; 0.5 lowered the demo's FD from 72 to 44)") double emaRampup;
    @Option(names = "--no-ema", description = "use the raw generator (no EMA)") boolean noEma;
    @Option(names = "--seed", defaultValue = "7") long seed;
    @Option(names = "--checkpoint-every", defaultValue = "50") long checkpointEvery;
    @Option(names = "--two-stage", defaultValue = "0", description = "SFD-Two-Stage: first distil for this many iterations "
            + "(no forgetting; stage in OUT/stage1), then forget (see --stage2-*; 0 = one stage)") long twoStage;
    @Option(names = "--stage2-forget-weight", defaultValue = "0.3", description = "forget weight of stage 2 (default 0.3: the paper makes it "
            + "larger than stage 1's; on the CPU recipe 0.3 overrides the forgotten label within ~50 iterations, 0.1 needs ~100, and the "
            + "remaining classes recover sooner after a fast override)")
    double stage2ForgetWeight;
    @Option(names = "--stage2-ema", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "keep an EMA of the generator in stage 2, restarted from the stage-1 generator (default on: with 8 + 8 images per "
            + "iteration the raw generator is too noisy; --no-stage2-ema is the paper's choice)") boolean stage2Ema;
    @Option(names = "--from-stage1", description = "SFD-Two-Stage from a finished stage 1: 'shipped' (distilled from the shipped "
            + "teacher) or a folder with generator.safetensors and fake.safetensors (what forget --plan '' writes); "
            + "--iterations then counts stage-2 iterations") String fromStage1;
    @Option(names = "--stage2-lr", description = "stage 2 only: generator learning rate (default --lr; the fake net keeps --lr-fake or --lr)") Double stage2Lr;
    @Option(names = "--stage2-keep", defaultValue = "1", description = "stage 2 only: weight of an output anchor that ties the "
            + "remaining labels' images to the stage-1 generator's images of the same latents (squared distance per image, "
            + "SfdConfig.keep). Default 1: on the demo it cut the remaining classes' FD from 37.5/38.1 (seeds 7/8) to 27.7/25.5/26.2 (seeds 7/8/9) "
            + "(docs/results, session 6); it slows the override (Coat -> Bag reached 0.895 in 150 iterations: --max-iterations continues "
            + "such runs until the override is complete, the demo's default); 10 blocks the forgetting; 0 = the paper's stage 2") double stage2Keep;
    @Option(names = "--robust", description = "relearning-robust forgetting: tie each forgotten label's embedding to its override's "
            + "(SfdConfig.tieForgotten), so fine-tuning without the forgotten class cannot bring it back through its label") boolean robust;
    @Option(names = "--eval-every", defaultValue = "50", description = "iterations between quick evaluations (0 = none)") int evalEvery;
    @Option(names = "--max-iterations", description = "if the quick evaluation at --iterations does not show the plan done (UA >= 0.99 "
            + "and >= 0.90 drawn as the override), continue in chunks of --eval-every up to this many iterations (demo default 400; "
            + "forget: off). Far pairs need it with the stage-2 output anchor: Coat -> Bag had 0.895 as override at 150") Long maxIterations;

    /** --max-iterations, or {@code fallback} when not given (0 = no extension). */
    long maxIterations(long fallback) { return maxIterations != null ? maxIterations : fallback; }

    /** Runs SFD (one or two stages) and returns the generator. */
    dev.sfd.unlearn.OneStepGenerator run(dev.sfd.diffusion.ScoreNetwork teacher, dev.sfd.unlearn.ForgetPlan plan,
                                         dev.sfd.models.Evaluator ev, java.nio.file.Path out, boolean resume, ForgetRunner[] last) throws java.io.IOException {
        if (fromStage1 != null) {
            if (twoStage > 0) throw new dev.sfd.SfdException("--from-stage1 and --two-stage both give stage 1: choose one");
            dev.sfd.models.Models.Stage1 s1 = loadStage1(teacher);
            ForgetRunner stage2 = new ForgetRunner(teacher, plan, stage2Config(s1.generator().sigmaInit()), ev, out, evalEvery, 40)
                    .startFrom(s1.generator().network(), s1.fake()).extendUntilForgotten(maxIterations(0));
            last[0] = stage2;
            return stage2.run(resume);
        }
        if (twoStage <= 0) {
            ForgetRunner r = new ForgetRunner(teacher, plan, forgetConfig(), ev, out, evalEvery, 40).extendUntilForgotten(maxIterations(0));
            last[0] = r;
            return r.run(resume);
        }
        SfdConfig s1 = config().iterations(twoStage).forgetWeight(0);
        ForgetRunner stage1 = new ForgetRunner(teacher, dev.sfd.unlearn.ForgetPlan.none(), s1, ev, out.resolve("stage1"), evalEvery, 40);
        boolean stage1Done = resume && java.nio.file.Files.exists(out.resolve("checkpoint.safetensors"));
        dev.sfd.unlearn.OneStepGenerator g1 = stage1.run(resume && !stage1Done && java.nio.file.Files.exists(out.resolve("stage1/checkpoint.safetensors")));
        ForgetRunner stage2 = new ForgetRunner(teacher, plan, stage2Config(s1.sigmaInit()), ev, out, evalEvery, 40).startFrom(g1.network(), stage1.finalFake())
                .extendUntilForgotten(maxIterations(0));
        last[0] = stage2;
        return stage2.run(stage1Done);
    }

    private dev.sfd.models.Models.Stage1 loaded;

    /** Loads (once) and checks the stage 1 named by --from-stage1; commands call it before writing anything. */
    dev.sfd.models.Models.Stage1 loadStage1(dev.sfd.diffusion.ScoreNetwork teacher) {
        if (loaded != null) return loaded;
        dev.sfd.models.Models.Stage1 s1 = dev.sfd.models.Models.stage1(fromStage1);
        dev.sfd.models.Models.requireSameArchitecture(teacher, s1.generator().network(), "stage-1 generator " + s1.source());
        dev.sfd.models.Models.requireSameArchitecture(teacher, s1.fake(), "stage-1 fake score network " + s1.source());
        loaded = s1;
        return s1;
    }

    SfdConfig stage2Config(double sigmaInit) {
        SfdConfig c = forgetConfig().forgetWeight(stage2ForgetWeight).sigmaInit(sigmaInit).keep(stage2Keep);
        double lrGen = stage2Lr != null ? stage2Lr : lr;
        c = c.learningRates(lrGen, c.lrFake());
        return stage2Ema && !noEma ? c : c.emaOff();
    }

    /** Checks the options that depend on the teacher and plan (stage 1); call before writing anything. */
    void check(dev.sfd.diffusion.ScoreNetwork teacher, dev.sfd.unlearn.ForgetPlan plan) {
        if (fromStage1 != null) loadStage1(teacher);
        ForgetRunner.requireExtensible(forgetConfig(), evalEvery, maxIterations(0));
    }

    /** The configuration of the run that forgets (one stage, or stage 2). */
    SfdConfig forgetConfig() {
        return config();
    }

    SfdConfig config() {
        SfdConfig c = SfdConfig.defaults().iterations(iterations).batch(batchRemain, batchForget).learningRates(lr, lrFake == null ? lr : lrFake)
                .forgetWeight(forgetWeight).alpha(alpha).guidance(guidance, guidance, guidance).seed(seed)
                .checkpointEvery(checkpointEvery);
        if (robust) c = c.tieForgotten(true);
        if (adamBeta1 != c.beta1()) c = c.adam(adamBeta1, c.beta2(), c.adamEps());
        return noEma ? c.emaOff() : c.emaHalfLife(emaHalfLife, emaRampup);
    }
}
