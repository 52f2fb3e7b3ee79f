package dev.vane.steering.calibrate;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.ChatMessage;
import dev.vane.engine.tokenizer.ChatTemplate;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.engine.tokenizer.TokenizerException;
import dev.vane.engine.weights.CheckpointException;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactException;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.LayerRange;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.artifact.VectorSet;
import dev.vane.steering.harvest.ActivationHarvester;
import dev.vane.steering.harvest.HarvestProgress;
import dev.vane.steering.harvest.ProgressBar;
import dev.vane.steering.vector.FitMethod;
import dev.vane.steering.vector.HeldOutEvaluation;
import dev.vane.steering.vector.VectorFitter;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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
 *
 * Exit status 0 on success, 1 when calibration fails (bad data, model or registry), 2 on a usage error.
 */
public final class CalibrateVectors {

    static final String USAGE = """
            usage: vane calibrate vectors --model DIR --prompts FILE --name NAME --registry DIR
                                          [--method mean-diff|pca] [--layers A-B] [--batch 8] [--chat]
                                          [--dtype f32|f16] [--valid-fraction 0.25] [--seed 0] [--replace]
              --prompts         JSONL, one {"positive": "...", "negative": "..."} pair per line, optionally
                                with "split": "train"|"valid" on every line
              --method          mean-diff (default) or pca (first principal component of paired differences)
              --layers          inclusive layer range to fit (default: all)
              --chat            wrap each prompt as a user turn of the model's chat template
              --valid-fraction  share of pairs held out for evaluation when the file has no "split"
              --replace         overwrite an artifact of the same name
            """;

    private CalibrateVectors() {}

    /** Parsed flags. */
    public record Options(Path model, Path prompts, String name, Path registry, FitMethod method,
                          Optional<LayerRange> layers, int batch, boolean chat, ComputeDType dtype,
                          double validFraction, long seed, boolean replace) {

        /** @throws IllegalArgumentException naming the flag at fault */
        public static Options parse(List<String> args) {
            Map<String, String> v = new LinkedHashMap<>();
            boolean chat = false, replace = false;
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--chat" -> chat = true;
                    case "--replace" -> replace = true;
                    case "--model", "--prompts", "--name", "--registry", "--method", "--layers", "--batch", "--dtype",
                         "--valid-fraction", "--seed" -> {
                        if (i + 1 >= args.size()) throw new IllegalArgumentException(a + ": missing value");
                        if (v.put(a, args.get(++i)) != null) throw new IllegalArgumentException(a + ": given twice");
                    }
                    default -> throw new IllegalArgumentException("unknown flag '" + a + "'");
                }
            }
            for (String required : List.of("--model", "--prompts", "--name", "--registry"))
                if (!v.containsKey(required)) throw new IllegalArgumentException(required + ": required");
            try {
                ArtifactRegistry.validateName(v.get("--name"));
            } catch (ArtifactException e) {
                throw new IllegalArgumentException("--" + e.getMessage());
            }
            int batch = integer(v, "--batch", 8);
            if (batch < 1) throw new IllegalArgumentException("--batch: must be >= 1, got " + batch);
            double fraction = number(v, "--valid-fraction", 0.25);
            if (!(fraction > 0 && fraction < 1))
                throw new IllegalArgumentException("--valid-fraction: must be in (0, 1), got " + fraction);
            ComputeDType dtype;
            try {
                dtype = ComputeDType.parse(v.getOrDefault("--dtype", "f32"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--dtype: " + e.getMessage());
            }
            return new Options(Path.of(v.get("--model")), Path.of(v.get("--prompts")), v.get("--name"),
                    Path.of(v.get("--registry")), FitMethod.parse(v.getOrDefault("--method", "mean-diff")),
                    Optional.ofNullable(v.get("--layers")).map(s -> LayerRange.parse(s, "--layers")), batch, chat,
                    dtype, fraction, integer(v, "--seed", 0), replace);
        }

        private static int integer(Map<String, String> v, String flag, int def) {
            return parseNumber(v, flag, def, Integer::parseInt);
        }

        private static double number(Map<String, String> v, String flag, double def) {
            return parseNumber(v, flag, def, Double::parseDouble);
        }

        private static <T> T parseNumber(Map<String, String> v, String flag, T def, Function<String, T> parse) {
            String s = v.get(flag);
            if (s == null) return def;
            try {
                return parse.apply(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + ": not a number: '" + s + "'");
            }
        }
    }

    /** What a run produced: the stored artifact and its held-out scores. */
    public record Result(Artifact artifact, Path directory, HeldOutEvaluation valid, HeldOutEvaluation train) {}

