package dev.sfd.bench.cli;

import dev.sfd.ConfigException;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.models.Models;
import dev.sfd.unlearn.SfdConfig;
import dev.sfd.unlearn.SfdRecipe;
import dev.sfd.unlearn.StopRule;
import picocli.CommandLine.Option;

/**
 * SFD options shared by the demo and forget commands. Every option left unset takes its value from the recipe
 * ({@link SfdRecipe}): the library, the command line and the table share one set of defaults.
 */
final class SfdOptions {
    @Option(names = "--iterations", description = "planned iterations of the forgetting run (recipe: 150)") Long iterations;
    @Option(names = "--batch-remain", description = "remaining-class images per iteration (recipe: 8)") Integer batchRemain;
    @Option(names = "--batch-forget", description = "forgotten-label images per iteration (recipe: 8)") Integer batchForget;
    @Option(names = "--lr", description = "learning rate of generator and fake score network (recipe: 5e-5)") Double lr;
    @Option(names = {"--forget-weight", "--stage2-forget-weight"}, description = "lambda_f = lambda'_f of the forgetting run "
            + "(recipe: 0.1 in one stage, 0.3 in stage 2)") Double forgetWeight;
    @Option(names = {"--keep", "--stage2-keep"}, hidden = true, description = "weight of the output anchor that ties the remaining labels' images to "
            + "the starting generator's (recipe: 1 in stage 2, 0 in one stage; 0 = the paper)") Double keep;
    @Option(names = "--seed", description = "random seed of the run (recipe: 7)") Long seed;
    @Option(names = "--no-ema", hidden = true, description = "use the raw generator (no EMA) in every stage") boolean noEma;
    @Option(names = "--two-stage", description = "SFD-Two-Stage: first distil for this many iterations (no forgetting; in OUT/stage1), then forget") Long twoStage;
    @Option(names = "--from-stage1", description = "SFD-Two-Stage from a finished stage 1: 'shipped' or a folder with generator.safetensors "
            + "and fake.safetensors (what forget --plan '' writes) or such a run's checkpoint") String fromStage1;
    @Option(names = "--robust", negatable = true, description = "relearning-robust forgetting: tie each forgotten label's embedding to its "
            + "override's (SfdConfig.tieForgotten), so fine-tuning without the forgotten class cannot bring it back through its label "
            + "(demo: on, --no-robust for plain SFD; forget: off)") Boolean robust;
    @Option(names = "--eval-every", description = "iterations between quick evaluations (recipe: 50; 0 = none, then the run has a fixed length)") Integer evalEvery;
    @Option(names = "--max-iterations", description = "continue past --iterations until the quick evaluation shows the plan done "
            + "(UA >= 0.99, override >= 0.90) or stops gaining, up to this many iterations (recipe: 400; = --iterations: fixed length)") Long maxIterations;

    // tuning knobs: hidden from --help, documented in docs/design.md
    @Option(names = "--lr-fake", hidden = true, description = "learning rate of the fake score network when it should differ from --lr") Double lrFake;
    @Option(names = "--stage2-lr", hidden = true, description = "generator learning rate of the forgetting run when it should differ from --lr") Double stage2Lr;
    @Option(names = "--adam-beta1", hidden = true, description = "Adam beta1 of both networks (recipe: 0, as SiD and the paper)") Double adamBeta1;
    @Option(names = "--alpha", hidden = true, description = "SiD alpha (recipe: 1.2)") Double alpha;
    @Option(names = "--guidance", hidden = true, description = "CFG weight for teacher and fake roles (1 = off)") Double guidance;
    @Option(names = "--ema-half-life", hidden = true, description = "EMA half-life in images (capped by --ema-rampup)") Double emaHalfLife;
    @Option(names = "--ema-rampup", hidden = true, description = "EMA half-life at most this share of the images seen so far (recipe: 0.5)") Double emaRampup;
    @Option(names = "--stage2-ema", negatable = true, hidden = true, defaultValue = "true", fallbackValue = "true",
            description = "keep an EMA in the forgetting run (--no-stage2-ema: the paper's stage 2)") boolean stage2Ema;
    @Option(names = "--checkpoint-every", hidden = true, description = "iterations between checkpoints (recipe: 50)") Long checkpointEvery;

    private Models.Stage1 loaded;

