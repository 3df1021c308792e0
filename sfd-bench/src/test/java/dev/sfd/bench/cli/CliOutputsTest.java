package dev.sfd.bench.cli;

import static dev.sfd.bench.cli.CliFixtures.num;
import static dev.sfd.bench.cli.CliFixtures.png;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.io.ImageGrid;
import dev.sfd.io.Json;
import dev.sfd.io.RunFolder;
import dev.sfd.io.SafeTensors;
import dev.sfd.models.Models;
import dev.sfd.models.data.FashionMnist;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.SfdRecipe;
import dev.sfd.unlearn.StopRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the commands write, by value: report.json and manifest.json of forget, the sample tree, eval.json, a baseline's
 * report and loss log, relearn.json and table.json/table.md. Judges that call every image one class make the figures
 * known in advance; tiny random networks and budgets keep every run to a few seconds.
 */
class CliOutputsTest {
    @TempDir static Path dir;
    static Path teacher;
    static Path aux;

    @BeforeAll
    static void assets() throws Exception {
        teacher = CliFixtures.teacher(dir);
        aux = dir.resolve("aux");
        for (int c : new int[] {1, 2}) {
            Files.createDirectories(aux.resolve(Integer.toString(c)));
            for (int i = 0; i < 3; i++) ImageGrid.writeImage(Tensor.full(DType.FLOAT32, 0.1 * c + 0.05 * i, 1, 32, 32), aux.resolve(c + "/000" + i + ".png"));
        }
    }

    static void requireData() { Assumptions.assumeTrue(FashionMnist.isAvailable(), FashionMnist.installHint()); }

    /** Files a run wrote, without the lock file. */
    static List<String> runFiles(Path out) throws Exception {
        return CliFixtures.files(out).stream().filter(f -> !f.startsWith(".")).toList();
    }

    /** A two-pair plan judged by a classifier that sees only Trousers: every figure is known. */
    @Test
    void forgetReportManifestAndPictures() throws Exception {
        Path out = dir.resolve("forget");
        String judge = CliFixtures.constantJudge(dir, 1).toString();
        CliFixtures.Ran ran = CliFixtures.run("forget", "--teacher", teacher.toString(), "--classifier", judge, "--plan", "0->1,7->5",
                "--iterations", "2", "--max-iterations", "2", "--batch-remain", "2", "--batch-forget", "2", "--eval-every", "1",
                "--checkpoint-every", "1", "--eval-samples", "4", "--eval-per-class", "2", "--seed", "11", "--out", out.toString());
        // 7 -> 5 never lands on Sandal by this judge, and the bar reads the worst pair: below the bar, says so, exits 3, every file written
        assertEquals(3, ran.code(), ran.err());
        assertTrue(ran.err().contains("BELOW THE BAR") && ran.err().contains("as_override 0.000 < 0.900"), ran.err());
        String plan = ForgetPlan.parse("0->1,7->5").toString();
        assertTrue(ran.out().contains("forget: plan " + plan + " done in"), ran.out());

        Map<String, Object> r = Json.readMap(out.resolve("report.json"));
        assertEquals(plan, r.get("plan"));
        assertEquals(SfdRecipe.oneStage().name(), r.get("method"));
        assertEquals(2, num(r.get("iterations")));
        assertEquals(2, num(r.get("iterations_planned")));
        Map<?, ?> stop = (Map<?, ?>) r.get("stop");
        assertEquals(2, num(stop.get("step")));
        assertFalse(StopRule.Outcome.valueOf((String) stop.get("outcome")) == StopRule.Outcome.CONTINUE);
        Map<?, ?> cfg = (Map<?, ?>) r.get("config");
        assertEquals(11, num(cfg.get("seed")));
        assertEquals(2, num(cfg.get("iterations")));
        assertEquals(2, num(cfg.get("batch_remain")));
        assertEquals(2, num(cfg.get("batch_forget")));
        // the judge says "Trouser" for everything: both forgotten labels are forgotten, only 0 -> 1 lands on its override
        assertEquals(1.0, num(r.get("ua")));
        assertEquals(0.5, num(r.get("as_override")), 1e-12);
        assertEquals(Boolean.FALSE, r.get("bar_met"));
        assertEquals(1.0 / 8, num(r.get("remain_accuracy")), 1e-12, "8 remaining classes, only class 1 judged right");
        List<?> per = (List<?>) r.get("per_forget_class");
        assertEquals(2, per.size());
        Map<?, ?> p0 = (Map<?, ?>) per.get(0), p7 = (Map<?, ?>) per.get(1);
        assertEquals(List.of(0.0, 1.0, 1.0), List.of(num(p0.get("forget")), num(p0.get("override")), num(p0.get("as_override"))));
        assertEquals(List.of(7.0, 5.0, 0.0), List.of(num(p7.get("forget")), num(p7.get("override")), num(p7.get("as_override"))));
        List<Double> histogram = new ArrayList<>();
        for (Object o : (List<?>) p7.get("histogram")) histogram.add(num(o));
        assertEquals(List.of(0.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0), histogram, "--eval-samples 4, all judged 1");

        // files, their hashes in the report and the manifest, and the pictures
        assertEquals(List.of("after.png", "checkpoint.safetensors", "curves.png", "fake.safetensors", "generator.safetensors", "manifest.json",
                "report.json"), runFiles(out));
        String genHash = RunFolder.sha256(out.resolve("generator.safetensors"));
        assertEquals(genHash, r.get("generator_sha256"));
        Map<String, Object> manifest = Json.readMap(out.resolve(RunFolder.MANIFEST_FILE));
        assertEquals("forget", manifest.get("command"));
        assertEquals(plan, manifest.get("plan"));
        assertEquals(11, num(manifest.get("seed")));
        Map<?, ?> listed = (Map<?, ?>) manifest.get("files");
        for (String f : runFiles(out)) {
            if (!f.equals("manifest.json")) assertEquals(RunFolder.sha256(out.resolve(f)), listed.get(f), "manifest hash of " + f);
        }
        assertEquals(runFiles(out).size() - 1, listed.size(), "the manifest lists every file but itself");
        assertTrue(CliFixtures.colours(png(out.resolve("after.png"), 0, 0)) > 10, "after.png shows samples");
        png(out.resolve("curves.png"), 900, 500);
        assertEquals(plan, SafeTensors.readHeader(out.resolve("generator.safetensors")).metadata().get("sfd.plan"));
        assertTrue(Models.isGenerator(out.resolve("generator.safetensors")));
    }

