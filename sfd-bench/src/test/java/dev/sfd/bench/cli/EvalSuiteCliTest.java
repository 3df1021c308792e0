package dev.sfd.bench.cli;

import static dev.sfd.bench.cli.CliEndToEndTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.io.ImageGrid;
import dev.sfd.io.Json;
import dev.sfd.models.Classifier;
import dev.sfd.models.Models;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.models.data.FashionMnist;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.OneStepGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluation-suite commands (baseline, relearn, table) on a tiny random teacher, generator and classifier:
 * file contracts with a couple of steps each, and clear errors for bad input.
 */
class EvalSuiteCliTest {
    @TempDir
    static Path dir;
    static Path teacher;
    static Path generator;
    static Path classifier;

    /** 32x32x1, 10 labels, label dropout 0.1, 8 channels. */
    static final SongUnetConfig SMALL = new SongUnetConfig(32, 1, 1, 10, 0, 8, new int[] {1, 2}, 2, 1, new int[] {16}, 0, 0.1, 1);

    @BeforeAll
    static void assets() {
        teacher = dir.resolve("teacher.safetensors");
        SongUnet.save(SongUnet.create(SMALL, 5), teacher, null);
        generator = dir.resolve("generator.safetensors");
        new OneStepGenerator(SongUnet.create(SMALL, 6), 2.5).save(generator);
        classifier = dir.resolve("classifier.safetensors");
        new Classifier(1, 4, 10, 6).save(classifier, null);
    }

    static void requireData() { Assumptions.assumeTrue(FashionMnist.isAvailable(), FashionMnist.installHint()); }

    @Test
    void esdBaselineWritesModelReportAndSamples() {
        Path out = dir.resolve("esd");
        assertEquals(0, SfdCli.execute("baseline", "esd", "--teacher", teacher.toString(), "--forget", "3", "--steps", "2", "--batch", "2",
                "--sample-steps", "2", "--grid-per-class", "1", "--out", out.toString()));
        for (String f : new String[] {"model.safetensors", "report.json", "samples.png", "loss.csv", "loss.png"}) assertTrue(Files.exists(out.resolve(f)), f);
        Map<String, Object> r = Json.readMap(out.resolve("report.json"));
        assertEquals("none (data-free)", r.get("data_needed"));
        assertEquals(1.0, Json.toDouble(((Map<?, ?>) r.get("settings")).get("eta")));
        assertEquals(10, Models.denoiser(out.resolve("model.safetensors").toString()).labelDim());
    }

    @Test
    void salunAndRetrainBaselinesRunOnFashionMnist() {
        requireData();
        Path salun = dir.resolve("salun");
        assertEquals(0, SfdCli.execute("baseline", "salun", "--teacher", teacher.toString(), "--forget", "0", "--steps", "1", "--batch", "2",
                "--mask-batches", "1", "--grid-per-class", "1", "--out", salun.toString()));
        Map<String, Object> r = Json.readMap(salun.resolve("report.json"));
        assertTrue(String.valueOf(r.get("data_needed")).contains("forgotten-class images"));
        Path retrain = dir.resolve("retrain");
        assertEquals(0, SfdCli.execute("baseline", "retrain", "--teacher", teacher.toString(), "--forget", "0", "--steps", "2", "--batch", "2",
                "--grid-per-class", "1", "--eval", "--quick", "--classifier", classifier.toString(), "--out", retrain.toString()));
        Map<String, Object> rr = Json.readMap(retrain.resolve("report.json"));
        assertTrue(String.valueOf(rr.get("data_needed")).contains("retain set"));
        assertTrue(((Map<?, ?>) rr.get("eval")).containsKey("ua"));
        assertTrue(Files.exists(retrain.resolve("checkpoint.safetensors")));
    }

