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
        assertMessage(1, "unknown method 'dimum' in --methods", "table", "--teacher", teacher.toString(), "--classifier", classifier.toString(),
                "--methods", "teacher,dimum", "--out", dir.resolve("y5").toString());
        assertMessage(1, "has no label 11", "table", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--forget", "11",
                "--out", dir.resolve("y6").toString());
        assertMessage(2, "Missing required parameter", "baseline");
        assertTrue(!Files.exists(dir.resolve("y1")) && !Files.exists(dir.resolve("y3")) && !Files.exists(dir.resolve("y6")), "nothing written for rejected input");
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

    /** The whole table --quick pipeline with tiny budgets; a second call reuses every cached run. */
    @Test
    @Tag("slow")
    void quickTableEndToEndAndCacheReuse() throws Exception {
        requireData();
        Path out = dir.resolve("table");
        String[] args = {"table", "--quick", "--teacher", teacher.toString(), "--classifier", classifier.toString(), "--forget", "0", "--override", "1",
            "--retrain-steps", "2", "--retrain-batch", "2", "--esd-steps", "1", "--esd-batch", "1", "--salun-steps", "1", "--salun-batch", "2",
            "--sfd-iterations", "2", "--sfd-batch", "2", "--attack-steps", "2", "--attack-every", "1", "--attack-batch", "2", "--attack-samples", "2",
            "--eval-forget", "3", "--eval-per-class", "2", "--heun-steps", "2", "--out", out.toString()};
        assertEquals(0, SfdCli.execute(args));
        for (String f : new String[] {"table.md", "table.json", "table.png", "attack.png"}) assertTrue(Files.exists(out.resolve(f)), f);
        Map<String, Object> t = Json.readMap(out.resolve("table.json"));
        assertEquals("QUICK", t.get("mode"));
        List<?> rows = (List<?>) t.get("rows");
        assertEquals(5, rows.size());
        Map<?, ?> sfd = (Map<?, ?>) rows.get(4);
        assertEquals("sfd", sfd.get("method"));
        assertEquals(1, ((Number) sfd.get("network_calls_per_image")).intValue());
        assertEquals(3, ((Number) ((Map<?, ?>) rows.get(1)).get("network_calls_per_image")).intValue(), "Heun 2 steps = 3 calls");
        assertEquals(3, ((List<?>) sfd.get("attack_curve")).size());
        assertTrue(Files.readString(out.resolve("table.md")).contains("QUICK MODE"));
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
        assertTrue((System.nanoTime() - t0) / 1e9 < 60);
    }

    /** The full table's SFD row is the demo's recipe: stage 2 from the shipped stage 1 with the CLI's stage-2 settings. */
    @Test
    @Tag("slow")
    void fullTableSfdRowRunsStage2FromTheShippedStage1() throws Exception {
        requireData();
        Assumptions.assumeTrue(Models.shipped(Models.TEACHER) && Models.shipped(Models.CLASSIFIER) && Models.shippedStage1(), "needs the shipped assets");
        Path out = dir.resolve("table-full");
        assertEquals(0, SfdCli.execute("table", "--methods", "sfd", "--sfd-iterations", "1", "--no-attack", "--eval-forget", "2",
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
        assertEquals(0, SfdCli.execute("table", "--quick", "--methods", "retrain", "--no-attack", "--eval-forget", "2", "--eval-per-class", "1",
                "--heun-steps", "2", "--out", out.toString()));
        Map<?, ?> row = (Map<?, ?>) ((List<?>) Json.readMap(out.resolve("table.json")).get("rows")).get(0);
        assertEquals("shipped " + Models.retrainName(0), ((Map<?, ?>) row.get("settings")).get("given_model"));
        assertTrue(String.valueOf(row.get("time_note")).startsWith("shipped retrain: 4.1 h"), String.valueOf(row.get("time_note")));
        assertEquals(4.1 * 3600, ((Number) row.get("unlearning_seconds")).doubleValue(), 1e-6);
    }
}
