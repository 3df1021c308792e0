package dev.sfd.unlearn;

import java.util.Map;

/** Receives progress from long-running trainers (teacher, classifier, SFD); the CLI renders it as a bar. */
public interface TrainingListener {
    /** Called after each step with named scalar figures (losses, learning rate, ...). */
    void onStep(long step, long totalSteps, Map<String, Double> figures);

    /** Called after each evaluation with named metrics. */
    default void onEvaluation(long step, Map<String, Double> metrics) {}

    /** Called when a checkpoint was written. */
    default void onCheckpoint(long step, java.nio.file.Path file) {}
}
