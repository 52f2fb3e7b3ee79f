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
import dev.vane.steering.artifact.LayerRange;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.artifact.VectorSet;
import dev.vane.lab.harvest.ActivationHarvester;
import dev.vane.lab.harvest.HarvestProgress;
import dev.vane.lab.harvest.ProgressBar;
import dev.vane.lab.vector.FitMethod;
import dev.vane.lab.vector.HeldOutEvaluation;
import dev.vane.lab.vector.VectorFitter;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code vane calibrate vectors}: fits a steering {@code vector-set} from contrastive prompt pairs
 * and stores it in an artifact registry.
 *
 * <ol>
 *   <li>read the pairs ({@link PromptPairs}) and hold some out;</li>
 *   <li>encode each prompt (optionally wrapped in the chat template as a user turn);</li>
 *   <li>harvest {@code RESID_POST} at each prompt's last token ({@link ActivationHarvester});</li>
 *   <li>fit one direction per layer on the training pairs ({@link VectorFitter});</li>
 *   <li>score every layer on the held-out pairs ({@link HeldOutEvaluation});</li>
 *   <li>write the artifact with metrics and provenance (this exact command, the file's SHA-256).</li>
 * </ol>
 */
public final class CalibrateVectors {

    private CalibrateVectors() {}

    /** What to calibrate (the flags of {@code vane calibrate vectors}). */
    public record Options(Path model, Path prompts, String name, Path registry, FitMethod method,
                          Optional<LayerRange> layers, int batch, boolean chat, ComputeDType dtype,
                          double validFraction, long seed, boolean replace) {}

    /** What a run produced: the stored artifact and its held-out scores. */
    public record Result(Artifact artifact, Path directory, HeldOutEvaluation valid, HeldOutEvaluation train) {}

    /**
     * Runs the command: calibrates, saves, prints the held-out table.
     *
     * @param command the command line recorded in the artifact's provenance
     * @param out     receives the summary; {@code err} the progress bar
     */
    public static void run(Options o, String command, PrintStream out, PrintStream err) {
        Result r = calibrate(o, command, new ProgressBar(err, "harvest"));
        out.printf(Locale.ROOT, "wrote %s (%s, %d train / %d held-out pairs) to %s%n%n", o.name(),
                o.method().cliName(), r.train().pairs(), r.valid().pairs(), r.directory());
        out.print(r.valid().table());
        out.printf(Locale.ROOT, "%nbest layer %d: held-out accuracy %.3f%n", r.valid().bestLayer(),
                r.valid().accuracy()[r.valid().bestIndex()]);
    }

    /**
     * Calibrates and saves.
     *
     * @param command the command line recorded in the artifact's provenance
     */
    public static Result calibrate(Options o, String command, HarvestProgress progress) {
        RegistryTarget target = new RegistryTarget(o.registry(), o.name(), o.replace());
        target.checkFree();
        PromptPairs.Loaded loaded = PromptPairs.read(o.prompts());
        List<PromptPair> pairs = loaded.splitGiven() ? loaded.pairs()
                : PromptPairs.split(loaded.pairs(), o.validFraction(), o.seed());
        List<PromptPair> train = pairs.stream().filter(p -> p.split() == Split.TRAIN).toList();
        List<PromptPair> valid = pairs.stream().filter(p -> p.split() == Split.VALID).toList();
        if (train.isEmpty()) throw new IllegalArgumentException(o.prompts() + ": no training pairs (split: train)");
        if (valid.isEmpty()) throw new IllegalArgumentException(o.prompts() + ": no held-out pairs (split: valid)");

        ModelConfig config = HfConfig.read(o.model());
        ModelFingerprint fp = ModelFingerprint.of(config);
        List<Integer> layers = o.layers().orElse(LayerRange.all(fp.numLayers())).within(fp.numLayers(), "--layers").toList();

        // one harvest over [train+ | train- | valid+ | valid-] keeps the batches full
        List<int[]> prompts = new ArrayList<>();
        try (Tokenizer tok = Tokenizer.load(o.model())) {
            PromptEncoder encoder = new PromptEncoder(tok, o.chat(), o.prompts(), config.maxPositionEmbeddings());
            for (List<PromptPair> part : List.of(train, valid)) {
                for (PromptPair p : part) prompts.add(encoder.encode(p.positive(), p.line(), "positive"));
                for (PromptPair p : part) prompts.add(encoder.encode(p.negative(), p.line(), "negative"));
            }
        }
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        // RoPE tables only as long as the longest prompt: a 128k-context model would otherwise
        // allocate tables for positions no prompt reaches
        try (TensorDecoder model = ModelLoader.loadTensor(o.model(), o.dtype(), longest)) {
            float[][][] acts = new ActivationHarvester(model).harvest(prompts, layers, o.batch(), progress); // [2N, K, D]
            int t = train.size(), v = valid.size();
            float[][][] trainPos = Arrays.copyOfRange(acts, 0, t), trainNeg = Arrays.copyOfRange(acts, t, 2 * t);
            float[][][] validPos = Arrays.copyOfRange(acts, 2 * t, 2 * t + v);
            float[][][] validNeg = Arrays.copyOfRange(acts, 2 * t + v, 2 * t + 2 * v);

            float[][] directions = VectorFitter.fit(trainPos, trainNeg, o.method());            // [K, D]
            HeldOutEvaluation validEval = HeldOutEvaluation.evaluate(layers, validPos, validNeg, directions);
            HeldOutEvaluation trainEval = HeldOutEvaluation.evaluate(layers, trainPos, trainNeg, directions);

            float[][] perLayer = new float[fp.numLayers()][];
            for (int k = 0; k < layers.size(); k++) perLayer[layers.get(k)] = directions[k];
            VectorSet set = new VectorSet(Component.RESID_POST, fp.hiddenSize(), perLayer);

            ObjectNode params = JsonNodeFactory.instance.objectNode()
                    .put("method", o.method().cliName())
                    .put("position", "last-prompt-token")
                    .put("prompts", o.prompts().getFileName().toString())
                    .put("chat", o.chat())
                    .put("dtype", o.dtype().name().toLowerCase(Locale.ROOT))
                    .put("batch", o.batch())
                    .put("split", loaded.splitGiven() ? "field" : "random")
                    .put("train_pairs", t)
                    .put("valid_pairs", v);
            if (!loaded.splitGiven()) params.put("valid_fraction", o.validFraction()).put("seed", o.seed());
            Map<String, Double> metrics = new LinkedHashMap<>(validEval.metrics("valid"));
            metrics.put("train.accuracy.best", trainEval.accuracy()[trainEval.bestIndex()]);
            metrics.put("train.pairs", (double) t);
            Artifact artifact = set.toArtifact(o.name(), fp, params, metrics,
                    Provenance.now(command, Provenance.sha256(o.prompts())));
            Path dir = target.save(artifact);
            return new Result(artifact, dir, validEval, trainEval);
        }
    }
}
