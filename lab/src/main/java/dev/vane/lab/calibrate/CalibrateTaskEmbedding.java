package dev.vane.lab.calibrate;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactException;
import dev.vane.steering.artifact.ArtifactKind;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.Manifest;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.control.MethodArtifacts;
import dev.vane.lab.harvest.HarvestProgress;
import dev.vane.lab.harvest.ProgressBar;
import dev.vane.lab.task.HeadSelection;
import dev.vane.lab.task.TaskCalibration;
import dev.vane.lab.task.TaskFile;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * {@code vane calibrate task-embedding}: builds a {@code task-embedding} artifact by soft
 * injection (arXiv 2507.20906) and stores it in an artifact registry.
 *
 * <ol>
 *   <li>read the task file ({@link TaskFile}: input, output, split per line);</li>
 *   <li>ē: mean head output ({@code ATTN_HEADS}) at the last token of M random N-shot prompts;</li>
 *   <li>θ: Adam through the frozen model on zero-shot training queries with ē injected at
 *       α = sigmoid(θ), validated every {@code --valid-every} steps, best kept ({@link HeadSelection});</li>
 *   <li>write the artifact with the validation curve as metrics and provenance (this exact
 *       command, the task file's SHA-256).</li>
 * </ol>
 */
public final class CalibrateTaskEmbedding {

    private CalibrateTaskEmbedding() {}

    /** What to calibrate (the flags of {@code vane calibrate task-embedding}). */
    public record Options(Path model, Path task, String name, Path registry, TaskCalibration.Settings settings,
                          boolean replace) {}

    /** What a run produced. */
    public record Result(Artifact artifact, Path directory, TaskCalibration.Outcome outcome) {}

    /**
     * Runs the command: calibrates, saves, prints the validation curve.
     *
     * @param command the command line recorded in the artifact's provenance
     * @param out     receives the summary; {@code err} the progress
     */
    public static void run(Options o, String command, PrintStream out, PrintStream err) {
        Result r = calibrate(o, command, new ProgressBar(err, "task embedding"), trainingBar(err));
        HeadSelection.Result s = r.outcome().selection();
        out.printf(Locale.ROOT, "wrote %s (%d layers x %d heads) to %s%n%n", o.name(),
                r.outcome().weights().numLayers(), r.outcome().weights().numHeads(), r.directory());
        out.printf(Locale.ROOT, "| step | held-out loss |%n|---|---|%n| no injection | %.4f |%n", s.noInjectionLoss());
        for (HeadSelection.Point p : s.curve()) out.printf(Locale.ROOT, "| %d | %.4f |%n", p.step(), p.validLoss());
        s.diverged().ifPresent(step -> out.printf(Locale.ROOT, "%nstopped at step %d: its loss was not finite%n", step));
        out.printf(Locale.ROOT, "%nkept step %d: held-out loss %.4f%n", s.bestStep(), s.bestLoss());
    }

    /** A bar over the optimisation steps on {@code err}, with each validation on its own line. */
    public static HeadSelection.Listener trainingBar(PrintStream err) {
        ProgressBar bar = new ProgressBar(err, "head selection");
        return (step, steps, train, valid) -> {
            if (!Double.isNaN(valid)) {
                err.printf(Locale.ROOT, "\rstep %d/%d: held-out loss %.4f%n", step, steps, valid);
                if (step == steps) return;
            }
            if (step > 0) bar.update(step, steps);
        };
    }

    /**
     * Calibrates and saves.
     *
     * @param command the command line recorded in the artifact's provenance
     */
    public static Result calibrate(Options o, String command, HarvestProgress meanProgress, HeadSelection.Listener trainProgress) {
        ArtifactRegistry registry = new ArtifactRegistry(o.registry());
        if (!o.replace() && registry.exists(o.name()))
            throw new ArtifactException("artifact '" + o.name() + "' already exists in " + registry.root()
                    + " (--replace to overwrite)");
        TaskFile task = TaskFile.read(o.task());
        ModelConfig config = HfConfig.read(o.model());
        ModelFingerprint fp = ModelFingerprint.of(config);
        TaskCalibration.Encoded encoded;
        try (Tokenizer tok = Tokenizer.load(o.model())) {
            encoded = TaskCalibration.encode(tok, task, o.settings(), config.maxPositionEmbeddings());
        }
        // f32 and PyTorch projections: the optimisation backpropagates through the model
        try (TensorDecoder model = ModelLoader.loadTensor(o.model(), ComputeDType.F32, encoded.longest())) {
            TaskCalibration.Outcome outcome = TaskCalibration.run(model, encoded, o.settings(), meanProgress, trainProgress);
            Artifact artifact = artifact(o.name(), fp, task, encoded, o.settings(), outcome, command);
            Path dir = registry.save(artifact, o.replace() ? ArtifactRegistry.SaveMode.REPLACE : ArtifactRegistry.SaveMode.CREATE);
            return new Result(artifact, dir, outcome);
        }
    }

    static Artifact artifact(String name, ModelFingerprint fp, TaskFile task, TaskCalibration.Encoded encoded,
                             TaskCalibration.Settings s, TaskCalibration.Outcome outcome, String command) {
        HeadSelection.Options opt = s.optimiser();
        ObjectNode params = JsonNodeFactory.instance.objectNode()
                .put("task", task.name())
                .put("position", "last-prompt-token")
                .put("phase", "prefill")
                .put("format", "Q: {input}\\nA: {output}\\n\\n")
                .put("prompts", s.prompts())
                .put("shots", s.shots())
                .put("optimizer", "adam")
                .put("steps", opt.steps())
                .put("lr", opt.learningRate())
                .put("batch", 1)
                .put("valid_every", opt.validEvery())
                .put("loss", opt.loss().cliName())
                .put("seed", opt.seed())
                .put("train_queries", encoded.train().size())
                .put("valid_queries", encoded.valid().size())
                .put("dtype", "f32");
        HeadSelection.Result r = outcome.selection();
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("valid.loss.no_injection", r.noInjectionLoss());
        metrics.put("valid.loss.initial", r.initialLoss());
        metrics.put("valid.loss.best", r.bestLoss());
        metrics.put("valid.best_step", (double) r.bestStep());
        for (HeadSelection.Point p : r.curve()) metrics.put("valid.loss.step_" + p.step(), p.validLoss());
        r.diverged().ifPresent(step -> metrics.put("diverged_at_step", (double) step));
        float[] alpha = outcome.weights().alpha();
        double mean = 0;
        int selected = 0;
        for (float a : alpha) {
            mean += a;
            if (a > 0.5f) selected++;
        }
        metrics.put("alpha.mean", mean / alpha.length);
        metrics.put("alpha.heads_above_half", (double) selected);
        metrics.put("seconds.embedding", outcome.embeddingNanos() / 1e9);
        metrics.put("seconds.training", outcome.trainingNanos() / 1e9);
        Manifest m = new Manifest(name, ArtifactKind.TASK_EMBEDDING, fp, Component.ATTN_HEADS,
                IntStream.range(0, fp.numLayers()).boxed().toList(), params, metrics,
                Provenance.now(command, Provenance.sha256(task.path())));
        return new Artifact(m, MethodArtifacts.tensors(outcome.weights().data(), outcome.weights().shapes()));
    }
}
