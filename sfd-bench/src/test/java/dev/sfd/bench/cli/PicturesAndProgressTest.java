package dev.sfd.bench.cli;

import static dev.sfd.bench.cli.CliFixtures.png;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.eval.Figures;
import dev.sfd.models.attack.RelearnAttack;
import dev.sfd.unlearn.StopRule;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's pictures (loss curves, SFD curves, attack charts, side-by-side grids) and its console output (progress, evaluations, stops). */
class PicturesAndProgressTest {
    @TempDir Path dir;

    /** Runs {@code r} with stderr captured and returns what it printed. */
    static String stderrOf(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
            r.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void movingAverageIsTheMeanOfTheLastWValues() {
        assertEquals(List.of(1.0, 1.5, 2.5, 3.5, 4.5), Plots.movingAverage(List.of(1.0, 2.0, 3.0, 4.0, 5.0), 2));
        assertEquals(List.of(2.0, 3.0, 4.0), Plots.movingAverage(List.of(2.0, 4.0, 6.0), 3));
        assertEquals(List.of(7.0, -1.0), Plots.movingAverage(List.of(7.0, -1.0), 1));
    }

    @Test
    void lossCurveWritesAPngFromTheCsvAndNothingForAnEmptyLog() throws Exception {
        Path csv = dir.resolve("loss.csv");
        Files.writeString(csv, "step,loss\n1,3.0\n2,2.5\nbroken\n3,1.0\n");
        Plots.lossCurve(csv, dir.resolve("loss.png"), "loss");
        BufferedImage img = png(dir.resolve("loss.png"), 800, 480);
        assertTrue(CliFixtures.colours(img) > 2, "a chart, not a blank picture");
        Files.writeString(csv, "step,loss\n");
        Plots.lossCurve(csv, dir.resolve("empty.png"), "loss");
        assertFalse(Files.exists(dir.resolve("empty.png")), "no chart without points");
        Plots.chart(dir.resolve("named"), "t", "x", "y", List.of(1.0, 2.0), Map.of("a", List.of(1.0, 0.0)));
        png(dir.resolve("named.png"), 800, 480);
    }

    @Test
    void progressShowsTheChosenFiguresWithFourDigits() {
        String err = stderrOf(() -> {
            try (Progress p = new Progress("teacher", 10, 2, "loss", "ua")) {
                Map<String, Double> f = new LinkedHashMap<>();
                f.put("other", 9.0);
                f.put("ua", 0.5);
                f.put("loss", 1.234567);
                p.onStep(5, 10, f);
            }
        });
        assertTrue(err.contains("teacher"), err);
        assertTrue(err.contains("5/10"), err);
        assertTrue(err.contains("loss=1.235 ua=0.5000"), "shown in the order asked, 4 significant digits: " + err);
        assertFalse(err.contains("other="), "figures not asked for are not shown: " + err);
        for (String line : err.split("[\r\n]")) assertTrue(line.length() <= 160, "log lines fit 160 columns: " + line.length());
    }

    @Test
    void consoleRunPrintsEvaluationsResumesAndStopsAndDrawsTheCurves() throws Exception {
        ConsoleRun view = new ConsoleRun("0->1");
        Path curves = dir.resolve("curves.png");
        view.writeCurves(curves);
        assertFalse(Files.exists(curves), "no curves before a step");
        String err = stderrOf(() -> {
            view.onStageStart("forget", 3, 8);
            for (int s = 4; s <= 8; s++) view.onStep("forget", s, 8, Map.of("gen_remain", 1.0 / s, "gen_forget", 2.0 / s, "seconds", 0.1));
            view.onEvaluation("forget", 6, Figures.of(0.5, 0.25, 0.75, 12.0));
            view.onEvaluation("forget", 8, Figures.of(1.0, 0.5, 0.8, 11.0));
            view.onDecision(new StopRule.Decision(8, StopRule.Outcome.PLANNED_LENGTH, "planned length reached"));
            view.onDecision(new StopRule.Decision(8, StopRule.Outcome.FORGOTTEN, "plan forgotten at 8"));
        });
        assertTrue(err.contains("resumed forget at step 3"), err);
        assertTrue(err.contains("eval @6: {ua=0.5, as_override=0.25, remain_accuracy=0.75, fd_remain_quick=12.0}"), err);
        assertTrue(err.contains("sfd: plan forgotten at 8"), err);
        assertFalse(err.contains("planned length reached"), "the planned length is not news: " + err);
        view.writeCurves(curves);
        assertTrue(CliFixtures.colours(png(curves, 900, 500)) > 3);
        Map<String, Object> stop = ConsoleRun.stopJson(new StopRule.Decision(40, StopRule.Outcome.PLATEAU, "no gain"));
        assertEquals(List.of("outcome", "step", "reason"), List.copyOf(stop.keySet()));
        assertEquals(List.of("PLATEAU", 40L, "no gain"), List.copyOf(stop.values()));
    }

    @Test
    void sideBySidePlacesThePartsWithGapsUnderABanner() {
        BufferedImage a = new BufferedImage(10, 20, BufferedImage.TYPE_INT_RGB), b = new BufferedImage(30, 5, BufferedImage.TYPE_INT_RGB);
        Path with = dir.resolve("with.png"), without = dir.resolve("without.png");
        Suite.sideBySide(with, List.of(a, b), "banner");
        Suite.sideBySide(without, List.of(a, b), null);
        try {
            BufferedImage w = png(with, 10 + 8 + 30 + 8, 20 + 24), n = png(without, 48 + 8, 20);
            assertEquals(0xffffff, w.getRGB(12, 30) & 0xffffff, "white gap between the parts");
            assertEquals(0x000000, w.getRGB(0, 24) & 0xffffff, "the first part starts under the banner");
            assertEquals(0x000000, n.getRGB(18, 0) & 0xffffff, "the second part starts after an 8-pixel gap");
            assertEquals(0xffffff, n.getRGB(18, 6) & 0xffffff, "white below a shorter part");
            assertEquals(BufferedImage.TYPE_BYTE_GRAY, javax.imageio.ImageIO.read(with.toFile()).getType(), "written as 8-bit grayscale");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void attackCurvesRoundTripThroughJsonAndChart() throws Exception {
        List<RelearnAttack.Point> curve = List.of(new RelearnAttack.Point(0, 0.0, 0.1, Double.NaN, 1.5),
                new RelearnAttack.Point(5, 0.25, 0.5, 180.0, 9.0));
        List<Map<String, Object>> json = Suite.curveJson(curve);
        assertEquals(null, json.get(0).get("loss"), "no loss before the first step: null, not NaN");
        assertEquals(0.5, json.get(1).get("forgotten_rate_one_step"));
        assertEquals(curve.toString(), Suite.curveFromJson(dev.sfd.io.Json.parseMap(dev.sfd.io.Json.write(Map.of("c", json))).get("c")).toString());
        List<RelearnAttack.Point> heunOnly = List.of(new RelearnAttack.Point(0, 0.5, Double.NaN, Double.NaN, 0));
        assertFalse(Suite.curveJson(heunOnly).get(0).containsKey("forgotten_rate_one_step"), "denoisers have no one-step rate");
        Suite.attackChart(dir.resolve("attack.png"), "attack", Map.of("sfd", curve));
        png(dir.resolve("attack.png"), 900, 540);
    }
}
