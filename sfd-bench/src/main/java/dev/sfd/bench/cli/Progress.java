package dev.sfd.bench.cli;

import dev.sfd.unlearn.TrainingListener;
import java.nio.file.Path;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Renders trainer progress as a console bar with rate, ETA and the latest figures. */
final class Progress implements TrainingListener, AutoCloseable {
    /** Line width when stderr is not a terminal (logs): the library's 80-column default cut the rate and figures. */
    private static final int LOG_WIDTH = 160;
    private final ProgressBar bar;
    private final String[] shown;

    Progress(String task, long total, long start, String... shown) {
        this.shown = shown;
        boolean tty = System.console() != null;
        this.bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).startsFrom(start, java.time.Duration.ZERO)
                .setStyle(tty ? ProgressBarStyle.COLORFUL_UNICODE_BLOCK : ProgressBarStyle.ASCII)
                .setConsumer(tty ? new ConsoleProgressBarConsumer(System.err) : new ConsoleProgressBarConsumer(System.err, LOG_WIDTH))
                .setUpdateIntervalMillis(tty ? 500 : 15_000).showSpeed().build();
    }

    @Override
    public void onStep(long step, long totalSteps, Map<String, Double> figures) {
        bar.stepTo(step);
        StringBuilder sb = new StringBuilder();
        for (String k : shown) {
            Double v = figures.get(k);
            if (v != null) sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(String.format("%.4g", v));
        }
        bar.setExtraMessage(sb.toString());
    }

    @Override
    public void onCheckpoint(long step, Path file) {}

    @Override
    public void close() { bar.close(); }
}
