package dev.sfd.optim;

import dev.sfd.nn.Module;
import dev.sfd.nn.Parameter;
import java.util.List;

/**
 * Exponential moving average of a module's parameters into a shadow module of the same architecture.
 * {@link #halfLifeBeta} gives EDM's image-count half-life rule with ramp-up (SPEC-EDM section 2).
 */
public final class Ema {
    private final List<Parameter> source;
    private final List<Parameter> shadow;
    private final Module shadowModule;

    /** {@code shadowModule} must have the same architecture; it is initialised with the source weights. */
    public Ema(Module sourceModule, Module shadowModule) {
        this.source = sourceModule.parameters();
        this.shadow = shadowModule.parameters();
        this.shadowModule = shadowModule;
        shadowModule.copyFrom(sourceModule);
        shadowModule.requiresGrad(false);
        shadowModule.train(false);
    }

    public Module shadow() { return shadowModule; }

    /** shadow = beta * shadow + (1 - beta) * source. */
    public void update(double beta) {
        for (int i = 0; i < source.size(); i++) {
            var s = shadow.get(i).data();
            s.backend().emaUpdate(s, source.get(i).data(), beta);
        }
    }

    /**
     * EDM's decay for one step: {@code halflife = min(halfLifeImages, imagesSeen * rampUp)} (ramp-up ignored when
     * {@code rampUp <= 0}); {@code beta = 0.5^(batch / max(halflife, 1e-8))}. {@code imagesSeen} counts images
     * before this batch, so the first update copies the weights.
     */
    public static double halfLifeBeta(double halfLifeImages, double rampUp, long imagesSeen, int batch) {
        double h = halfLifeImages;
        if (rampUp > 0) h = Math.min(h, imagesSeen * rampUp);
        return Math.pow(0.5, batch / Math.max(h, 1e-8));
    }
}
