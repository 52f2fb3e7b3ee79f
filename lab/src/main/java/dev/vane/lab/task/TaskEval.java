package dev.vane.lab.task;

import dev.vane.steering.task.TaskEmbeddingWeights;

import ai.djl.ndarray.NDManager;
import dev.vane.lab.data.IclTasks.Example;
import dev.vane.lab.eval.IclPrompt;
import dev.vane.lab.eval.SeedInterval;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.Sequence;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.lab.harvest.HarvestProgress;
import dev.vane.steering.plan.ArtifactResolver;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.ModelShape;
import dev.vane.steering.plan.PlanException;
import dev.vane.steering.plan.SteeringPlan;
import dev.vane.lab.task.TaskFile.Split;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code eval task-embedding}: the comparison of arXiv 2507.20906 (Table 1) on Vane's task files —
 * per task, greedy exact match of the first line on the test split for the zero-shot prompt, the
 * zero-shot prompt with the task embedding injected, and the N-shot ICL prompt, with each arm's
 * prompt tokens and time per query. The ICL prompt's demonstrations are drawn from the train split
 * for each query anew, once per ICL seed ({@link IclPrompt#sampledShots}); its accuracy is the mean
 * over seeds with a 95% interval over seeds ({@link SeedInterval}). The task embedding is
 * calibrated in memory from the task's train and valid splits ({@link TaskCalibration}), with the
 * same flags as {@code calibrate task-embedding}; seeds are fixed, so one command per task
 * reproduces its row.
 */
public final class TaskEval {

    private TaskEval() {}

    /** One arm's score on one task. */
    public record Arm(double accuracy, double promptTokens, double millisPerQuery) {}

    /**
     * One task's row.
     *
     * @param fewShot       the ICL arm over all seeds (accuracy: the mean over seeds)
     * @param fewShotBySeed the ICL accuracy of each seed
     */
    public record Row(String task, int queries, Arm zeroShot, Arm injected, Arm fewShot, double[] fewShotBySeed,
                      double calibrationSeconds, HeadSelection.Result selection) {
        public SeedInterval fewShotInterval() { return SeedInterval.of(fewShotBySeed); }
    }

    /** Calibrates and scores every task file (progress on {@code err}) and prints the table on {@code out}. */
    public static void run(Path modelDir, List<Path> files, TaskCalibration.Settings s, int perTask, int iclSeeds, PrintStream out,
                           PrintStream err) {
        out.print(table(evaluate(modelDir, files, s, perTask, iclSeeds, err), s, perTask, iclSeeds));
    }

    /** Calibrates and scores every task file; the ICL arm with demonstrations drawn per query under seeds {@code 0 .. iclSeeds − 1}. */
    public static List<Row> evaluate(Path modelDir, List<Path> files, TaskCalibration.Settings s, int perTask, int iclSeeds,
                                     PrintStream err) {
        if (iclSeeds < 1) throw new IllegalArgumentException("--icl-seeds: must be >= 1, got " + iclSeeds);
        List<Row> rows = new ArrayList<>();
        try (TensorDecoder model = ModelLoader.loadTensor(modelDir, ComputeDType.F32, 0);
             Tokenizer tok = Tokenizer.load(modelDir);
             Generator gen = new Generator(model, tok, 8, model.maxPositions());
             NDManager manager = NDManager.newBaseManager()) {
            for (Path f : files) {
                TaskFile task = TaskFile.read(f);
                List<Example> test = task.require(Split.TEST, 1, "evaluation");
                List<Example> queries = test.subList(0, Math.min(perTask, test.size()));
                err.println(task.name() + ":");
                long t0 = System.nanoTime();
                TaskCalibration.Encoded enc = TaskCalibration.encode(tok, task, s, model.maxPositions());
                TaskCalibration.Outcome outcome = TaskCalibration.run(model, enc, s, HarvestProgress.NONE,
                        validationLines(err));
                double calibration = (System.nanoTime() - t0) / 1e9;
                SteeringPlan plan = plan(task.name(), outcome.weights(), model);
                List<Example> train = task.examples(Split.TRAIN);
                Arm zero = arm(gen, tok, queries, q -> "", () -> RowHooks.NONE);
                Arm injected = arm(gen, tok, queries, q -> "", () -> plan.bind());
                double[] bySeed = new double[iclSeeds];
                double tokens = 0, ms = 0;
                for (int seed = 0; seed < iclSeeds; seed++) {
                    long sd = seed;
                    Arm a = arm(gen, tok, queries, q -> IclPrompt.demonstrations(IclPrompt.sampledShots(train, s.shots(), sd, q)),
                            () -> RowHooks.NONE);
                    bySeed[seed] = a.accuracy();
                    tokens += a.promptTokens() / iclSeeds;
                    ms += a.millisPerQuery() / iclSeeds;
                }
                Arm few = new Arm(SeedInterval.of(bySeed).mean(), tokens, ms);
                rows.add(new Row(task.name(), queries.size(), zero, injected, few, bySeed, calibration, outcome.selection()));
            }
        }
        return rows;
    }

    private static HeadSelection.Listener validationLines(PrintStream err) {
        return (step, steps, train, valid) -> {
            if (!Double.isNaN(valid)) err.printf(Locale.ROOT, "  step %d/%d: held-out loss %.4f%n", step, steps, valid);
        };
    }

    private static SteeringPlan plan(String name, TaskEmbeddingWeights w, CausalLM model) {
        ArtifactResolver.TaskEmbedding view = w.view(name);
        ArtifactResolver inMemory = new ArtifactResolver() {
            @Override public SteeringVectors vectors(String n) { throw new PlanException("artifact", "no vectors here"); }
            @Override public ControllerModel controller(String n) { throw new PlanException("artifact", "no controller here"); }
            @Override public ProbeSteering gact(String n) { throw new PlanException("artifact", "no G-ACT here"); }
            @Override public TaskEmbedding taskEmbedding(String n) { return view; }
        };
        return SteeringPlan.resolve(List.of(new SteeringPlan.Entry(new InterventionSpec.Task(name), "eval", "task")),
                inMemory, ModelShape.of(model.config()));
    }

    /** Greedy, 8 new tokens, batches of the generator's slots, query i prompted with {@code prefix(i)} first; time is wall time over the arm. */
    private static Arm arm(Generator gen, Tokenizer tok, List<Example> queries, java.util.function.IntFunction<String> prefix,
                           Supplier<RowHooks> hooks) {
        int ok = 0;
        long tokens = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < queries.size(); i += gen.slots()) {
            List<Example> part = queries.subList(i, Math.min(queries.size(), i + gen.slots()));
            List<Sequence> batch = new ArrayList<>();
            for (int k = 0; k < part.size(); k++) {
                int[] ids = tok.encode(prefix.apply(i + k) + IclPrompt.query(part.get(k).input()), true);
                tokens += ids.length;
                batch.add(gen.newSequence(ids, SamplingParams.greedy(8), TokenListener.NONE, hooks.get()));
            }
            gen.run(batch);
            for (int k = 0; k < part.size(); k++)
                if (IclPrompt.firstLineMatches(batch.get(k).result().text(), part.get(k).output())) ok++;
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        int n = queries.size();
        return new Arm((double) ok / n, (double) tokens / n, ms / n);
    }

    /** The Markdown table, one row per task and the mean. */
    static String table(List<Row> rows, TaskCalibration.Settings s, int perTask, int iclSeeds) {
        StringBuilder b = new StringBuilder();
        int n = s.shots();
        b.append(String.format(Locale.ROOT, "| task | test queries | 0-shot | 0-shot + injection | %d-shot ICL, mean over seeds (95%%) "
                + "| prompt tokens 0-shot / %d-shot | ms per query 0-shot / injection / %d-shot "
                + "| held-out loss none → best (step) | calibration s |%n", n, n, n));
        b.append("|---|---|---|---|---|---|---|---|---|\n");
        double z = 0, inj = 0;
        double[] fewBySeed = new double[iclSeeds]; // per seed, the mean over tasks
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %.0f%% | %.0f%% | %s | %.1f / %.1f | %.1f / %.1f / %.1f "
                            + "| %.3f → %.3f (%d) | %.0f |%n",
                    r.task(), r.queries(), 100 * r.zeroShot().accuracy(), 100 * r.injected().accuracy(),
                    r.fewShotInterval().percent(), r.zeroShot().promptTokens(), r.fewShot().promptTokens(),
                    r.zeroShot().millisPerQuery(), r.injected().millisPerQuery(), r.fewShot().millisPerQuery(),
                    r.selection().noInjectionLoss(), r.selection().bestLoss(), r.selection().bestStep(),
                    r.calibrationSeconds()));
            z += r.zeroShot().accuracy();
            inj += r.injected().accuracy();
            for (int k = 0; k < iclSeeds; k++) fewBySeed[k] += r.fewShotBySeed()[k] / rows.size();
        }
        if (rows.size() > 1)
            b.append(String.format(Locale.ROOT, "| **mean** | | **%.0f%%** | **%.0f%%** | **%s** | | | | |%n",
                    100 * z / rows.size(), 100 * inj / rows.size(), SeedInterval.of(fewBySeed).percent()));
        HeadSelection.Options o = s.optimiser();
        b.append(String.format(Locale.ROOT, "%nTask embedding: M = %d prompts of N = %d shots; θ: Adam lr %s, %d steps, "
                        + "validated every %d on %d held-out queries, loss %s, seed %d. Greedy, 8 new tokens, exact match "
                        + "of the first line; %d test queries per task; ICL demonstrations drawn per query from the train split "
                        + "under %d seeds.%n", s.prompts(), s.shots(), o.learningRate(),
                o.steps(), o.validEvery(), s.validSize(), o.loss().cliName(), o.seed(), perTask, iclSeeds));
        return b.toString();
    }

    /** The task files to run: {@code dir/icl/tasks} or {@code dir} itself, all or the named ones. */
    public static List<Path> taskFiles(Path data, List<String> names) {
        Path dir = Files.isDirectory(data.resolve("icl/tasks")) ? data.resolve("icl/tasks") : data;
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("--data: not a directory: " + data);
        if (names.isEmpty()) {
            try (var s = Files.list(dir)) {
                List<Path> all = s.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
                if (all.isEmpty()) throw new IllegalArgumentException("--data: no *.jsonl task files in " + dir);
                return all;
            } catch (IOException e) {
                throw new IllegalArgumentException("--data: cannot list " + dir + ": " + e.getMessage());
            }
        }
        List<Path> out = new ArrayList<>();
        for (String n : names) {
            Path p = dir.resolve(n.trim() + ".jsonl");
            if (!Files.isRegularFile(p)) throw new IllegalArgumentException("--tasks: no task file " + p);
            out.add(p);
        }
        return out;
    }
}
