package dev.sfd.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.models.attack.RelearnAttack;
import dev.sfd.models.attack.TargetedRelearning;
import dev.sfd.models.baselines.Dimum;
import dev.sfd.models.baselines.EsdErasure;
import dev.sfd.models.baselines.SalUn;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code --help} is the CLI's manual: every option a user can see says what it does, and the defaults it quotes are
 * the library's (the CLI has no defaults of its own for the table's budgets, see {@link TableCommand#rows()}).
 */
class HelpTextTest {

    private static void collect(CommandLine cl, List<CommandLine> out) {
        out.add(cl);
        for (CommandLine sub : cl.getSubcommands().values()) if (!out.contains(sub)) collect(sub, out);
    }

    @Test
    void everyVisibleOptionAndParameterHasADescription() {
        List<CommandLine> all = new ArrayList<>();
        collect(new CommandLine(new SfdCli()), all);
        List<String> missing = new ArrayList<>();
        for (CommandLine cl : all) {
            CommandSpec spec = cl.getCommandSpec();
            for (OptionSpec o : spec.options()) {
                if (o.hidden() || o.usageHelp() || o.versionHelp()) continue;
                if (String.join("", o.description()).isBlank()) missing.add(spec.qualifiedName() + " " + o.longestName());
            }
            for (PositionalParamSpec p : spec.positionalParameters()) {
                if (p.hidden()) continue;
                if (String.join("", p.description()).isBlank()) missing.add(spec.qualifiedName() + " " + p.paramLabel());
            }
        }
        assertTrue(missing.isEmpty(), "options without a description in --help: " + missing);
    }

    @Test
    void forgetHelpStaysShort() {
        CommandSpec forget = new CommandLine(new SfdCli()).getSubcommands().get("forget").getCommandSpec();
        long shown = forget.options().stream().filter(o -> !o.hidden() && !o.usageHelp() && !o.versionHelp()).count();
        assertTrue(shown <= 20, "sfd forget --help lists " + shown + " options; tuning knobs belong hidden (README lists them)");
    }

    private static final Pattern DEFAULT = Pattern.compile("default (\\d+)(?:; quick (\\d+))?");

    private static int[] quoted(CommandSpec spec, String option) {
        String d = String.join(" ", spec.findOption(option).description());
        Matcher m = DEFAULT.matcher(d);
        assertTrue(m.find(), option + " quotes no default: " + d);
        return new int[] {Integer.parseInt(m.group(1)), m.group(2) == null ? -1 : Integer.parseInt(m.group(2))};
    }

    @Test
    void tableHelpQuotesTheLibraryDefaults() {
        CommandSpec table = new CommandLine(new SfdCli()).getSubcommands().get("table").getCommandSpec();
        EsdErasure.Settings ed = EsdErasure.Settings.defaults(), eq = EsdErasure.Settings.quick();
        SalUn.Settings sd = SalUn.Settings.defaults(), sq = SalUn.Settings.quick();
        Dimum.Settings dd = Dimum.Settings.defaults(), dq = Dimum.Settings.quick();
        RelearnAttack.Settings ad = RelearnAttack.Settings.defaults(), aq = RelearnAttack.Settings.quick();
        TargetedRelearning.Settings td = TargetedRelearning.Settings.defaults(), tq = TargetedRelearning.Settings.quick();
        Map<String, int[]> expected = Map.ofEntries(
                Map.entry("--esd-steps", new int[] {ed.steps(), eq.steps()}),
                Map.entry("--esd-batch", new int[] {ed.batch(), eq.batch()}),
                Map.entry("--salun-steps", new int[] {sd.steps(), sq.steps()}),
                Map.entry("--salun-batch", new int[] {sd.batchForget(), sq.batchForget()}),
                Map.entry("--dimum-steps", new int[] {dd.steps(), dq.steps()}),
                Map.entry("--dimum-batch", new int[] {dd.batchForget(), dq.batchForget()}),
                Map.entry("--dimum-memorised", new int[] {dd.memorised(), dq.memorised()}),
                Map.entry("--attack-steps", new int[] {ad.steps(), aq.steps()}),
                Map.entry("--attack-every", new int[] {ad.every(), aq.every()}),
                Map.entry("--attack-batch", new int[] {ad.batch(), aq.batch()}),
                Map.entry("--attack-samples", new int[] {ad.evalSamples(), aq.evalSamples()}),
                Map.entry("--targeted-steps", new int[] {td.steps(), tq.steps()}),
                Map.entry("--targeted-batch", new int[] {td.batch(), tq.batch()}),
                Map.entry("--targeted-samples", new int[] {td.evalSamples(), tq.evalSamples()}));
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            int[] q = quoted(table, e.getKey());
            assertEquals(e.getValue()[0], q[0], e.getKey() + ": --help quotes a default the library does not use");
            if (q[1] >= 0) assertEquals(e.getValue()[1], q[1], e.getKey() + ": --help quotes a quick budget the library does not use");
        }
    }
}