    @Test
    void relearnRecordsACurveForDenoisersAndGenerators() {
        requireData();
        Path out = dir.resolve("relearn");
        assertEquals(0, SfdCli.execute("relearn", "--model", teacher.toString(), "--classifier", classifier.toString(), "--forget", "2",
                "--steps", "2", "--every", "1", "--batch", "2", "--eval-samples", "2", "--heun-steps", "1", "--out", out.toString()));
        Map<String, Object> r = Json.readMap(out.resolve("relearn.json"));
        assertEquals(3, ((List<?>) r.get("curve")).size());
        assertTrue(Files.exists(out.resolve("relearn.png")));
        assertTrue(Files.exists(out.resolve("attacked.safetensors")));
        assertTrue(!Files.exists(out.resolve("checkpoint.safetensors")), "a finished attack removes its checkpoint");
        assertMessage(1, "nothing to continue", "relearn", "--model", teacher.toString(), "--classifier", classifier.toString(), "--forget", "2",
                "--resume", "--out", out.toString());
        Path g = dir.resolve("relearn-gen");
        assertEquals(0, SfdCli.execute("relearn", "--model", generator.toString(), "--classifier", classifier.toString(), "--forget", "2",
                "--steps", "1", "--every", "1", "--batch", "2", "--eval-samples", "2", "--heun-steps", "1", "--out", g.toString()));
        Map<String, Object> rg = Json.readMap(g.resolve("relearn.json"));
        assertTrue(rg.containsKey("forgotten_rate_one_step_after"));
        assertTrue(((Map<?, ?>) ((List<?>) rg.get("curve")).get(1)).containsKey("forgotten_rate_one_step"));
    }

    @Test
    void dataFreeDimumBaselineMemorisesTeacherSamples() {
        Path out = dir.resolve("dimum");
        assertEquals(0, SfdCli.execute("baseline", "dimum", "--data-free", "--quick", "--teacher", teacher.toString(), "--forget", "3", "--override", "4",
                "--steps", "2", "--batch", "2", "--memorised", "2", "--grid-per-class", "1", "--out", out.toString()));
        Map<String, Object> r = Json.readMap(out.resolve("report.json"));
        assertTrue(String.valueOf(r.get("data_needed")).contains("data-free"), String.valueOf(r.get("data_needed")));
        Map<?, ?> settings = (Map<?, ?>) r.get("settings");
        assertEquals(4, ((Number) settings.get("override")).intValue());
        assertEquals(2, ((Number) settings.get("memorised")).intValue());
        assertTrue(Json.toDouble(settings.get("data_seconds")) > 0 && Json.toDouble(r.get("seconds")) >= Json.toDouble(settings.get("data_seconds")),
                "the teacher sampling counts in the unlearning time");
        assertTrue(Files.exists(out.resolve("dimum-memorised.safetensors")), "teacher samples cached in the run folder");
        assertTrue(!Files.exists(out.resolve("checkpoint.safetensors")), "a finished run removes its checkpoint");
        assertMessage(1, "other than the forgotten class 3", "baseline", "dimum", "--data-free", "--teacher", teacher.toString(), "--forget", "3",
                "--override", "3", "--out", dir.resolve("y7").toString());
    }

    @Test
    void relearnTargetedGeneratedAuxAndDiagnosis() {
        requireData();
        Path t = dir.resolve("targeted");
        assertEquals(0, SfdCli.execute("relearn", "--model", generator.toString(), "--classifier", classifier.toString(), "--forget", "2",
                "--targeted", "3", "--steps", "2", "--every", "1", "--batch", "2", "--eval-samples", "2", "--heun-steps", "1", "--out", t.toString()));
        Map<String, Object> r = Json.readMap(t.resolve("relearn.json"));
        assertEquals(3, ((Number) r.get("aux_images")).intValue());
        assertTrue(String.valueOf(r.get("attack")).startsWith("targeted"));
        assertTrue(r.containsKey("first_step_reaching_0.5") && r.containsKey("first_step_reaching_0.5_one_step"));
        assertMessage(1, "asked for 100000 images of class 2", "relearn", "--model", teacher.toString(), "--classifier", classifier.toString(),
                "--forget", "2", "--targeted", "100000", "--out", dir.resolve("y8").toString());
        assertTrue(!Files.exists(dir.resolve("y8")), "nothing written for rejected input");
    }

