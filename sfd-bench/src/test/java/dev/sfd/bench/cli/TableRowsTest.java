package dev.sfd.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.io.RunCache;
import dev.sfd.models.Models;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.models.baselines.EsdErasure;
import dev.sfd.unlearn.OneStepGenerator;
import dev.sfd.unlearn.SfdRecipe;
import dev.sfd.unlearn.StopRule;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each row type of the table on a tiny random teacher: where its model comes from, its cache folder, and reuse. */
class TableRowsTest {
    @TempDir
    static Path dir;
    static Path teacherFile;
    static EdmPrecond teacher;

    static final SongUnetConfig SMALL = new SongUnetConfig(32, 1, 1, 10, 0, 8, new int[] {1, 2}, 2, 1, new int[] {16}, 0, 0, 1);

    @BeforeAll
    static void assets() {
        teacherFile = dir.resolve("teacher.safetensors");
        SongUnet.save(SongUnet.create(SMALL, 5), teacherFile, null);
        teacher = Models.denoiser(teacherFile.toString());
    }

    static TableRows.Context ctx(String spec, boolean quick, String cacheName) {
        return new TableRows.Context(teacher, spec, RunCache.weightsHash(teacher), 0, 1, quick, new RunCache(dir.resolve(cacheName)), null, () -> {
            throw new AssertionError("this row must not need the training set");
        });
    }

    @Test
    void teacherRowIsTheTeacherItself() {
        TableRows.Made m = new TableRows.TeacherRow().make(ctx(teacherFile.toString(), true, "c1"));
        assertEquals(teacher, m.model().network());
        assertFalse(m.model().isGenerator());
        assertTrue(m.folder().getFileName().toString().startsWith("teacher-"), m.folder().toString());
        assertTrue(Double.isNaN(m.seconds()));
    }

    @Test
    void retrainRowUsesAGivenModel() throws Exception {
        TableRows.Made m = new TableRows.RetrainRow(teacherFile, true, null).make(ctx(teacherFile.toString(), true, "c2"));
        assertTrue(m.folder().getFileName().toString().startsWith("retrain-given-" ), m.folder().toString());
        assertEquals(RunCache.weightsHash(teacher), RunCache.weightsHash(m.model().network()));
        assertTrue(m.timeNote().contains("given model"), m.timeNote());
    }

    @Test
    void esdRowTrainsOnceThenReusesTheCache() throws Exception {
        TableRows.EsdRow row = new TableRows.EsdRow(new EsdErasure.Settings(1, 2, 1e-4, 1.0, 2, 1.0, 11));
        TableRows.Made first = row.make(ctx(teacherFile.toString(), true, "c3"));
        assertTrue(first.folder().getFileName().toString().startsWith("esd-f0-"), first.folder().toString());
        assertTrue(Files.isRegularFile(first.folder().resolve(RunCache.RUN_JSON)));
        assertFalse(first.timeNote().contains("cached"));
        TableRows.Made again = row.make(ctx(teacherFile.toString(), true, "c3"));
        assertEquals("cached", again.timeNote());
        assertEquals(first.folder(), again.folder());
        assertEquals(RunCache.weightsHash(first.model().network()), RunCache.weightsHash(again.model().network()));
    }

    @Test
    void sfdRowRunsTheRecipeOnceThenReusesTheCache() throws Exception {
        TableRows.SfdRow row = new TableRows.SfdRow(null, 1L, 2);
        SfdRecipe quick = row.recipe(ctx(teacherFile.toString(), true, "c4"));
        assertEquals(SfdRecipe.oneStage().config().iterations(1).batch(2, 2).forgetWeight(1.0), quick.config());
        assertEquals(0, quick.evalEvery());
        assertFalse(quick.stopRule().canExtend(1));
        TableRows.Made first = row.make(ctx(teacherFile.toString(), true, "c4"));
        assertTrue(first.model().isGenerator());
        assertTrue(first.folder().getFileName().toString().startsWith("sfd-0to1-"), first.folder().toString());
        TableRows.Made again = row.make(ctx(teacherFile.toString(), true, "c4"));
        assertEquals("cached", again.timeNote());
        assertEquals(RunCache.weightsHash(first.model().network()), RunCache.weightsHash(again.model().network()));
        // a given generator is used as is
        Path g = dir.resolve("given.safetensors");
        new OneStepGenerator(teacher, 2.5).save(g);
        TableRows.Made given = new TableRows.SfdRow(g, null, null).make(ctx(teacherFile.toString(), true, "c4"));
        assertTrue(given.folder().getFileName().toString().startsWith("sfd-given-"), given.folder().toString());
    }

    /** The full table on the shipped teacher runs the demo's recipe (stage 2 from the shipped stage 1), fixed length. */
    @Test
    void fullTableSfdRowIsTheDemoRecipe() {
        Assumptions.assumeTrue(Models.shippedStage1(), "this build ships no stage 1");
        SfdRecipe r = new TableRows.SfdRow(null, null, null).recipe(ctx("teacher", false, "c5"));
        SfdRecipe demo = SfdRecipe.twoStage(Models.stage1("shipped").networks());
        assertEquals(demo.config(), r.config());
        assertEquals(StopRule.Outcome.PLANNED_LENGTH, r.stopRule().decide(150, 150, null).outcome());
    }
}
