package dev.sfd.models.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.models.Classifier;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.models.data.Dataset;
import dev.sfd.models.data.SyntheticDataset;
import org.junit.jupiter.api.Test;

/** The relearning attack on a tiny random denoiser and generator network; bad input fails clearly. */
class RelearnAttackTest {
    static final SongUnetConfig SMALL = new SongUnetConfig(32, 1, 1, 10, 0, 8, new int[] {1, 2}, 2, 1, new int[] {16}, 0, 0.1, 1);
    static final Dataset DATA = new SyntheticDataset(40, 1);
    static final Classifier JUDGE = new Classifier(1, 4, 10, 6);

    /** The judge's verdict on Heun samples (the attack's seed + 1) of the forgotten label, counted here. */
    static double rateByHand(dev.sfd.diffusion.ScoreNetwork net, Classifier judge, int forget, RelearnAttack.Settings s) {
        int[] labels = new int[s.evalSamples()];
        java.util.Arrays.fill(labels, forget);
        int[] pred = judge.predict(RelearnAttack.sampleHeun(net, labels, s.heunSteps(), s.seed() + 1), 128);
        int hits = 0;
        for (int p : pred) if (p == forget) hits++;
        return hits / (double) pred.length;
    }

    /** JUDGE with the head bias of class {@code cls} set to {@code bias}: +1e4 calls everything cls, -1e4 nothing. */
    static Classifier biasedJudge(int cls, double bias) {
        Classifier c = new Classifier(1, 4, 10, 6);
        dev.sfd.nn.Parameter b = c.namedParameters().get("head.bias");
        double[] v = b.data().toDoubleArray();
        v[cls] = bias;
        b.set(dev.sfd.tensor.Tensor.of(v, v.length).to(b.data().dtype()));
        return c;
    }

    static boolean sameWeights(dev.sfd.diffusion.ScoreNetwork a, dev.sfd.diffusion.ScoreNetwork b) {
        var pa = a.parameters();
        var pb = b.parameters();
        for (int i = 0; i < pa.size(); i++) {
            if (!java.util.Arrays.equals(pa.get(i).data().toFloatArray(), pb.get(i).data().toFloatArray())) return false;
        }
        return true;
    }

    @Test
    void recordsTheForgottenClassRateEveryKSteps() {
        var s = new RelearnAttack.Settings(3, 2, 2, 1e-3, 4, 2, 1);
        Classifier judge = biasedJudge(0, 2.0);  // a judge that calls some of the samples class 0, not all
        var r = new RelearnAttack(SongUnet.create(SMALL, 5), null, DATA.withoutClasses(0), 0, judge, s).run(null);
        assertEquals(3, r.curve().size(), "steps 0, 2 and the last (3)");
        assertEquals(0, r.first().step());
        assertEquals(2, r.curve().get(1).step());
        assertEquals(3, r.last().step());
        // the first point judges the untouched network, the last the attacked one, both recounted here
        assertEquals(rateByHand(SongUnet.create(SMALL, 5), judge, 0, s), r.first().forgottenRate(), 0.0);
        assertEquals(rateByHand(r.attacked(), judge, 0, s), r.last().forgottenRate(), 0.0);
        assertTrue(!sameWeights(SongUnet.create(SMALL, 5), r.attacked()), "the attack trained nothing");
        for (var p : r.curve()) assertTrue(Double.isNaN(p.forgottenRateOneStep()), "a denoiser has no one-step curve");
        assertTrue(Double.isFinite(r.last().loss()) && r.last().loss() > 0, "loss " + r.last().loss());
        // a judge that sees only the forgotten class, and one that never does
        var always = new RelearnAttack(SongUnet.create(SMALL, 5), null, DATA.withoutClasses(0), 0, biasedJudge(0, 1e4), s).run(null);
        var never = new RelearnAttack(SongUnet.create(SMALL, 5), null, DATA.withoutClasses(0), 0, biasedJudge(0, -1e4), s).run(null);
        for (int k = 0; k < 3; k++) {
            assertEquals(1.0, always.curve().get(k).forgottenRate(), 0.0);
            assertEquals(0.0, never.curve().get(k).forgottenRate(), 0.0);
        }
    }

