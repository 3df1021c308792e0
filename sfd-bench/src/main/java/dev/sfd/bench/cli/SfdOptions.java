package dev.sfd.bench.cli;

import dev.sfd.unlearn.SfdConfig;
import picocli.CommandLine.Option;

/** SFD hyper-parameters shared by the demo and forget commands (defaults: the CPU recipe, SPEC-SFD 16/18). */
final class SfdOptions {
    @Option(names = "--iterations", defaultValue = "400") long iterations;
    @Option(names = "--batch-remain", defaultValue = "8") int batchRemain;
    @Option(names = "--batch-forget", defaultValue = "8") int batchForget;
    @Option(names = "--lr", defaultValue = "5e-5", description = "learning rate of generator and fake score network") double lr;
    @Option(names = "--forget-weight", defaultValue = "0.1", description = "lambda_f = lambda'_f") double forgetWeight;
    @Option(names = "--alpha", defaultValue = "1.2") double alpha;
    @Option(names = "--guidance", defaultValue = "1.0", description = "CFG weight for teacher and fake roles (1 = off)") double guidance;
    @Option(names = "--ema-half-life", defaultValue = "500000", description = "EMA half-life in images (ramp-up 0.05)") double emaHalfLife;
    @Option(names = "--no-ema", description = "use the raw generator (no EMA)") boolean noEma;
    @Option(names = "--seed", defaultValue = "7") long seed;
    @Option(names = "--checkpoint-every", defaultValue = "50") long checkpointEvery;
    @Option(names = "--eval-every", defaultValue = "50", description = "iterations between quick evaluations (0 = none)") int evalEvery;

    SfdConfig config() {
        SfdConfig c = SfdConfig.defaults().iterations(iterations).batch(batchRemain, batchForget).learningRates(lr, lr)
                .forgetWeight(forgetWeight).alpha(alpha).guidance(guidance, guidance, guidance).seed(seed)
                .checkpointEvery(checkpointEvery);
        return noEma ? c.emaOff() : c.emaHalfLife(emaHalfLife, 0.05);
    }
}