    @Test
    void relearnOnGeneratedAuxDataWithDiagnosis() {
        Path g = dir.resolve("gen-self");
        assertEquals(0, SfdCli.execute("relearn", "--model", generator.toString(), "--classifier", classifier.toString(), "--forget", "2",
                "--aux", "generated-self", "--aux-per-class", "1", "--diagnose", "--diagnose-points", "2", "--teacher", teacher.toString(),
                "--steps", "1", "--every", "1", "--batch", "2", "--eval-samples", "2", "--heun-steps", "1", "--out", g.toString()));
        Map<String, Object> r = Json.readMap(g.resolve("relearn.json"));
        assertEquals(9, ((Number) r.get("aux_images")).intValue());
        assertTrue(Files.exists(g.resolve("aux-generated-self.safetensors")));
        Map<?, ?> mc = (Map<?, ?>) r.get("mode_connectivity");
        Map<?, ?> line = (Map<?, ?>) mc.get("model_to_attacked");
        assertEquals(2, ((List<?>) line.get("line")).size());
        assertTrue(Json.toDouble(line.get("l2_distance")) > 0, "the attack moved the weights");
        assertTrue(Json.toDouble(((Map<?, ?>) mc.get("teacher_to_model")).get("l2_distance")) > 0);
        Path gt = dir.resolve("gen-teacher");
        assertEquals(0, SfdCli.execute("relearn", "--model", teacher.toString(), "--classifier", classifier.toString(), "--forget", "2",
                "--aux", "generated-teacher", "--aux-per-class", "1", "--teacher", teacher.toString(),
                "--steps", "1", "--every", "1", "--batch", "2", "--eval-samples", "2", "--heun-steps", "1", "--out", gt.toString()));
        assertTrue(Files.exists(gt.resolve("aux-generated-teacher.safetensors")));
        assertMessage(2, "--steps must be positive, got 0", "relearn", "--model", teacher.toString(), "--classifier", classifier.toString(),
                "--steps", "0", "--out", dir.resolve("y9").toString());
        assertTrue(!Files.exists(dir.resolve("y9")), "nothing written for rejected input");
    }

    @Test
    void relearnAcceptsAnImageFolderWithoutTheForgottenClass() throws Exception {
        Path aux = dir.resolve("aux");
        for (int c : new int[] {1, 2}) {
            for (int i = 0; i < 2; i++) {
                Files.createDirectories(aux.resolve(Integer.toString(c)));
                ImageGrid.writeImage(Tensor.full(DType.FLOAT32, 0.1 * c, 1, 32, 32), aux.resolve(c + "/000" + i + ".png"));
            }
        }
        Path out = dir.resolve("relearn-folder");
        assertEquals(0, SfdCli.execute("relearn", "--model", teacher.toString(), "--classifier", classifier.toString(), "--aux", aux.toString(),
                "--forget", "0", "--steps", "1", "--every", "1", "--batch", "2", "--eval-samples", "2", "--heun-steps", "1", "--out", out.toString()));
        assertEquals(4, ((Number) Json.readMap(out.resolve("relearn.json")).get("aux_images")).intValue());
        // the same folder is refused when it is the forgotten class that it contains
        assertMessage(1, "contains 2 images of the forgotten class 1", "relearn", "--model", teacher.toString(), "--classifier", classifier.toString(),
                "--aux", aux.toString(), "--forget", "1", "--out", dir.resolve("y0").toString());
    }

    @Test
    void badInputFailsWithAClearMessage() {
        assertMessage(1, "unknown baseline method 'ablate' (known: retrain, esd, salun, dimum)", "baseline", "ablate", "--teacher", teacher.toString());
        assertMessage(1, "has no label 10 (label_dim 10", "baseline", "esd", "--teacher", teacher.toString(), "--forget", "10", "--out", dir.resolve("y1").toString());
        assertMessage(1, "auxiliary data '" + dir.resolve("no-such-aux") + "' not found", "relearn", "--model", teacher.toString(),
                "--classifier", classifier.toString(), "--aux", dir.resolve("no-such-aux").toString(), "--out", dir.resolve("y2").toString());
        assertMessage(1, "has no label 12", "relearn", "--model", teacher.toString(), "--classifier", classifier.toString(), "--forget", "12",
                "--out", dir.resolve("y3").toString());
        assertMessage(1, "does not exist", "relearn", "--model", dir.resolve("missing.safetensors").toString(), "--out", dir.resolve("y4").toString());
        assertMessage(1, "unknown method 'salun-robust' in --methods", "table", "--teacher", teacher.toString(), "--classifier", classifier.toString(),
                "--methods", "teacher,salun-robust", "--out", dir.resolve("y5").toString());
        assertMessage(2, "the number of real forgotten-class images must be >= 1, got 0", "table", "--teacher", teacher.toString(),
                "--classifier", classifier.toString(), "--targeted-images", "10,0", "--out", dir.resolve("y10").toString());
        assertMessage(2, "targeted relearning: the step budget must be >= 1, got 0", "table", "--teacher", teacher.toString(),
                "--classifier", classifier.toString(), "--targeted-steps", "0", "--out", dir.resolve("y11").toString());
        assertMessage(1, "has no label 11", "table", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--forget", "11",
                "--out", dir.resolve("y6").toString());
        assertMessage(2, "Missing required parameter", "baseline");
        for (String y : new String[] {"y1", "y3", "y5", "y6", "y10", "y11"}) assertTrue(!Files.exists(dir.resolve(y)), "nothing written for rejected input: " + y);
    }