    @Test
    void generatorGetsHeunAndOneStepCurves() {
        var s = new RelearnAttack.Settings(1, 1, 2, 1e-3, 3, 1, 1);
        var r = new RelearnAttack(SongUnet.create(SMALL, 6), 2.5, DATA.withoutClasses(7), 7, biasedJudge(7, 1e4), s).run(null);
        assertEquals(2, r.curve().size());
        assertTrue(r.curve().stream().allMatch(p -> p.forgottenRate() == 1.0 && p.forgottenRateOneStep() == 1.0), r.curve().toString());
        Classifier judge = biasedJudge(7, 2.0);
        var g = new RelearnAttack(SongUnet.create(SMALL, 6), 2.5, DATA.withoutClasses(7), 7, judge, s).run(null);
        // the one-step rate judges one-step samples of the attacked network, with the attack's seed + 1
        int[] labels = {7, 7, 7};
        int[] pred = judge.predict(new dev.sfd.unlearn.OneStepGenerator(g.attacked(), 2.5).sample(labels, s.seed() + 1), 128);
        long hits = java.util.Arrays.stream(pred).filter(p -> p == 7).count();
        assertEquals(hits / 3.0, g.last().forgottenRateOneStep(), 0.0);
        assertEquals(rateByHand(g.attacked(), judge, 7, s), g.last().forgottenRate(), 0.0);
    }

    /** Column {@code c} of map_label.weight [emb, classes]: what label c contributes to the network. */
    static float[] labelColumn(dev.sfd.diffusion.ScoreNetwork net, int c) {
        var w = net.namedParameters().get("model.map_label.weight").data();
        float[] v = w.toFloatArray();
        int rows = w.dim(0), cols = w.dim(1);
        float[] col = new float[rows];
        for (int r = 0; r < rows; r++) col[r] = v[r * cols + c];
        return col;
    }

    /** The targeted attack trains the forgotten label on real images of the class; the plain attack never touches that label. */
    @Test
    void targetedAttackTrainsTheForgottenLabelThePlainOneDoesNot() {
        EdmPrecond net = SongUnet.create(SMALL, 5);
        var s = new RelearnAttack.Settings(2, 2, 2, 1e-3, 2, 1, 1);
        Dataset three = AuxData.firstOfClass(DATA, 3, 3);
        assertEquals(3, three.size());
        for (int i = 0; i < three.size(); i++) assertEquals(3, three.label(i));
        var targeted = RelearnAttack.targeted(net, null, three, 3, JUDGE, s).run(null);
        assertTrue(!java.util.Arrays.equals(labelColumn(net, 3), labelColumn(targeted.attacked(), 3)), "targeted: label 3 trained");
        var plain = new RelearnAttack(net, null, DATA.withoutClasses(3), 3, JUDGE, s).run(null);
        assertTrue(java.util.Arrays.equals(labelColumn(net, 3), labelColumn(plain.attacked(), 3)), "plain: label 3 untouched");

        SfdException e = assertThrows(SfdException.class, () -> RelearnAttack.targeted(net, null, DATA.withClasses(3, 4), 3, JUDGE, s));
        assertTrue(e.getMessage().contains("images outside the forgotten class 3"), e.getMessage());
        e = assertThrows(SfdException.class, () -> AuxData.firstOfClass(DATA, 3, 100));
        assertTrue(e.getMessage().contains("asked for 100 images of class 3") && e.getMessage().contains("has only 4"), e.getMessage());
    }

