package dev.sfd.bench.cli;

import dev.sfd.SfdException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sfd} command line. Exit codes: 0 ok, 1 runtime failure (including out of memory), 2 usage error (bad option
 * or option combination), {@value #EXIT_BELOW_BAR} a forgetting run (demo, forget, sweep) that finished and wrote its
 * files but ended below the product's bar ({@link dev.sfd.eval.Bar#PRODUCT}); its folder is finished like a successful one.
 */
@Command(name = "sfd", mixinStandardHelpOptions = true, version = "sfd 0.1.0",
        description = "Score Forgetting Distillation for the JVM: data-free class forgetting into a one-step generator.",
        subcommands = {
            DemoCommand.class, ForgetCommand.class, SweepCommand.class, SampleCommand.class, EvalCommand.class, TrainTeacherCommand.class, TrainClassifierCommand.class, BenchCommand.class, ProfileCommand.class, BaselineCommand.class, RelearnCommand.class, TableCommand.class, ExportStage1Command.class,
            CommandLine.HelpCommand.class
        })
public final class SfdCli implements Runnable {
    /** Exit code of a forgetting run that finished below the bar (its report says {@code bar_met: false} and why). */
    public static final int EXIT_BELOW_BAR = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try 'sfd --help')"); }

    public static int execute(String... args) {
        // sfd-cuda is on the classpath for `profile --backend cuda-emu`; the CLI's default stays the CPU backend
        if (System.getProperty("sfd.backend") == null) System.setProperty("sfd.backend", "cpu");
        CommandLine cl = new CommandLine(new SfdCli());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof dev.sfd.ConfigException) {
                cmd.getErr().println("sfd: " + ex.getMessage());
                return 2;
            }
            if (ex instanceof SfdException || ex instanceof java.io.UncheckedIOException) {
                cmd.getErr().println("sfd: error: " + ex.getMessage());
                if (Boolean.getBoolean("sfd.debug")) ex.printStackTrace(cmd.getErr());
                return 1;
            }
            throw ex;
        });
        cl.setExecutionStrategy(parsed -> {
            try {
                int rc = new CommandLine.RunLast().execute(parsed);
                if (rc == 0 || rc == EXIT_BELOW_BAR) Output.finishClaims();
                return rc;
            } catch (OutOfMemoryError e) {
                cl.getErr().println("sfd: error: out of memory (heap limit " + (Runtime.getRuntime().maxMemory() >> 20)
                        + " MB): lower the batch sizes or give the JVM more heap (SFD_HEAP=16g ./sfd ...)");
                return 1;
            } catch (dev.sfd.SfdException e) {
                cl.getErr().println("sfd: error: " + e.getMessage());
                return 1;
            } finally {
                Output.releaseClaims();
            }
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("sfd: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return 2;
        });
        return cl.execute(args);
    }

    public static void main(String[] args) { System.exit(execute(args)); }
}