    /** The suite's asset lookup names a missing shipped asset (simulated: every build here ships them) and loads files. */
    @Test
    void suiteNamesTheMissingShippedAsset() {
        dev.sfd.SfdException e = org.junit.jupiter.api.Assertions.assertThrows(dev.sfd.SfdException.class, () -> Suite.teacher("teacher", name -> !name.equals(Models.TEACHER)));
        assertEquals("the shipped teacher sfd-models/src/main/resources/dev/sfd/models/weights/fmnist-s-teacher.safetensors is not in this build yet;"
                + " pass --teacher PATH (a SongUNet safetensors file)", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(dev.sfd.SfdException.class, () -> Suite.classifier("classifier", name -> !name.equals(Models.CLASSIFIER)));
        assertTrue(e.getMessage().startsWith("the shipped judge classifier sfd-models/src/main/resources/dev/sfd/models/weights/fmnist-classifier.safetensors"
                + " is not in this build yet"), e.getMessage());
        // a file is loaded whatever the build ships; only the missing shipped asset is asked about
        java.util.List<String> asked = new java.util.ArrayList<>();
        assertEquals(SMALL.labelDim(), Suite.teacher(teacher.toString(), name -> { asked.add(name); return false; }).labelDim());
        assertEquals(10, Suite.classifier(classifier.toString(), name -> { asked.add(name); return false; }).numClasses());
        assertTrue(asked.isEmpty(), "asked about " + asked);
    }

    /** Tiny budgets for every row of the quick table (targeted relearning with 1 and 2 images, 3 steps). */
    static String[] quickTableArgs(Path out) {
        return new String[] {"table", "--quick", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--forget", "0", "--override", "1",
            "--retrain-steps", "2", "--retrain-batch", "2", "--esd-steps", "1", "--esd-batch", "1", "--salun-steps", "1", "--salun-batch", "2",
            "--sfd-iterations", "2", "--sfd-batch", "2", "--robust-iterations", "2", "--robust-batch", "2",
            "--dimum-steps", "2", "--dimum-batch", "2", "--dimum-memorised", "2",
            "--attack-steps", "2", "--attack-every", "1", "--attack-batch", "2", "--attack-samples", "2",
            "--targeted-images", "1,2", "--targeted-steps", "3", "--targeted-batch", "2", "--targeted-samples", "2",
            "--eval-forget", "3", "--eval-per-class", "2", "--heun-steps", "2", "--out", out.toString()};
    }

    /** The whole table --quick pipeline with tiny budgets; a second call reuses every cached run, evaluation and attack. */
    @Test
    @Tag("slow")
    void quickTableEndToEndAndCacheReuse() throws Exception {
        requireData();
        Path out = dir.resolve("table");
        String[] args = quickTableArgs(out);
        assertEquals(0, SfdCli.execute(args));
        for (String f : new String[] {"table.md", "table.json", "table.png", "attack.png"}) assertTrue(Files.exists(out.resolve(f)), f);
        Map<String, Object> t = Json.readMap(out.resolve("table.json"));
        assertEquals("QUICK", t.get("mode"));
        List<?> rows = (List<?>) t.get("rows");
        assertEquals(TableCommand.METHODS, rows.stream().map(r -> ((Map<?, ?>) r).get("method")).toList(), "every row, in order");
        Map<?, ?> sfd = (Map<?, ?>) rows.get(4);
        assertEquals("sfd", sfd.get("method"));
        assertEquals(1, ((Number) sfd.get("network_calls_per_image")).intValue());
        assertEquals(3, ((Number) ((Map<?, ?>) rows.get(1)).get("network_calls_per_image")).intValue(), "Heun 2 steps = 3 calls");
        assertEquals(3, ((List<?>) sfd.get("attack_curve")).size());
        Map<?, ?> robust = (Map<?, ?>) rows.get(5);
        assertEquals(1, ((Number) robust.get("network_calls_per_image")).intValue());
        assertEquals(Boolean.TRUE, ((Map<?, ?>) robust.get("settings")).get("tie_forgotten"), "the robust row ties the forgotten label");
        assertEquals(2, ((Number) ((Map<?, ?>) robust.get("settings")).get("iterations")).intValue());
        Map<?, ?> dimum = (Map<?, ?>) rows.get(6), dimumFree = (Map<?, ?>) rows.get(7);
        assertTrue(String.valueOf(dimum.get("data_needed")).contains("override-class images"), String.valueOf(dimum.get("data_needed")));
        assertTrue(String.valueOf(dimumFree.get("data_needed")).contains("data-free"), String.valueOf(dimumFree.get("data_needed")));
        assertEquals(2, ((Number) ((Map<?, ?>) dimum.get("settings")).get("memorised")).intValue());
        for (Object o : rows) {
            Map<?, ?> row = (Map<?, ?>) o;
            assertEquals(3, ((List<?>) row.get("attack_curve")).size(), row.get("method") + ": every row is attacked, the teacher too");
            List<?> targeted = (List<?>) row.get("targeted_relearning");
            assertEquals(2, targeted.size(), row.get("method") + ": one targeted attack per image count");
            Map<?, ?> two = (Map<?, ?>) targeted.get(1);
            assertEquals(2, ((Number) two.get("images")).intValue());
            assertEquals(3, ((Number) two.get("budget_steps")).intValue());
            Object steps = two.get("steps_to_rate");
            assertEquals(steps == null ? ">3" : steps.toString(), String.valueOf(two.get("label")).split(" ")[0], row.get("method") + ": " + two);
            assertEquals(row.get("network_calls_per_image").equals(1), two.containsKey("steps_to_rate_one_step"), "one-step rows report both samplers");
        }
        String md = Files.readString(out.resolve("table.md"));
        assertTrue(md.contains("QUICK MODE"));
        assertTrue(md.contains("| steps to 0.5, 1 images | steps to 0.5, 2 images |"), md);
        assertTrue(md.contains("| sfd-robust |") && md.contains("| dimum |") && md.contains("| dimum-data-free |"), md);
        assertEquals(Map.of("images", List.of(1, 2)).get("images"), ((Map<?, ?>) t.get("targeted_relearning")).get("images"));
        try (var walk = Files.walk(out.resolve("cache"))) {
            List<Path> scratch = walk.filter(p -> p.getFileName().toString().startsWith("samples-") || p.toString().endsWith(".checkpoint.safetensors")).toList();
            assertTrue(scratch.isEmpty(), "finished rows leave no sample batches or attack checkpoints: " + scratch);
        }
        long t0 = System.nanoTime();
        assertEquals(0, SfdCli.execute(args));
        Map<String, Object> again = Json.readMap(out.resolve("table.json"));
        for (Object o : (List<?>) again.get("rows")) {
            Map<?, ?> row = (Map<?, ?>) o;
            if (!row.get("method").equals("teacher")) assertEquals("cached", row.get("time_note"), row.get("method") + " was not reused");
        }
        for (int k = 0; k < rows.size(); k++) {
            // a recomputed attack would have another wall time: equal times mean the cached result was read back
            Map<?, ?> first = (Map<?, ?>) rows.get(k), second = (Map<?, ?>) ((List<?>) again.get("rows")).get(k);
            assertEquals(((Map<?, ?>) ((List<?>) first.get("targeted_relearning")).get(1)).get("seconds"),
                    ((Map<?, ?>) ((List<?>) second.get("targeted_relearning")).get(1)).get("seconds"), first.get("method") + ": targeted result reused");
            assertEquals(first.get("attack_curve"), second.get("attack_curve"), first.get("method") + ": attack reused");
        }
        assertTrue((System.nanoTime() - t0) / 1e9 < 60);
    }

    /**
     * A table killed before DiMUM's run and a targeted attack were marked finished (their run.json and result file
     * missing) redoes exactly those pieces in the same folders and ends as an uninterrupted table does (the
     * checkpoint-level resume of both is tested in DimumTest and TargetedRelearningTest).
     */
    @Test
    @Tag("slow")
    void quickTableRedoesUnfinishedDimumAndTargetedRuns() throws Exception {
        requireData();
        Path whole = dir.resolve("table-whole"), killed = dir.resolve("table-killed");
        String[] only = {"--methods", "dimum", "--no-attack"};
        assertEquals(0, SfdCli.execute(concat(quickTableArgs(whole), only)));
        // simulate the kill: run the same table, then remove what a finished run adds and leave the checkpoints a killed run leaves
        assertEquals(0, SfdCli.execute(concat(quickTableArgs(killed), only)));
        Path dimumFolder;
        try (var l = Files.list(killed.resolve("cache"))) {
            dimumFolder = l.filter(p -> p.getFileName().toString().startsWith("dimum-f0")).findFirst().orElseThrow();
        }
        Path targetedJson;
        try (var l = Files.list(dimumFolder)) {
            targetedJson = l.filter(p -> p.getFileName().toString().startsWith("targeted-2-") && p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        Files.delete(targetedJson);
        Files.delete(dimumFolder.resolve(dev.sfd.io.RunCache.RUN_JSON));
        Files.delete(killed.resolve(dev.sfd.io.RunFolder.MANIFEST_FILE)); // a killed command writes no manifest
        assertEquals(0, SfdCli.execute(concat(quickTableArgs(killed), only)));
        Map<?, ?> a = (Map<?, ?>) ((List<?>) Json.readMap(whole.resolve("table.json")).get("rows")).get(0);
        Map<?, ?> b = (Map<?, ?>) ((List<?>) Json.readMap(killed.resolve("table.json")).get("rows")).get(0);
        assertEquals(a.get("ua"), b.get("ua"));
        assertEquals(a.get("fd_remain"), b.get("fd_remain"));
        assertEquals(((Map<?, ?>) ((List<?>) a.get("targeted_relearning")).get(1)).get("curve").toString().replaceAll("seconds=[0-9.E-]+", ""),
                ((Map<?, ?>) ((List<?>) b.get("targeted_relearning")).get(1)).get("curve").toString().replaceAll("seconds=[0-9.E-]+", ""));
        assertTrue(Files.isRegularFile(targetedJson), "the targeted attack ran again and was cached");
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The full table's SFD row is the demo's recipe: stage 2 from the shipped stage 1 with the CLI's stage-2 settings. */
    @Test
    @Tag("slow")
    void fullTableSfdRowRunsStage2FromTheShippedStage1() throws Exception {
        requireData();
        Assumptions.assumeTrue(Models.shipped(Models.TEACHER) && Models.shipped(Models.CLASSIFIER) && Models.shippedStage1(), "needs the shipped assets");
        Path out = dir.resolve("table-full");
        assertEquals(0, SfdCli.execute("table", "--methods", "sfd", "--sfd-iterations", "1", "--no-attack", "--no-targeted", "--eval-forget", "2",
                "--eval-per-class", "2", "--out", out.toString()));
        Map<?, ?> sfd = (Map<?, ?>) ((List<?>) Json.readMap(out.resolve("table.json")).get("rows")).get(0);
        Map<?, ?> settings = (Map<?, ?>) sfd.get("settings");
        assertTrue(String.valueOf(settings.get("stage1")).startsWith("shipped "), "settings: " + settings);
        assertEquals(1.0, ((Number) settings.get("keep")).doubleValue(), "the CLI's stage-2 output anchor");
        assertEquals(0.3, ((Number) settings.get("lambda_f")).doubleValue(), "the CLI's stage-2 forget weight");
        assertTrue(String.valueOf(sfd.get("time_note")).startsWith("stage 2 only"), String.valueOf(sfd.get("time_note")));
    }

    /** On the shipped teacher the retrain row is the shipped retrain, its time column the training time from the file. */
    @Test
    @Tag("slow")
    void tableUsesTheShippedRetrain() throws Exception {
        requireData();
        Assumptions.assumeTrue(Models.shipped(Models.TEACHER) && Models.shipped(Models.CLASSIFIER) && Models.shippedRetrain(0), "needs the shipped assets");
        Path out = dir.resolve("table-retrain");
        assertEquals(0, SfdCli.execute("table", "--quick", "--methods", "retrain", "--no-attack", "--no-targeted", "--eval-forget", "2", "--eval-per-class", "1",
                "--heun-steps", "2", "--out", out.toString()));
        Map<?, ?> row = (Map<?, ?>) ((List<?>) Json.readMap(out.resolve("table.json")).get("rows")).get(0);
        assertEquals("shipped " + Models.retrainName(0), ((Map<?, ?>) row.get("settings")).get("given_model"));
        assertTrue(String.valueOf(row.get("time_note")).startsWith("shipped retrain: 4.1 h"), String.valueOf(row.get("time_note")));
        assertEquals(4.1 * 3600, ((Number) row.get("unlearning_seconds")).doubleValue(), 1e-6);
    }
}