    @Test
    void firstStepReachingFindsTheFirstEvaluatedStepAtTheRate() {
        var curve = java.util.List.of(new RelearnAttack.Point(0, 0.0, 0.1, Double.NaN, 0), new RelearnAttack.Point(50, 0.3, 0.5, 1, 1),
                new RelearnAttack.Point(100, 0.5, 0.2, 1, 2), new RelearnAttack.Point(150, 0.7, 0.9, 1, 3));
        var r = new RelearnAttack.Result(curve, null, 3);
        assertEquals(100, r.firstStepReaching(0.5).getAsLong());
        assertEquals(0, r.firstStepReaching(0.0).getAsLong());
        assertEquals(50, r.firstStepReachingOneStep(0.5).getAsLong());
        assertTrue(r.firstStepReaching(0.71).isEmpty());
    }

    /** Generated auxiliary data has every label but the forgotten one, is cached, and the cache is read back (not resampled). */
    @Test
    void generatedAuxDataIsCachedAndReused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        EdmPrecond net = SongUnet.create(SMALL, 5);
        java.nio.file.Path cache = dir.resolve("aux.safetensors");
        Dataset self = AuxData.generated(net, 2.5, 4, 2, 1, 7, cache, "the attacked model");
        assertEquals(18, self.size());
        for (int i = 0; i < self.size(); i++) assertTrue(self.label(i) != 4);
        assertEquals(10, self.numClasses());
        float[] first = self.image(0);
        for (float v : first) assertTrue(v >= -1 && v <= 1);
        // the same request reads the file: overwrite it with zeros under the same key and see zeros come back
        var meta = dev.sfd.io.SafeTensors.read(cache).metadata();
        dev.sfd.io.SafeTensors.write(cache, java.util.Map.of("images", dev.sfd.tensor.Tensor.zeros(dev.sfd.tensor.DType.FLOAT32, 18, 1, 32, 32)), meta);
        assertEquals(0f, AuxData.generated(net, 2.5, 4, 2, 1, 7, cache, "the attacked model").image(0)[5]);
        // another seed is another set: resampled, not read
        assertTrue(!java.util.Arrays.equals(new float[1024], AuxData.generated(net, 2.5, 4, 2, 1, 8, cache, "the attacked model").image(0)));
        // a Heun-sampled set from a denoiser (no sigma_init) is accepted by the attack as data without the class
        Dataset heun = AuxData.generated(net, null, 4, 1, 1, 7, null, "the teacher");
        new RelearnAttack(net, null, heun, 4, JUDGE, new RelearnAttack.Settings(1, 1, 2, 1e-3, 2, 1, 1));
    }

    @Test
    void badInputIsRejected() {
        EdmPrecond net = SongUnet.create(SMALL, 5);
        var s = RelearnAttack.Settings.quick();
        SfdException e = assertThrows(SfdException.class, () -> new RelearnAttack(net, null, DATA, 0, JUDGE, s));
        assertTrue(e.getMessage().contains("contains 4 images of the forgotten class 0"), e.getMessage());
        e = assertThrows(SfdException.class, () -> new RelearnAttack(net, null, DATA.withoutClasses(0), 12, JUDGE, s));
        assertTrue(e.getMessage().contains("has no label 12"), e.getMessage());
        e = assertThrows(SfdException.class, () -> new RelearnAttack(net, null, DATA.withClasses(1).subset(new int[0]), 0, JUDGE, s));
        assertTrue(e.getMessage().contains("is empty"), e.getMessage());
        e = assertThrows(SfdException.class, () -> new RelearnAttack.Settings(0, 1, 2, 1e-4, 4, 2, 1));
        assertTrue(e.getMessage().contains("attack steps must be >= 1, got 0"), e.getMessage());
    }

    /** An attack killed after an evaluation point continues from its checkpoint and ends bit-identical to an uninterrupted one. */
    @Test
    void interruptedAttackResumesBitIdentically(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        var s = new RelearnAttack.Settings(5, 2, 2, 1e-3, 3, 2, 4);
        Dataset aux = DATA.withoutClasses(0);
        var whole = new RelearnAttack(SongUnet.create(SMALL, 5), null, aux, 0, JUDGE, s).run(null);

        java.nio.file.Path ckpt = dir.resolve("attack.ckpt.safetensors");
        dev.sfd.unlearn.TrainingListener killAtStep3 = new dev.sfd.unlearn.TrainingListener() {
            @Override
            public void onStep(long step, long total, java.util.Map<String, Double> f) {
                if (step == 3) throw new IllegalStateException("killed");
            }
        };
        assertThrows(IllegalStateException.class, () -> new RelearnAttack(SongUnet.create(SMALL, 5), null, aux, 0, JUDGE, s).run(killAtStep3, ckpt));
        assertTrue(java.nio.file.Files.isRegularFile(ckpt), "checkpoint written at the step-2 evaluation");
        java.util.List<Long> resumedSteps = new java.util.ArrayList<>();
        var resumed = new RelearnAttack(SongUnet.create(SMALL, 5), null, aux, 0, JUDGE, s).run(new dev.sfd.unlearn.TrainingListener() {
            @Override
            public void onStep(long step, long total, java.util.Map<String, Double> f) { resumedSteps.add(step); }
        }, ckpt);
        assertEquals(java.util.List.of(3L, 4L, 5L), resumedSteps, "the resumed run starts after the last evaluation point");
        assertEquals(whole.curve().size(), resumed.curve().size());
        for (int k = 0; k < whole.curve().size(); k++) {
            assertEquals(whole.curve().get(k).step(), resumed.curve().get(k).step());
            assertEquals(whole.curve().get(k).forgottenRate(), resumed.curve().get(k).forgottenRate(), 0.0);
            assertEquals(whole.curve().get(k).loss(), resumed.curve().get(k).loss(), 0.0, "loss at point " + k);
        }
        var a = whole.attacked().stateDict();
        var b = resumed.attacked().stateDict();
        for (String name : a.keySet()) assertTrue(java.util.Arrays.equals(a.get(name).toFloatArray(), b.get(name).toFloatArray()), name);

        // a checkpoint of another model or other settings is refused, not silently continued
        SfdException e = assertThrows(SfdException.class,
                () -> new RelearnAttack(SongUnet.create(SMALL, 6), null, aux, 0, JUDGE, s).run(null, ckpt));
        assertTrue(e.getMessage().contains("different model"), e.getMessage());
        e = assertThrows(SfdException.class, () -> new RelearnAttack(SongUnet.create(SMALL, 5), null, aux, 0, JUDGE,
                new RelearnAttack.Settings(6, 2, 2, 1e-3, 3, 2, 4)).run(null, ckpt));
        assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    }

    /** Heun batches kept in a folder are reused: same result, and a batch found there is read instead of sampled. */
    @Test
    void heunSamplingReusesKeptBatches(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        EdmPrecond net = SongUnet.create(SMALL, 5);
        int[] labels = new int[70];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 10;
        float[] plain = RelearnAttack.sampleHeun(net, labels, 1, 9).toFloatArray();
        java.nio.file.Path chunks = dir.resolve("chunks");
        assertTrue(java.util.Arrays.equals(plain, RelearnAttack.sampleHeun(net, labels, 1, 9, chunks).toFloatArray()));
        java.util.List<java.nio.file.Path> files;
        try (var l = java.nio.file.Files.list(chunks)) { files = l.sorted().toList(); }
        assertEquals(2, files.size(), "batches of 64 and 6");
        java.nio.file.Path small = files.stream().filter(f -> f.getFileName().toString().contains("-n6-")).findFirst().orElseThrow();
        dev.sfd.io.SafeTensors.write(small, java.util.Map.of("x", dev.sfd.tensor.Tensor.zeros(dev.sfd.tensor.DType.FLOAT32, 6, 1, 32, 32)), java.util.Map.of());
        float[] again = RelearnAttack.sampleHeun(net, labels, 1, 9, chunks).toFloatArray();
        assertTrue(java.util.Arrays.equals(java.util.Arrays.copyOf(plain, 64 * 1024), java.util.Arrays.copyOf(again, 64 * 1024)));
        for (int i = 64 * 1024; i < again.length; i++) assertEquals(0f, again[i], "the kept (zeroed) batch was read, not resampled");
    }
}
