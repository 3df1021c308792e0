package dev.sfd.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * The README's headline figures are the committed measurements: the demo paragraph against
 * {@code docs/results/demo-robust-seed{7,8}-report.json} and {@code demo-report.json}, the relearning table against the
 * {@code relearn-robust-*.json} files and {@code table-full.json}, the comparison table row by row against
 * {@code table-full.json}, the sweep table against {@code sweep.json}. A figure is compared at the number of decimals the README shows it with, so a changed digit
 * on either side fails ({@link #aChangedDigitInTheReadmeFails}). Regenerate a measurement, then update the README.
 */
class ReadmeFiguresTest {
    static final Path ROOT = root();
    static final String RESULTS = "docs/results/";

    static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve(RESULTS))) return p;
        }
        throw new IllegalStateException("no README.md with docs/results/ above " + Path.of("").toAbsolutePath());
    }

    static Map<String, Object> json(String name) { return Json.readMap(ROOT.resolve(RESULTS + name)); }

    static double num(Object o) {
        assertNotNull(o, "missing figure");
        return ((Number) o).doubleValue();
    }

    /** Fails unless {@code shown} (as printed in the README, commas allowed) is {@code value} rounded to as many decimals. */
    static void same(String shown, double value, String what) {
        String s = shown.replace(",", "");
        int dot = s.indexOf('.');
        int decimals = dot < 0 ? 0 : s.length() - dot - 1;
        String want = String.format(Locale.ROOT, "%." + decimals + "f", value);
        assertEquals(want, s, "README shows " + shown + " for " + what + "; the measurement is " + value);
    }

    /** The single match of {@code regex} in the README (whitespace-normalised), or a failure naming the sentence looked for. */
    static Matcher find(String text, String regex, String what) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "README no longer has " + what + " in the expected form (/" + regex + "/): update this test with the README");
        return m;
    }

    static List<?> curve(Map<?, ?> m, String key) { return (List<?>) m.get(key); }

    static Map<?, ?> point(List<?> curve, int i) { return (Map<?, ?>) curve.get(i < 0 ? curve.size() + i : i); }

    /** "a -> b" (two decimals) against the first and last points of a curve. */
    static void attack(String shown, List<?> curve, String key, String what) {
        Matcher m = Pattern.compile("^\\s*([0-9.]+) -> ([0-9.]+)\\s*$").matcher(shown);
        assertTrue(m.matches(), what + ": '" + shown + "' is not 'before -> after'");
        same(m.group(1), num(point(curve, 0).get(key)), what + ", before the attack");
        same(m.group(2), num(point(curve, -1).get(key)), what + ", after the attack");
    }

    @Test
    void readmeHeadlinesAreTheMeasuredFigures() throws Exception {
        check(Files.readString(ROOT.resolve("README.md")));
    }

    /** The check is not vacuous: one changed digit anywhere it looks fails it. */
    @Test
    void aChangedDigitInTheReadmeFails() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String[][] edits = {
            {"| 0.995 | 0.824 |", "| 0.995 | 0.825 |"}, // comparison table: retrain's remaining accuracy
            {"| 1,572 s |", "| 1,571 s |"}, // comparison table: ESD's time
            {"0.02 -> 0.73 (Heun); one-step 0.00 -> 0.81", "0.02 -> 0.73 (Heun); one-step 0.00 -> 0.82"}, // comparison table: SFD's attack
            {"0.870 / 0.879", "0.870 / 0.878"}, // demo paragraph: remaining accuracy of seed 8
            {"1.35x)", "1.36x)"}, // demo paragraph: FD ratio of seed 8
            {"766 s in total", "767 s in total"}, // demo paragraph: wall time
            {"measured UA 1.000 and FD 27.7 (1.31x)", "measured UA 1.000 and FD 27.8 (1.31x)"}, // plain SFD
            {"| 0.01 -> 0.08 | 0.00 -> 0.02 |", "| 0.01 -> 0.09 | 0.00 -> 0.02 |"}, // relearning table: Sneaker -> Sandal
            {"0.00 -> 0.15 | 0.00 -> 0.23, 0.00 -> 0.23 |", "0.00 -> 0.15 | 0.00 -> 0.23, 0.00 -> 0.32 |"}, // relearning table: lr 1e-3, seed 8
            {"FD 1.12x the teacher's", "FD 1.21x the teacher's"},
            {"0.00 -> 0.00, 0.01 -> 0.01 |", "0.00 -> 0.00, 0.01 -> 0.02 |"}, // relearning table: 2,000 steps on Sneaker -> Sandal
            {"images) | 0.00 -> 0.04 |", "images) | 0.00 -> 0.05 |"}, // relearning table: DiMUM
            {"| 0.808 / 0.864 |", "| 0.808 / 0.865 |"}, // sweep: Sandal -> Pullover override, second judge
            {"| 200 (1) |", "| 200 (2) |"}, // sweep: Shirt -> T-shirt/top iterations
            {"**8 of 10 pairs meet the bar**", "**9 of 10 pairs meet the bar**"}, // sweep: the count
        };
        for (String[] e : edits) {
            assertEquals(1, readme.split(Pattern.quote(e[0]), -1).length - 1, "'" + e[0] + "' should occur once in README.md");
            String changed = readme.replace(e[0], e[1]);
            AssertionFailedError f = assertThrows(AssertionFailedError.class, () -> check(changed), "README with '" + e[1] + "' passed the check");
            assertTrue(f.getMessage().startsWith("README"), f.getMessage());
        }
    }

    /** Every check, on the README text given. */
    static void check(String readmeText) {
        String text = readmeText.replaceAll("\\s+", " ");
        demoParagraph(text);
        relearningTable(readmeText);
        comparisonTable(readmeText, text);
        sweepTable(readmeText, text);
    }

    /** "Sweep": every pair's row against {@code sweep.json}, and the count of pairs that meet the bar. */
    static void sweepTable(String readme, String text) {
        Map<String, Map<?, ?>> byPair = new java.util.LinkedHashMap<>();
        for (Object o : (List<?>) json("sweep.json").get("rows")) byPair.put((String) ((Map<?, ?>) o).get("pair"), (Map<?, ?>) o);
        List<String[]> rows = table(readme, "| pair | UA (shipped / second judge) |");
        assertEquals(byPair.size(), rows.size(), "README: the sweep table has one row per pair of sweep.json");
        int met = 0;
        for (String[] row : rows) {
            Matcher m = Pattern.compile("^(\\d) -> (\\d) ").matcher(row[0]);
            assertTrue(m.find(), "README sweep row '" + row[0] + "' does not start with 'F -> O'");
            String pair = m.group(1) + "->" + m.group(2);
            Map<?, ?> r = byPair.get(pair);
            assertNotNull(r, "README sweep row " + pair + " is not in sweep.json");
            Map<?, ?> c = (Map<?, ?>) r.get("judge_ceiling");
            pairOf(row[1], r.get("ua"), r.get("second_ua"), "sweep " + pair + " UA");
            pairOf(row[2], r.get("as_override"), r.get("second_as_override"), "sweep " + pair + " override share");
            pairOf(row[3], c.get("ua"), c.get("second_ua"), "sweep " + pair + " UA ceiling");
            pairOf(row[4], c.get("as_override"), c.get("second_as_override"), "sweep " + pair + " override ceiling");
            same(row[5], num(r.get("teacher_override_class_accuracy")), "sweep " + pair + " teacher's override accuracy");
            pairOf(row[6], r.get("remain_accuracy_ratio"), r.get("fd_remain_ratio"), "sweep " + pair + " accuracy / FD ratio");
            assertEquals(String.format(Locale.ROOT, "%d (%d)", (long) num(r.get("iterations")), (long) num(r.get("generator_step"))), row[7],
                    "README: sweep " + pair + " iterations (generator of)");
            boolean barMet = Boolean.TRUE.equals(r.get("bar_met"));
            assertEquals(barMet, row[8].equals("met"), "README: sweep " + pair + " says '" + row[8] + "', bar_met is " + barMet);
            if (barMet) met++;
        }
        same(find(text, "\\*\\*(\\d+) of (\\d+) pairs meet the bar\\*\\*", "the sweep's count").group(1), met, "the pairs that meet the bar");
    }

    /** "a / b" against two figures. */
    static void pairOf(String shown, Object a, Object b, String what) {
        String[] p = shown.split(" / ");
        assertEquals(2, p.length, "README: " + what + " '" + shown + "' is not 'a / b'");
        same(p[0].trim(), num(a), what + " (first)");
        same(p[1].trim(), num(b), what + " (second)");
    }

    /** "What ./sfd demo does and measures": the robust recipe on seeds 7 and 8, and plain SFD-Two-Stage. */
    static void demoParagraph(String text) {
        Matcher m = find(text, "(\\d+) forgetting iterations of (\\d+) \\+ (\\d+) images", "the demo's iteration count");
        Map<String, Object> s7 = json("demo-robust-seed7-report.json"), s8 = json("demo-robust-seed8-report.json");
        for (Map<String, Object> r : List.of(s7, s8)) {
            Map<?, ?> cfg = (Map<?, ?>) r.get("config");
            same(m.group(1), num(r.get("iterations")), "the robust demo's iterations");
            same(m.group(2), num(cfg.get("batch_remain")), "the robust demo's remain batch");
            same(m.group(3), num(cfg.get("batch_forget")), "the robust demo's forget batch");
            assertEquals(Boolean.TRUE, cfg.get("tie_forgotten"), "README: the demo's measurements are the robust recipe's");
        }
        m = find(text, "seeds (\\d+) and (\\d+): UA ([0-9.]+), as override ([0-9.]+), remaining-class accuracy ([0-9.]+) / ([0-9.]+) "
                + "\\(teacher ([0-9.]+)\\), remaining FD ([0-9.]+) / ([0-9.]+) against the teacher's ([0-9.]+) on equal sample counts "
                + "\\(([0-9.]+)x / ([0-9.]+)x\\), one network call per image instead of (\\d+); ([0-9,]+) s in total for seed (\\d+)", "the demo's figures");
        same(m.group(1), num(((Map<?, ?>) s7.get("config")).get("seed")), "the first seed");
        same(m.group(2), num(((Map<?, ?>) s8.get("config")).get("seed")), "the second seed");
        for (Map<String, Object> r : List.of(s7, s8)) {
            same(m.group(3), num(r.get("ua")), "the demo's UA");
            same(m.group(4), num(r.get("as_override")), "the demo's override share");
            same(m.group(7), num(((Map<?, ?>) r.get("teacher")).get("remain_accuracy")), "the teacher's remaining accuracy");
            same(m.group(10), num(((Map<?, ?>) r.get("fd_remain_at_teacher_count")).get("teacher")), "the teacher's FD");
            same(m.group(13), num(((Map<?, ?>) r.get("network_calls_per_image")).get("teacher")), "the teacher's network calls");
        }
        same(m.group(5), num(s7.get("remain_accuracy")), "seed 7's remaining accuracy");
        same(m.group(6), num(s8.get("remain_accuracy")), "seed 8's remaining accuracy");
        same(m.group(8), num(s7.get("fd_remain")), "seed 7's FD");
        same(m.group(9), num(s8.get("fd_remain")), "seed 8's FD");
        same(m.group(11), num(((Map<?, ?>) s7.get("fd_remain_at_teacher_count")).get("ratio")), "seed 7's FD ratio");
        same(m.group(12), num(((Map<?, ?>) s8.get("fd_remain_at_teacher_count")).get("ratio")), "seed 8's FD ratio");
        same(m.group(14), num((m.group(15).equals(m.group(2)) ? s8 : s7).get("seconds")), "the demo's wall time");

        Map<String, Object> plain = json("demo-report.json");
        m = find(text, "Plain SFD-Two-Stage \\(`--no-robust`, (\\d+) iterations\\) measured UA ([0-9.]+) and FD ([0-9.]+) \\(([0-9.]+)x\\)", "plain SFD's figures");
        same(m.group(1), num(plain.get("iterations")), "plain SFD's iterations");
        same(m.group(2), num(plain.get("ua")), "plain SFD's UA");
        same(m.group(3), num(plain.get("fd_remain")), "plain SFD's FD");
        same(m.group(4), num(((Map<?, ?>) plain.get("fd_remain_at_teacher_count")).get("ratio")), "plain SFD's FD ratio");
    }

    /** Cells of the markdown table whose header line starts with {@code header}; fails if it is missing. */
    static List<String[]> table(String readme, String header) {
        List<String[]> rows = new ArrayList<>();
        String[] lines = readme.split("\n");
        int i = 0;
        while (i < lines.length && !lines[i].startsWith(header)) i++;
        assertTrue(i < lines.length, "README no longer has the table starting '" + header + "': update this test with the README");
        for (i += 2; i < lines.length && lines[i].startsWith("|"); i++) {
            String l = lines[i].trim();
            String[] cells = l.substring(1, l.length() - 1).split("\\|", -1);
            for (int k = 0; k < cells.length; k++) cells[k] = cells[k].trim();
            rows.add(cells);
        }
        return rows;
    }

    /** "Forgetting that survives fine-tuning": Heun and one-step rates before -> after the default attack. */
    static void relearningTable(String readme) {
        Map<String, Map<?, ?>> table = tableRows();
        for (String[] row : table(readme, "| model | Heun sampling | one-step sampling |")) {
            String label = row[0];
            if (label.startsWith("plain SFD")) {
                List<?> c = curve(table.get("sfd"), "attack_curve");
                attack(row[1], c, "forgotten_rate", "plain SFD, Heun");
                attack(row[2], c, "forgotten_rate_one_step", "plain SFD, one-step");
            } else if (label.startsWith("DiMUM")) {
                Map<String, Object> r = json("relearn-dimum.json");
                same("500", num(((Map<?, ?>) r.get("settings")).get("steps")), "the DiMUM attack's steps (the default attack)");
                attack(row[1], curve(r, "curve"), "forgotten_rate", "DiMUM, Heun");
                assertEquals("-", row[2], "README: DiMUM is a diffusion model without a one-step sampler");
            } else if (label.startsWith("retrain")) {
                attack(row[1], curve(table.get("retrain"), "attack_curve"), "forgotten_rate", "the retrain");
                assertEquals("-", row[2], "README: the retrain has no one-step sampler");
            } else if (label.equals("robust SFD, seeds 7 and 8")) {
                String[] heun = row[1].split(","), one = row[2].split(",");
                for (int k = 0; k < 2; k++) {
                    List<?> c = curve(json("relearn-robust-seed" + (7 + k) + ".json"), "curve");
                    attack(heun[k], c, "forgotten_rate", "robust SFD seed " + (7 + k) + ", Heun");
                    attack(one[k], c, "forgotten_rate_one_step", "robust SFD seed " + (7 + k) + ", one-step");
                }
            } else if (label.startsWith("robust SFD, Sneaker -> Sandal (forget 7, override 5), seed 3")) {
                Map<String, Object> r = json("relearn-robust-7to5.json");
                assertEquals(7, (int) num(r.get("forget")), "README: the Sneaker -> Sandal attack forgets 7");
                attack(row[1], curve(r, "curve"), "forgotten_rate", "Sneaker -> Sandal, Heun");
                attack(row[2], curve(r, "curve"), "forgotten_rate_one_step", "Sneaker -> Sandal, one-step");
                assertEquals(3, (int) num(((Map<?, ?>) json("demo-robust-7to5-report.json").get("config")).get("seed")));
            } else if (label.equals("robust SFD, seeds 7 and 8, attack at lr 1e-3")) {
                String[] heun = row[1].split(","), one = row[2].split(",");
                for (int k = 0; k < 2; k++) {
                    Map<String, Object> r = json("relearn-robust-seed" + (7 + k) + "-lr1e-3.json");
                    same("0.001", num(((Map<?, ?>) r.get("settings")).get("lr")), "the strong attack's learning rate");
                    attack(heun[k], curve(r, "curve"), "forgotten_rate", "lr 1e-3 attack seed " + (7 + k) + ", Heun");
                    attack(one[k], curve(r, "curve"), "forgotten_rate_one_step", "lr 1e-3 attack seed " + (7 + k) + ", one-step");
                }
            } else if (label.equals("robust SFD, Sneaker -> Sandal, attack at lr 1e-3")) {
                Map<String, Object> r = json("relearn-robust-7to5-lr1e-3.json");
                assertEquals(7, (int) num(r.get("forget")), "README: the Sneaker -> Sandal attack forgets 7");
                same("0.001", num(((Map<?, ?>) r.get("settings")).get("lr")), "the strong attack's learning rate");
                attack(row[1], curve(r, "curve"), "forgotten_rate", "Sneaker -> Sandal lr 1e-3, Heun");
                attack(row[2], curve(r, "curve"), "forgotten_rate_one_step", "Sneaker -> Sandal lr 1e-3, one-step");
            } else if (label.startsWith("robust SFD, 2,000-step attack (`--steps 2000`): seeds 7 and 8, Sneaker -> Sandal")) {
                String[] heun = row[1].split(","), one = row[2].split(",");
                String[] files = {"relearn-robust-seed7-2000.json", "relearn-robust-seed8-2000.json", "relearn-robust-7to5-2000.json"};
                for (int k = 0; k < files.length; k++) {
                    Map<String, Object> r = json(files[k]);
                    same("2000", num(((Map<?, ?>) r.get("settings")).get("steps")), "the long attack's steps");
                    assertEquals(k == 2 ? 7 : 0, (int) num(r.get("forget")), "README: " + files[k] + " forgets the class its column says");
                    attack(heun[k], curve(r, "curve"), "forgotten_rate", "2,000-step attack " + files[k] + ", Heun");
                    attack(one[k], curve(r, "curve"), "forgotten_rate_one_step", "2,000-step attack " + files[k] + ", one-step");
                }
            } else {
                throw new AssertionFailedError("README relearning table has a row '" + label + "' with no committed measurement known to this test");
            }
        }
    }

    /** table-full.json's rows by method. */
    static Map<String, Map<?, ?>> tableRows() {
        Map<String, Map<?, ?>> rows = new java.util.LinkedHashMap<>();
        for (Object o : (List<?>) json("table-full.json").get("rows")) rows.put((String) ((Map<?, ?>) o).get("method"), (Map<?, ?>) o);
        return rows;
    }

    /** README label of a comparison-table row -> table.json method: "ESD-style" -> esd, "SFD (demo recipe)" -> sfd. */
    static String method(String label) { return label.replaceAll(" \\(.*\\)$", "").replace("-style", "").toLowerCase(Locale.ROOT); }

    /** "The comparison table": budgets, then every row and column against table-full.json, then the figures quoted below it. */
    static void comparisonTable(String readme, String text) {
        Map<String, Object> t = json("table-full.json");
        assertEquals("full", t.get("mode"));
        Matcher m = find(text, "Full budgets \\((\\d+) forget-label samples, (\\d+) per remaining class, Heun-(\\d+) for diffusion models; attack: (\\d+) steps",
                "the full table's budgets");
        same(m.group(1), num(t.get("forget_samples")), "forget-label samples");
        same(m.group(2), num(t.get("remain_samples_per_class")), "samples per remaining class");
        same(m.group(3), num(t.get("heun_steps")), "Heun steps");
        same(m.group(4), num(((Map<?, ?>) t.get("attack")).get("steps")), "attack steps");

        Map<String, Map<?, ?>> rows = tableRows();
        List<String[]> shown = table(readme, "| method | data needed | UA |");
        assertEquals(new ArrayList<>(rows.keySet()), shown.stream().map(r -> method(r[0])).toList(), "README comparison-table rows vs table-full.json");
        for (String[] r : shown) {
            Map<?, ?> j = rows.get(method(r[0]));
            String what = "the " + r[0] + " row";
            assertTrue(String.valueOf(j.get("data_needed")).startsWith(r[1]), "README: " + what + " says data '" + r[1] + "', table-full.json '" + j.get("data_needed") + "'");
            same(r[2], num(j.get("ua")), what + ", UA");
            same(r[3], num(j.get("remain_accuracy")), what + ", remaining accuracy");
            same(r[4], num(j.get("fd_remain")), what + ", FD");
            same(r[5], num(j.get("network_calls_per_image")), what + ", network calls");
            if (j.get("unlearning_seconds") == null) assertEquals("-", r[6], "README: " + what + " has no time in table-full.json");
            else same(r[6].replaceAll("^([0-9,.]+) s.*$", "$1"), num(j.get("unlearning_seconds")), what + ", time");
            if (j.get("attack_curve") == null) {
                assertEquals("-", r[7], "README: " + what + " was not attacked in table-full.json");
            } else {
                String[] parts = r[7].split(" \\(Heun\\); one-step ");
                attack(parts[0], curve(j, "attack_curve"), "forgotten_rate", what + ", attack");
                if (parts.length > 1) attack(parts[1], curve(j, "attack_curve"), "forgotten_rate_one_step", what + ", one-step attack");
            }
        }
        m = find(text, "FD ([0-9.]+)x the teacher's\\)", "SFD's FD ratio in the table discussion");
        same(m.group(1), num(rows.get("sfd").get("fd_remain")) / num(rows.get("teacher").get("fd_remain")), "SFD's FD over the teacher's (table)");
        m = find(text, "\\(one-step ([0-9.]+) after (\\d+) steps\\)", "SFD's early relearning");
        int step = Integer.parseInt(m.group(2));
        Map<?, ?> at = null;
        for (Object o : curve(rows.get("sfd"), "attack_curve")) if ((int) num(((Map<?, ?>) o).get("step")) == step) at = (Map<?, ?>) o;
        assertNotNull(at, "README: table-full.json's SFD attack curve has no step " + step);
        same(m.group(1), num(at.get("forgotten_rate_one_step")), "SFD's one-step rate after " + step + " attack steps");
    }
}
