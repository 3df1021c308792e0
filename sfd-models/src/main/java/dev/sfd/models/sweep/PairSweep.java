package dev.sfd.models.sweep;

import dev.sfd.ConfigException;
import dev.sfd.FormatException;
import dev.sfd.SfdException;
import dev.sfd.diffusion.Sampler;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.eval.Bar;
import dev.sfd.eval.ClassTable;
import dev.sfd.eval.Figures;
import dev.sfd.eval.JudgeCeiling;
import dev.sfd.io.Json;
import dev.sfd.io.RunCache;
import dev.sfd.models.Evaluator;
import dev.sfd.models.Models;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.ForgetRun;
import dev.sfd.unlearn.OneStepGenerator;
import dev.sfd.unlearn.SfdRecipe;
import dev.sfd.unlearn.StopRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One forgetting run per (forget, override) pair with one recipe and one evaluation budget, each judged against the
 * product's {@link Bar}: does the recipe forget ANY class into ANY override, or only the pairs it was tuned on?
 *
 * <p>The pair set ({@link #pairs}) is fixed and documented: first the {@link #REQUIRED} pairs (the default pair, a near
 * pair and the far pairs the recipe is known to struggle with), then pairs drawn by a seed from the remaining ordered
 * pairs of distinct classes. Every pair runs in its own {@link RunCache} folder keyed by teacher, recipe, pair and
 * budget: a finished pair ({@value #ROW_FILE} and the cache's {@code run.json}) is loaded, never recomputed; an
 * interrupted one resumes from its {@link ForgetRun} checkpoint.
 *
 * <pre>{@code
 * PairSweep sweep = new PairSweep(teacher, SfdRecipe.robust(stage1), evaluator, PairSweep.TeacherReference.shipped(),
 *         PairSweep.Budget.FULL, new RunCache(Path.of("runs/sweep/cache")));
 * for (PairSweep.Pair p : PairSweep.pairs(10, PairSweep.DEFAULT_SEED)) {
 *     PairSweep.Row row = sweep.run(p);                    // cached; row.verdict().met() says whether the bar is met
 * }
 * }</pre>
 */
public final class PairSweep {
    /** The pair file in each pair's folder. */
    public static final String ROW_FILE = "row.json";
    /** The generator file in each pair's folder. */
    public static final String GENERATOR_FILE = "generator.safetensors";
    /** Pairs in a sweep by default. */
    public static final int DEFAULT_PAIRS = 10;
    /** The seed that draws the default pair set. */
    public static final long DEFAULT_SEED = 1;

    /**
     * Pairs every sweep of {@code >= 5} pairs holds, in this order: T-shirt/top -&gt; Trouser (the default pair),
     * Shirt -&gt; T-shirt/top (near), Coat -&gt; Bag and Sandal -&gt; Pullover (far), Sneaker -&gt; Sandal (the pair
     * a new user tried; near, yet it stopped below the bar with the plain recipe).
     */
    public static final List<Pair> REQUIRED = List.of(new Pair(0, 1), new Pair(6, 0), new Pair(4, 8), new Pair(5, 2), new Pair(7, 5));

    /** An ordered pair: forget {@code forget}, draw {@code override} in its place. */
    public record Pair(int forget, int override) {
        public Pair {
            if (forget == override) throw new ConfigException("pair " + forget + "->" + override + ": forget and override classes must differ");
            if (forget < 0 || override < 0) throw new ConfigException("pair " + forget + "->" + override + ": class ids are >= 0");
        }

        /** The forget plan of this pair. */
        public ForgetPlan plan() { return ForgetPlan.classes().forget(forget).overrideWith(override); }

        /** Parses {@code "F->O"}. */
        public static Pair parse(String s) {
            String[] p = s.trim().split("->");
            if (p.length != 2) throw new ConfigException("pair '" + s + "' is not of the form FORGET->OVERRIDE (e.g. 4->8)");
            try {
                return new Pair(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()));
            } catch (NumberFormatException e) {
                throw new ConfigException("pair '" + s + "': class ids are integers");
            }
        }

        /** Throws unless both classes exist among {@code classes}. */
        public void requireClasses(int classes) {
            if (forget >= classes || override >= classes) {
                throw new ConfigException("pair " + this + ": class id out of range [0, " + classes + ")");
            }
        }

        @Override
        public String toString() { return forget + "->" + override; }
    }

    /**
     * The sweep's pair set for {@code classes} classes: the {@link #REQUIRED} pairs that exist among them (the first
     * {@code n} when {@code n} is smaller), then pairs drawn without replacement from the other ordered pairs of distinct
     * classes by {@code seed} ({@link Collections#shuffle(List, Random)} over {@link Random}, both specified
     * algorithms, so the set is the same on every JVM).
     */
    public static List<Pair> pairs(int classes, int n, long seed) {
        if (classes < 2) throw new ConfigException("a sweep needs >= 2 classes, got " + classes);
        int all = classes * (classes - 1);
        if (n < 1 || n > all) throw new ConfigException("--pairs must be in [1, " + all + "] (ordered pairs of " + classes + " classes), got " + n);
        List<Pair> out = new ArrayList<>();
        for (Pair p : REQUIRED) if (p.forget() < classes && p.override() < classes && out.size() < n) out.add(p);
        List<Pair> rest = new ArrayList<>();
        for (int f = 0; f < classes; f++) {
            for (int o = 0; o < classes; o++) {
                if (f != o && !REQUIRED.contains(new Pair(f, o))) rest.add(new Pair(f, o));
            }
        }
        Collections.shuffle(rest, new Random(seed));
        for (int i = 0; out.size() < n; i++) out.add(rest.get(i));
        return List.copyOf(out);
    }

    /** {@link #pairs(int, int, long)} for the ten Fashion-MNIST classes. */
    public static List<Pair> pairs(int n, long seed) { return pairs(10, n, seed); }

    /** Checks an explicit pair list: classes in range, no self-pairs (by construction), no duplicates. */
    public static List<Pair> requireValid(List<Pair> pairs, int classes) {
        if (pairs.isEmpty()) throw new ConfigException("a sweep needs >= 1 pair");
        if (new LinkedHashSet<>(pairs).size() != pairs.size()) throw new ConfigException("pairs " + pairs + " hold a pair twice");
        for (Pair p : pairs) p.requireClasses(classes);
        return List.copyOf(pairs);
    }

    /**
     * The final evaluation of every pair: {@code forgetSamples} one-step samples of the forgotten label (UA, override
     * share) and {@code perClass} per remaining class (accuracy, FD), latents from {@code seed}.
     */
    public record Budget(String name, int forgetSamples, int perClass, long seed) {
        /** Sample counts of {@link #FULL} and {@link #QUICK}. */
        public static final int FULL_FORGET_SAMPLES = 1000, FULL_PER_CLASS = 100, QUICK_FORGET_SAMPLES = 50, QUICK_PER_CLASS = 10;
        /** The product's evaluation: 1,000 forgotten-label samples and 100 per remaining class (what the demo reports). */
        public static final Budget FULL = new Budget("full", FULL_FORGET_SAMPLES, FULL_PER_CLASS, 9_000);
        /** A smoke test: 50 forgotten-label samples, 10 per remaining class. */
        public static final Budget QUICK = new Budget("quick", QUICK_FORGET_SAMPLES, QUICK_PER_CLASS, 9_000);

        public Budget {
            ConfigException.requirePositive("evaluation samples of the forgotten label", forgetSamples);
            ConfigException.requirePositive("evaluation samples per remaining class", perClass);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("budget", name);
            m.put("forget_samples", forgetSamples);
            m.put("remain_per_class", perClass);
            m.put("eval_seed", seed);
            return m;
        }
    }

    /**
     * The teacher's per-class table over ALL classes (accuracy, FD, confusion rows) and the images per class it was
     * computed from: the figures of any pair follow from it ({@link Figures#ofTable}), and the generator's FD is
     * compared at {@code perClass} images per class.
     */
    public record TeacherReference(ClassTable table, int perClass, String source) {
        public TeacherReference {
            if (table == null) throw new SfdException("TeacherReference: table is null");
            ConfigException.requirePositive("teacher reference images per class", perClass);
        }

        /** The shipped teacher's stored evaluation ({@link Models#teacherEvaluation()}), or null when this build has none. */
        public static TeacherReference shipped() {
            Map<String, Object> stored = Models.teacherEvaluation();
            if (stored == null) return null;
            ClassTable t = ClassTable.fromJson(stored, "stored evaluation of the shipped teacher");
            int perClass = (int) Math.round(Json.toDouble(stored.get("images")) / t.rows().size());
            return new TeacherReference(t, perClass, "stored evaluation of the shipped teacher: " + stored.get("protocol"));
        }

        /**
         * The stored evaluation where it describes the comparison at hand, else null (then sample the teacher with
         * {@link #sample}): it was made by the shipped judge on the shipped teacher's Heun-18 samples, so it applies only
         * when the teacher is the shipped one and the judge is the shipped classifier.
         */
        public static TeacherReference storedFor(boolean shippedTeacher, boolean shippedJudge) {
            return shippedTeacher && shippedJudge ? shipped() : null;
        }

        /** Fresh Heun samples of the teacher, {@code perClass} per class, judged by {@code evaluator}. */
        public static TeacherReference sample(ScoreNetwork teacher, Evaluator evaluator, int perClass, int heunSteps, long seed) {
            Sampler heun = Sampler.heun(heunSteps);
            Tensor images = Evaluator.sampleDiffusion(teacher, teacher.imageShape(), teacher.labelDim(), perClass, heun, seed);
            return new TeacherReference(evaluator.table(images, Evaluator.classLabels(teacher.labelDim(), perClass)), perClass,
                    "fresh: " + perClass + " Heun-" + heunSteps + " samples per class, seed " + seed);
        }

        /** The teacher's figures for {@code pair}. */
        public Figures figures(Pair pair) {
            return Figures.ofTable(table, pair.plan(), new Figures.Sampling("teacher", 0, perClass, perClass, source));
        }
    }

    /**
     * One pair's result. {@code generator} are the final figures of the forgetting run's generator on the sweep's
     * budget ({@code evalPerClass} images per remaining class); {@code fdAtTeacherCount} its remaining-class FD at
     * the teacher reference's count ({@code teacherPerClass}), which is what the FD ratio compares; {@code seconds}
     * the wall time of training and evaluation in the process that finished the pair ({@code resumed}: a process
     * before it had trained part of the run); {@code cached}: loaded from the cache by this call; {@code ceiling} the
     * judges' own ceiling on real images of the override class ({@link Evaluator#judgeCeiling}; null when unknown).
     */
    public record Row(Pair pair, Figures generator, int evalPerClass, double fdAtTeacherCount, Figures teacher, int teacherPerClass,
                      long iterations, long generatorStep, String stopOutcome, String stopReason, double seconds, boolean resumed, boolean cached,
                      JudgeCeiling ceiling) {
        /** A row without a judge ceiling. */
        public Row(Pair pair, Figures generator, int evalPerClass, double fdAtTeacherCount, Figures teacher, int teacherPerClass,
                   long iterations, long generatorStep, String stopOutcome, String stopReason, double seconds, boolean resumed, boolean cached) {
            this(pair, generator, evalPerClass, fdAtTeacherCount, teacher, teacherPerClass, iterations, generatorStep, stopOutcome, stopReason,
                    seconds, resumed, cached, null);
        }

        /** Remaining-class accuracy / the teacher's. */
        public double accuracyRatio() { return generator.remainAccuracy() / teacher.remainAccuracy(); }

        /** Remaining-class FD / the teacher's, both at {@code teacherPerClass} images per class. */
        public double fdRatio() { return fdAtTeacherCount / teacher.fdRemain(); }

        /**
         * The teacher's own accuracy on the override class (NaN when its per-class table is not kept): a generator as
         * good as the teacher draws the forgotten label as the override about this often, so an override class the
         * classifier recognises in fewer than {@value Bar#OVERRIDE} of the teacher's images makes the override bar
         * harder than matching the teacher.
         */
        public double teacherOverrideClassAccuracy() {
            return teacher.remain() != null && pair.override() < teacher.remain().rows().size()
                    ? teacher.remain().rows().get(pair.override()).accuracy() : Double.NaN;
        }

        /**
         * The judges' ceiling on the teacher's own samples: the share of the teacher's images of the override class that
         * the first judge does NOT read as the forgotten class (NaN when the teacher's per-class table is not kept). A
         * generator that draws the override as the teacher does reaches about this UA.
         */
        public double teacherOverrideNotForgotten() {
            if (teacher.remain() == null || pair.override() >= teacher.remain().rows().size()) return Double.NaN;
            int[] row = teacher.remain().rows().get(pair.override()).predicted();
            double n = 0;
            for (int k : row) n += k;
            return n == 0 || pair.forget() >= row.length ? Double.NaN : 1 - row[pair.forget()] / n;
        }

        /** The figures the bar is judged on (with the judge ceiling when known). */
        public Bar.Inputs barInputs() {
            return Bar.Inputs.of(generator, fdAtTeacherCount, teacher, ceiling);
        }

        /** The verdict of the product's bar ({@link Bar#PRODUCT}). */
        public Bar.Verdict verdict() { return Bar.PRODUCT.check(barInputs()); }

        /** The relative criterion {@link Bar#atJudgeCeiling} (false when the ceiling is unknown); never part of {@link #verdict()}. */
        public boolean atJudgeCeiling() { return Bar.PRODUCT.atJudgeCeiling(barInputs()); }

        /** The same row marked as loaded from the cache. */
        Row asCached() {
            return new Row(pair, generator, evalPerClass, fdAtTeacherCount, teacher, teacherPerClass, iterations, generatorStep, stopOutcome,
                    stopReason, seconds, resumed, true, ceiling);
        }

        /** The same row with other generator figures and ceiling (a re-judged cached row). */
        Row with(Figures newGenerator, JudgeCeiling newCeiling) {
            return new Row(pair, newGenerator, evalPerClass, fdAtTeacherCount, teacher, teacherPerClass, iterations, generatorStep, stopOutcome,
                    stopReason, seconds, resumed, cached, newCeiling);
        }

        /** JSON form (what {@value #ROW_FILE} and {@code sweep.json} hold); {@link #fromJson} reads it back. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("forget", pair.forget());
            m.put("override", pair.override());
            m.put("ua", generator.ua());
            m.put("as_override", generator.overrideShare());
            m.put("remain_accuracy", generator.remainAccuracy());
            m.put("teacher_remain_accuracy", teacher.remainAccuracy());
            m.put("remain_accuracy_ratio", accuracyRatio());
            m.put("fd_remain", generator.fdRemain());
            m.put("eval_per_class", evalPerClass);
            m.put("fd_remain_at_teacher_count", fdAtTeacherCount);
            m.put("teacher_fd_remain", teacher.fdRemain());
            m.put("teacher_per_class", teacherPerClass);
            m.put("fd_remain_ratio", fdRatio());
            m.put("teacher_override_class_accuracy", teacherOverrideClassAccuracy());
            if (generator.second() != null) {
                m.put("second_ua", generator.second().ua());
                m.put("second_as_override", generator.second().overrideShare());
            }
            m.put("teacher_override_not_forgotten", teacherOverrideNotForgotten());
            if (ceiling != null) {
                m.put("judge_ceiling", ceiling.toJson());
                m.put("ua_at_judge_ceiling", atJudgeCeiling());
            }
            m.put("iterations", iterations);
            m.put("generator_step", generatorStep);
            m.put("stop", stopOutcome);
            m.put("stop_reason", stopReason);
            m.put("seconds", seconds);
            m.put("resumed", resumed);
            m.putAll(verdict().toJson());
            m.put("generator", generator.toJson());
            m.put("teacher", teacher.toJson());
            return m;
        }

        /** Reads {@link #toJson()}; {@code source} names the input in error messages. */
        @SuppressWarnings("unchecked")
        public static Row fromJson(Map<String, Object> j, String source) {
            if (!(j.get("generator") instanceof Map<?, ?> g) || !(j.get("teacher") instanceof Map<?, ?> t)) {
                throw new FormatException("sweep row (" + source + ") lacks generator or teacher figures");
            }
            return new Row(new Pair(num(j, "forget", source).intValue(), num(j, "override", source).intValue()),
                    Figures.fromJson((Map<String, Object>) g, source), num(j, "eval_per_class", source).intValue(),
                    Json.toDouble(j.get("fd_remain_at_teacher_count")), Figures.fromJson((Map<String, Object>) t, source),
                    num(j, "teacher_per_class", source).intValue(), num(j, "iterations", source).longValue(),
                    num(j, "generator_step", source).longValue(), String.valueOf(j.get("stop")), String.valueOf(j.get("stop_reason")),
                    Json.toDouble(j.get("seconds")), Boolean.TRUE.equals(j.get("resumed")), false,
                    j.get("judge_ceiling") instanceof Map<?, ?> c ? JudgeCeiling.fromJson((Map<String, Object>) c, source) : null);
        }

        private static Number num(Map<String, Object> j, String key, String source) {
            Object v = j.get(key);
            if (!(v instanceof Number n)) throw new FormatException("sweep row (" + source + "): " + key + " is missing or not a number");
            return n;
        }
    }

    /** Progress of a sweep: a pair starts (with its folder), and a pair's forgetting run is about to run (to attach a view). */
    public interface Listener {
        default void onPairStart(Pair pair, Path folder, boolean cached) {}

        default ForgetRun attach(Pair pair, ForgetRun run) { return run; }

        default void onPairEnd(Row row) {}
    }

    private final ScoreNetwork teacher;
    private final SfdRecipe recipe;
    private final Evaluator evaluator;
    private final TeacherReference reference;
    private final Budget budget;
    private final RunCache cache;
    private final String teacherHash;
    private final Map<String, Object> recipeKey;

    /**
     * A sweep of {@code recipe} (its stage 1, configuration, stop rule and quick evaluations) on {@code teacher},
     * judged by {@code evaluator} against {@code reference}, evaluated on {@code budget}, cached under {@code cache}.
     */
    public PairSweep(ScoreNetwork teacher, SfdRecipe recipe, Evaluator evaluator, TeacherReference reference, Budget budget, RunCache cache) {
        if (teacher == null || recipe == null || evaluator == null || reference == null || budget == null || cache == null) {
            throw new SfdException("PairSweep: teacher, recipe, evaluator, teacher reference, budget and cache are required");
        }
        if (reference.table().rows().size() != teacher.labelDim()) {
            throw new SfdException("PairSweep: the teacher reference has " + reference.table().rows().size() + " classes, the teacher "
                    + teacher.labelDim());
        }
        recipe.validate();
        this.teacher = teacher;
        this.recipe = recipe;
        this.evaluator = evaluator;
        this.reference = reference;
        this.budget = budget;
        this.cache = cache;
        this.teacherHash = RunCache.weightsHash(teacher);
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("recipe", recipe.name());
        key.putAll(recipe.config().toMap());
        key.put("stage1", recipe.stage1() == null ? "none" : RunCache.weightsHash(recipe.stage1().generator().network())
                + "/" + RunCache.weightsHash(recipe.stage1().fake()));
        key.put("stage1_iterations", recipe.stage1Iterations());
        key.put("eval_every", recipe.evalEvery());
        key.put("quick_per_class", recipe.quickPerClass());
        key.put("max_iterations", recipe.stopRule().maxIterations(recipe.config().iterations()));
        key.putAll(budget.toMap());
        key.put("teacher_reference", reference.source());
        this.recipeKey = Map.copyOf(key);
    }

    /** What every pair's cache key holds besides the pair: recipe, stage 1, stop rule, budget and teacher reference. */
    public Map<String, Object> settings() { return new LinkedHashMap<>(recipeKey); }

    /** The folder of {@code pair}'s run under the cache. */
    public Path folder(Pair pair) {
        Map<String, Object> s = new java.util.TreeMap<>(recipeKey);
        s.put("pair", pair.toString());
        return cache.folder("pair-" + pair.forget() + "to" + pair.override(), teacherHash, s);
    }

    /** Whether {@code pair} is finished in the cache (it would be loaded, not run). */
    public boolean finished(Pair pair) { return RunCache.finished(folder(pair), ROW_FILE); }

    /** Runs (or loads) every pair in order. */
    public List<Row> run(List<Pair> pairs, Listener listener) throws IOException {
        requireValid(pairs, teacher.labelDim());
        List<Row> rows = new ArrayList<>();
        for (Pair p : pairs) rows.add(run(p, listener));
        return rows;
    }

    /** Runs (or loads) one pair. */
    public Row run(Pair pair) throws IOException { return run(pair, new Listener() {}); }

    /** Runs (or loads) one pair, reporting to {@code listener}. */
    public Row run(Pair pair, Listener listener) throws IOException {
        pair.requireClasses(teacher.labelDim());
        Path folder = folder(pair);
        boolean cached = finished(pair);
        listener.onPairStart(pair, folder, cached);
        RunCache.Entry<Row> e = cache.get(folder, ROW_FILE, f -> Row.fromJson(Json.readMap(f.resolve(ROW_FILE)), f.resolve(ROW_FILE).toString()),
                f -> compute(pair, f, listener));
        Row row = e.cached() ? completed(e.value().asCached(), folder) : e.value();
        listener.onPairEnd(row);
        return row;
    }

    /**
     * A cached row brought up to this sweep's evaluator: a row made before the second judge existed is re-judged from
     * its cached generator (the second judge reads the same {@link Budget} samples; the first judge's figures, times and
     * iterations stay as cached; no training), and a missing judge ceiling is measured, as is one stored before the
     * ceiling kept its pairs ({@link JudgeCeiling#pairs()} empty). The row file is rewritten when anything was added.
     */
    private Row completed(Row row, Path folder) throws IOException {
        Figures gen = row.generator();
        boolean changed = false;
        Path generatorFile = folder.resolve(GENERATOR_FILE);
        if (gen.second() == null && evaluator.secondJudge() != null && Files.isRegularFile(generatorFile)) {
            OneStepGenerator g = Models.generator(generatorFile);
            Figures fresh = evaluator.figures(g, row.pair().plan(), budget.forgetSamples(), budget.perClass(), budget.seed());
            gen = gen.withSecondJudge(fresh.second());
            changed = true;
        }
        JudgeCeiling c = row.ceiling();
        boolean current = c != null && !c.pairs().isEmpty() && (c.hasSecond() || evaluator.secondJudge() == null);
        JudgeCeiling ceiling = current ? c : evaluator.judgeCeiling(row.pair().plan());
        if (ceiling != row.ceiling()) changed = true;
        if (!changed) return row;
        Row out = row.with(gen, ceiling);
        Json.write(folder.resolve(ROW_FILE), out.toJson());
        return out;
    }

    private RunCache.Computed<Row> compute(Pair pair, Path folder, Listener listener) {
        long t0 = System.nanoTime();
        ForgetPlan plan = pair.plan();
        boolean resumed = Files.isRegularFile(folder.resolve(ForgetRun.CHECKPOINT));
        ForgetRun run = new ForgetRun(teacher, plan, recipe, folder).judge(evaluator.quickJudge(recipe.quickPerClass())).resume(resumed);
        ForgetRun.Result r = listener.attach(pair, run).run();
        OneStepGenerator g = r.generator();
        g.save(folder.resolve(GENERATOR_FILE), Map.of("sfd.plan", plan.toString(), "sfd.generator_step", Long.toString(r.generatorStep())));
        Figures gen = evaluator.figures(g, plan, budget.forgetSamples(), budget.perClass(), budget.seed());
        // FD grows as samples shrink: compare with the teacher at the reference's count
        double fdMatched = evaluator.fdRemainAt(g, plan, gen, reference.perClass(), budget.seed());
        double seconds = (System.nanoTime() - t0) / 1e9;
        Row row = new Row(pair, gen, budget.perClass(), fdMatched, reference.figures(pair), reference.perClass(), r.iterations(),
                r.generatorStep(), r.stop().outcome().name(), r.stop().reason(), seconds, resumed, false, evaluator.judgeCeiling(plan));
        Json.write(folder.resolve(ROW_FILE), row.toJson());
        return new RunCache.Computed<>(row, seconds, settings());
    }

    /** A recipe scaled down for a smoke test: 4 planned iterations of 4 + 4 images, quick evaluations of 4 per class every 2, at most 8. */
    public static SfdRecipe quick(SfdRecipe r) {
        return r.config(r.config().iterations(4).batch(4, 4).checkpointEvery(2)).evalEvery(2).quickPerClass(4).stopRule(StopRule.forgotten(8));
    }

    /** Rows that miss the bar. */
    public static List<Row> belowBar(List<Row> rows) { return rows.stream().filter(r -> !r.verdict().met()).toList(); }
}