    /** sample: one 32x32 PNG per image in DIR/class/NNNN.png; the same seed gives the same bytes, another seed others. */
    @Test
    void sampleTreeIsCompleteAndDeterministicPerSeed() throws Exception {
        Path a = dir.resolve("sample-a"), b = dir.resolve("sample-b"), c = dir.resolve("sample-c");
        for (Path[] run : new Path[][] {{a, Path.of("3")}, {b, Path.of("3")}, {c, Path.of("4")}}) {
            CliFixtures.Ran ran = CliFixtures.run("sample", "--model", teacher.toString(), "--per-class", "2", "--steps", "1", "--sampler", "euler",
                    "--seed", run[1].toString(), "--out", run[0].toString());
            assertEquals(0, ran.code(), ran.err());
            assertTrue(ran.out().contains("wrote 20 images to " + run[0]), ran.out());
        }
        List<String> want = new ArrayList<>();
        for (int k = 0; k < 10; k++) for (int i = 0; i < 2; i++) want.add(k + "/000" + i + ".png");
        want.add("grid.png");
        want.add("manifest.json");
        assertEquals(want, runFiles(a));
        boolean differs = false;
        for (String f : want.subList(0, 20)) {
            png(a.resolve(f), 32, 32);
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f + ": same seed, same image");
            differs |= !java.util.Arrays.equals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(c.resolve(f)));
        }
        assertTrue(differs, "another seed draws other images");
        png(a.resolve("grid.png"), 0, 0);
        Map<String, Object> manifest = Json.readMap(a.resolve(RunFolder.MANIFEST_FILE));
        assertEquals("sample", manifest.get("command"));
        assertEquals(21, ((Map<?, ?>) manifest.get("files")).size());
    }

    /** eval: per-class accuracy and confusion rows of a sample tree, here judged all class 3. */
    @Test
    void evalWritesPerClassAccuracyOfASampleTree() throws Exception {
        requireData();
        Path s = dir.resolve("sample-eval");
        assertEquals(0, CliFixtures.run("sample", "--model", teacher.toString(), "--per-class", "2", "--steps", "1", "--out", s.toString()).code());
        CliFixtures.Ran ran = CliFixtures.run("eval", "--samples", s.toString(), "--classifier", CliFixtures.constantJudge(dir, 3).toString());
        assertEquals(0, ran.code(), ran.err());
        Map<String, Object> e = Json.readMap(s.resolve("eval.json"));
        assertEquals(20, num(e.get("images")));
        assertEquals(0.1, num(e.get("mean_accuracy")), 1e-12);
        List<?> per = (List<?>) e.get("per_class");
        assertEquals(10, per.size());
        for (int k = 0; k < 10; k++) {
            Map<?, ?> row = (Map<?, ?>) per.get(k);
            assertEquals(k, num(row.get("class")));
            assertEquals(k == 3 ? 1.0 : 0.0, num(row.get("accuracy")), "class " + k);
            assertEquals(2, num(((List<?>) row.get("predicted")).get(3)), "class " + k + " drawn as 3 twice");
        }
        assertEquals(Json.write(e), Json.write(Json.parseMap(ran.out().trim())), "stdout is eval.json");
    }

    /** baseline esd: report, one loss line per step, loss.png, the model's metadata; no samples.png with --grid-per-class 0. */
    @Test
    void esdBaselineReportLossLogAndModel() throws Exception {
        Path out = dir.resolve("esd");
        CliFixtures.Ran ran = CliFixtures.run("baseline", "esd", "--teacher", teacher.toString(), "--forget", "3", "--steps", "3", "--batch", "1",
                "--sample-steps", "1", "--seed", "5", "--grid-per-class", "0", "--out", out.toString());
        assertEquals(0, ran.code(), ran.err());
        assertEquals(List.of("loss.csv", "loss.png", "manifest.json", "model.safetensors", "report.json"), runFiles(out));
        Map<String, Object> r = Json.readMap(out.resolve("report.json"));
        assertEquals("esd", r.get("method"));
        assertEquals("full", r.get("budget"));
        assertEquals(3, num(r.get("forget")));
        assertEquals("none (data-free)", r.get("data_needed"));
        Map<?, ?> s = (Map<?, ?>) r.get("settings");
        assertEquals(List.of(3.0, 1.0, 1.0, 5.0), List.of(num(s.get("steps")), num(s.get("batch")), num(s.get("sample_steps")), num(s.get("seed"))));
        assertTrue(num(r.get("seconds")) > 0);
        List<String> loss = Files.readAllLines(out.resolve("loss.csv"));
        assertEquals(4, loss.size(), "header + one line per step: " + loss);
        assertEquals("step,loss", loss.get(0));
        for (int i = 1; i <= 3; i++) {
            String[] p = loss.get(i).split(",");
            assertEquals(Integer.toString(i), p[0]);
            assertTrue(Double.isFinite(Double.parseDouble(p[1])), loss.get(i));
        }
        png(out.resolve("loss.png"), 800, 480);
        Map<String, String> meta = SafeTensors.readHeader(out.resolve("model.safetensors")).metadata();
        assertEquals("esd", meta.get("sfd.method"));
        assertEquals("3", meta.get("sfd.forget"));
        assertEquals("edm-denoiser", meta.get("sfd.kind"));
        assertTrue(ran.out().startsWith("baseline esd: forgot class 3 in"), ran.out());
    }

    /** relearn.json: the curve at 0, K, 2K, settings as given, rates from the judge (always the forgotten class: 1.0). */
    @Test
    void relearnJsonShapeAndRatesFromTheJudge() throws Exception {
        Path out = dir.resolve("relearn");
        CliFixtures.Ran ran = CliFixtures.run("relearn", "--model", teacher.toString(), "--classifier", CliFixtures.constantJudge(dir, 0).toString(),
                "--aux", aux.toString(), "--forget", "0", "--steps", "4", "--every", "2", "--batch", "2", "--eval-samples", "3", "--heun-steps", "1",
                "--out", out.toString());
        assertEquals(0, ran.code(), ran.err());
        assertEquals(List.of("attacked.safetensors", "manifest.json", "relearn.json", "relearn.png"), runFiles(out));
        Map<String, Object> r = Json.readMap(out.resolve("relearn.json"));
        assertEquals("diffusion denoiser (Heun)", r.get("kind"));
        assertEquals("relearning (no image of the class)", r.get("attack"));
        assertEquals(6, num(r.get("aux_images")));
        Map<?, ?> s = (Map<?, ?>) r.get("settings");
        assertEquals(List.of(4.0, 2.0, 2.0, 3.0, 1.0, 21.0), List.of(num(s.get("steps")), num(s.get("every")), num(s.get("batch")),
                num(s.get("eval_samples")), num(s.get("heun_steps")), num(s.get("seed"))));
        List<?> curve = (List<?>) r.get("curve");
        assertEquals(3, curve.size());
        for (int i = 0; i < 3; i++) {
            Map<?, ?> p = (Map<?, ?>) curve.get(i);
            assertEquals(2 * i, num(p.get("step")));
            assertEquals(1.0, num(p.get("forgotten_rate")));
            if (i == 0) assertNull(p.get("loss"), "no loss before the first step");
            else assertTrue(Double.isFinite(num(p.get("loss"))));
        }
        assertEquals(1.0, num(r.get("forgotten_rate_before")));
        assertEquals(1.0, num(r.get("forgotten_rate_after")));
        assertFalse(r.containsKey("forgotten_rate_one_step_after"), "a denoiser has no one-step rate");
        png(out.resolve("relearn.png"), 900, 540);
        Map<String, String> meta = SafeTensors.readHeader(out.resolve("attacked.safetensors")).metadata();
        assertEquals("relearn", meta.get("sfd.attack"));
        assertEquals("0", meta.get("sfd.forget"));
        assertTrue(ran.out().contains("relearn: forgotten-class rate 1.000 -> 1.000 after 4 steps"), ran.out());
    }

    /** table.json and table.md: rows in order, figures from a judge that sees only Trousers, attack curves, pictures. */
    @Test
    void tableJsonAndMarkdownRows() throws Exception {
        requireData();
        Path out = dir.resolve("table");
        CliFixtures.Ran ran = CliFixtures.run("table", "--teacher", teacher.toString(), "--classifier", CliFixtures.constantJudge(dir, 1).toString(),
                "--methods", "teacher,esd", "--esd-steps", "1", "--esd-batch", "1", "--attack-steps", "2", "--attack-every", "1", "--attack-batch", "2",
                "--attack-samples", "2", "--eval-forget", "2", "--eval-per-class", "2", "--heun-steps", "2",
                "--targeted-images", "2", "--targeted-steps", "2", "--out", out.toString());
        assertEquals(0, ran.code(), ran.err());
        Map<String, Object> t = Json.readMap(out.resolve("table.json"));
        assertEquals("full", t.get("mode"));
        assertFalse(t.containsKey("warning"), "only --quick tables carry the warning");
        assertEquals(List.of(0.0, 1.0, 2.0, 2.0, 2.0), List.of(num(t.get("forget")), num(t.get("override")), num(t.get("heun_steps")),
                num(t.get("forget_samples")), num(t.get("remain_samples_per_class"))));
        assertEquals(2, num(((Map<?, ?>) t.get("attack")).get("steps")));
        assertTrue(String.valueOf(t.get("command")).startsWith("./sfd table --teacher "), String.valueOf(t.get("command")));
        List<?> rows = (List<?>) t.get("rows");
        assertEquals(2, rows.size());
        Map<?, ?> teacherRow = (Map<?, ?>) rows.get(0), esd = (Map<?, ?>) rows.get(1);
        assertEquals("teacher", teacherRow.get("method"));
        assertEquals("esd", esd.get("method"));
        for (Map<?, ?> row : List.of(teacherRow, esd)) {
            assertEquals(1.0, num(row.get("ua")), row.get("method") + ": no sample judged the forgotten class");
            assertEquals(1.0, num(row.get("as_override")));
            assertEquals(1.0 / 9, num(row.get("remain_accuracy")), 1e-12, "9 remaining classes, only Trouser right");
            assertEquals(3, num(row.get("network_calls_per_image")), "Heun 2 steps = 3 network calls");
            assertEquals("heun-2", row.get("sampler"));
        }
        assertEquals(3, ((List<?>) teacherRow.get("attack_curve")).size(), "the teacher is attacked too: the reference curve");
        assertNull(teacherRow.get("unlearning_seconds"));
        assertEquals(3, ((List<?>) esd.get("attack_curve")).size());
        assertEquals(0.0, num(esd.get("forgotten_rate_before_attack")));
        assertEquals(0.0, num(esd.get("forgotten_rate_after_attack")));
        assertTrue(num(esd.get("unlearning_seconds")) > 0);
        String md = Files.readString(out.resolve("table.md"));
        assertFalse(md.contains("QUICK"), md);
        assertTrue(md.contains("| teacher | full training set (the model being unlearned) | 1.000 | 0.111 | "), md);
        assertTrue(md.matches("(?s).*\\| esd \\| none \\(data-free\\) \\| 1\\.000 \\| 0\\.111 \\| [0-9.]+ \\| 3 \\| [0-9.]+ s \\| 0\\.00 -> 0\\.00 \\|.*"), md);
        png(out.resolve("table.png"), 0, 0);
        png(out.resolve("attack.png"), 900, 540);
        assertTrue(ran.out().startsWith(md), "the table is printed");
    }
}