    /** Loads (once) and checks the stage 1 named by --from-stage1. */
    Models.Stage1 loadStage1(ScoreNetwork teacher) {
        if (loaded != null) return loaded;
        Models.Stage1 s1 = Models.stage1(fromStage1);
        Models.requireSameArchitecture(teacher, s1.generator().network(), "stage-1 generator " + s1.source());
        Models.requireSameArchitecture(teacher, s1.fake(), "stage-1 fake score network " + s1.source());
        loaded = s1;
        return s1;
    }

    /** Checks the option ranges that no library type holds; call before {@link #recipe} and before writing anything. */
    void checkRanges(int evalSamples, int evalPerClass) {
        if (iterations != null) ConfigException.requirePositive("--iterations", iterations);
        if (maxIterations != null) ConfigException.requirePositive("--max-iterations", maxIterations);
        if (twoStage != null) ConfigException.requirePositive("--two-stage (stage-1 iterations)", twoStage);
        if (batchRemain != null) ConfigException.requirePositive("--batch-remain", batchRemain);
        if (batchForget != null) ConfigException.requireNonNegative("--batch-forget", batchForget);
        if (lr != null) ConfigException.requirePositive("--lr", lr);
        if (forgetWeight != null) ConfigException.requireNonNegative("--forget-weight", forgetWeight);
        if (keep != null) ConfigException.requireNonNegative("--keep", keep);
        if (checkpointEvery != null) ConfigException.requirePositive("--checkpoint-every", checkpointEvery);
        if (evalEvery != null) ConfigException.requireNonNegative("--eval-every (0 = no quick evaluations)", evalEvery);
        ConfigException.requirePositive("--eval-samples", evalSamples);
        ConfigException.requirePositive("--eval-per-class", evalPerClass);
    }

    /** The recipe these options describe: its base (one stage, two stages, from a stage 1) with every given option applied. */
    SfdRecipe recipe(ScoreNetwork teacher) {
        if (fromStage1 != null && twoStage != null) throw new ConfigException("--from-stage1 and --two-stage both give stage 1: choose one");
        boolean tie = Boolean.TRUE.equals(robust);
        SfdRecipe r = fromStage1 != null ? (tie ? SfdRecipe.robust(loadStage1(teacher).networks()) : SfdRecipe.twoStage(loadStage1(teacher).networks()))
                : twoStage != null ? SfdRecipe.twoStage(twoStage) : SfdRecipe.oneStage();
        r = r.config(apply(r.config()));
        if (evalEvery != null) r = r.evalEvery(evalEvery);
        long planned = r.config().iterations();
        if (maxIterations != null) {
            if (maxIterations < planned) throw new ConfigException("--max-iterations " + maxIterations + " is below --iterations " + planned);
            if (maxIterations > planned && r.evalEvery() <= 0) {
                throw new ConfigException("--max-iterations needs the quick evaluations (--eval-every > 0) to know when the plan is done");
            }
            r = r.stopRule(StopRule.forgotten(maxIterations));
        } else if (r.evalEvery() <= 0) {
            r = r.stopRule(StopRule.fixedLength()); // nothing to decide on
        }
        r.validate();
        return r;
    }

    private SfdConfig apply(SfdConfig c) {
        if (iterations != null) c = c.iterations(iterations);
        if (batchRemain != null || batchForget != null) c = c.batch(batchRemain != null ? batchRemain : c.batchRemain(), batchForget != null ? batchForget : c.batchForget());
        if (lr != null || lrFake != null || stage2Lr != null) {
            double base = lr != null ? lr : c.lrGenerator();
            c = c.learningRates(stage2Lr != null ? stage2Lr : base, lrFake != null ? lrFake : lr != null ? lr : c.lrFake());
        }
        if (forgetWeight != null) c = c.forgetWeight(forgetWeight);
        if (keep != null) c = c.keep(keep);
        if (Boolean.TRUE.equals(robust)) c = c.tieForgotten(true);
        if (seed != null) c = c.seed(seed);
        if (adamBeta1 != null) c = c.adam(adamBeta1, c.beta2(), c.adamEps());
        if (alpha != null) c = c.alpha(alpha);
        if (guidance != null) c = c.guidance(guidance, guidance, guidance);
        if (emaHalfLife != null || emaRampup != null) {
            c = c.emaHalfLife(emaHalfLife != null ? emaHalfLife : c.emaHalfLifeImages(), emaRampup != null ? emaRampup : c.emaRampup());
        }
        if (checkpointEvery != null) c = c.checkpointEvery(checkpointEvery);
        return noEma || !stage2Ema ? c.emaOff() : c;
    }
}