    /**
     * Runs the command.
     *
     * @param out receives the summary; {@code err} the progress bar and errors
     * @return the exit status
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        Options o;
        try {
            o = Options.parse(List.of(args));
        } catch (IllegalArgumentException e) {
            err.println("vane calibrate vectors: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        try {
            Result r = calibrate(o, "vane calibrate vectors " + quote(args), new ProgressBar(err, "harvest"));
            out.printf(Locale.ROOT, "wrote %s (%s, %d train / %d held-out pairs) to %s%n%n", o.name(),
                    o.method().cliName(), r.train().pairs(), r.valid().pairs(), r.directory());
            out.print(r.valid().table());
            out.printf(Locale.ROOT, "%nbest layer %d: held-out accuracy %.3f%n", r.valid().bestLayer(),
                    r.valid().accuracy()[r.valid().bestIndex()]);
            return 0;
        } catch (IllegalArgumentException | ArtifactException | TokenizerException | CheckpointException e) {
            err.println("vane calibrate vectors: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Calibrates and saves.
     *
     * @param command the command line recorded in the artifact's provenance
     */
    public static Result calibrate(Options o, String command, HarvestProgress progress) {
        ArtifactRegistry registry = new ArtifactRegistry(o.registry());
        if (!o.replace() && registry.exists(o.name()))
            throw new ArtifactException("artifact '" + o.name() + "' already exists in " + registry.root()
                    + " (--replace to overwrite)");
        PromptPairs.Loaded loaded = PromptPairs.read(o.prompts());
        List<PromptPair> pairs = loaded.splitGiven() ? loaded.pairs()
                : PromptPairs.split(loaded.pairs(), o.validFraction(), o.seed());
        List<PromptPair> train = pairs.stream().filter(p -> p.split() == PromptPair.Split.TRAIN).toList();
        List<PromptPair> valid = pairs.stream().filter(p -> p.split() == PromptPair.Split.VALID).toList();
        if (train.isEmpty()) throw new IllegalArgumentException(o.prompts() + ": no training pairs (split: train)");
        if (valid.isEmpty()) throw new IllegalArgumentException(o.prompts() + ": no held-out pairs (split: valid)");

        ModelConfig config = HfConfig.read(o.model());
        ModelFingerprint fp = ModelFingerprint.of(config);
        List<Integer> layers = o.layers().orElse(LayerRange.all(fp.numLayers())).within(fp.numLayers(), "--layers").toList();

        // one harvest over [train+ | train- | valid+ | valid-] keeps the batches full
        List<int[]> prompts = new ArrayList<>();
        try (Tokenizer tok = Tokenizer.load(o.model())) {
            Function<String, int[]> encode = encoder(tok, o.chat());
            for (List<PromptPair> part : List.of(train, valid)) {
                for (PromptPair p : part) prompts.add(encode(encode, p, true, o.prompts(), config));
                for (PromptPair p : part) prompts.add(encode(encode, p, false, o.prompts(), config));
            }
        }
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        // RoPE tables only as long as the longest prompt: a 128k-context model would otherwise
        // allocate tables for positions no prompt reaches
        try (CausalLM model = ModelLoader.load(o.model(), o.dtype(), longest)) {
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
            Path dir = registry.save(artifact, o.replace() ? ArtifactRegistry.SaveMode.REPLACE : ArtifactRegistry.SaveMode.CREATE);
            return new Result(artifact, dir, validEval, trainEval);
        }
    }

    /** One side of a pair as token ids; too long a prompt is named by its line. */
    private static int[] encode(Function<String, int[]> encode, PromptPair p, boolean positive, Path file,
                                ModelConfig config) {
        int[] ids = encode.apply(positive ? p.positive() : p.negative());
        if (ids.length == 0)
            throw new IllegalArgumentException(file + ":" + p.line() + ": " + (positive ? "positive" : "negative")
                    + " encodes to no tokens");
        if (ids.length > config.maxPositionEmbeddings())
            throw new IllegalArgumentException(file + ":" + p.line() + ": " + (positive ? "positive" : "negative")
                    + " has " + ids.length + " tokens, more than the model's " + config.maxPositionEmbeddings() + " positions");
        return ids;
    }

    private static Function<String, int[]> encoder(Tokenizer tok, boolean chat) {
        if (!chat) return text -> tok.encode(text, true);
        ChatTemplate template = tok.chatTemplate().orElseThrow(() ->
                new IllegalArgumentException("--chat: the model's tokenizer has no chat template"));
        return text -> tok.encode(template.render(List.of(new ChatMessage("user", text)), true), false);
    }

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./=:,+-]+");

    /** The arguments as a shell would need them typed. */
    static String quote(String[] args) {
        return Arrays.stream(args).map(a -> PLAIN.matcher(a).matches() ? a : "'" + a.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
    }
}
