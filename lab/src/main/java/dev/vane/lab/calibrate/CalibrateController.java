package dev.vane.lab.calibrate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactKind;
import dev.vane.steering.artifact.LayerRange;
import dev.vane.steering.artifact.Manifest;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.control.MethodArtifacts;
import dev.vane.lab.controller.ControllerNet;
import dev.vane.steering.controller.ControllerOutput;
import dev.vane.lab.controller.ControllerTrainer;
import dev.vane.steering.controller.ControllerWeights;
import dev.vane.steering.controller.RefusalDirection;
import dev.vane.lab.harvest.ActivationHarvester;
import dev.vane.lab.harvest.HarvestProgress;
import dev.vane.lab.harvest.ProgressBar;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * {@code vane calibrate controller}: trains the steering controller of "Guiding Giants"
 * (arXiv 2505.20309; methods.md §1) on harmful and benign prompts and stores it in an artifact
 * registry.
 *
 * <ol>
 *   <li>read the labelled prompts ({@link LabelledPrompts}), split by the file;</li>
 *   <li>encode each prompt (optionally as a user turn of the chat template);</li>
 *   <li>harvest {@code RESID_POST} at each prompt's last token of the last four blocks, the
 *       controller's input (plus {@code --direction-layer} for an activation direction);</li>
 *   <li>estimate the refusal direction d̂ ({@link RefusalDirection}) from the input embeddings of
 *       refusal and compliance phrases, or from the training prompts' activations;</li>
 *   <li>train the controller on the training prompts ({@link ControllerTrainer}), scoring the
 *       held-out prompts after every epoch;</li>
 *   <li>write the {@code controller} artifact with the learning curve and held-out figures as
 *       metrics and this exact command and the file's SHA-256 as provenance.</li>
 * </ol>
 */
public final class CalibrateController {

    /** The refusal phrases of the authors' code, as the demo model's chat answers begin. */
    public static final List<String> REFUSAL_PHRASES = List.of("I'm sorry", "I can't", "I cannot", "Sorry");
    /** The compliance phrases. */
    public static final List<String> COMPLIANCE_PHRASES = List.of("Sure", "Here", "Of course", "To");

    private CalibrateController() {}

    /**
     * What to calibrate (the flags of {@code vane calibrate controller}).
     *
     * @param directionLayer empty for the default (L/2), and for the embedding and per-layer directions
     */
    public record Options(Path model, Path prompts, String name, Path registry, RefusalDirection.Source direction,
                          OptionalInt directionLayer, List<String> refusalPhrases, List<String> compliancePhrases,
                          int epochs, double learningRate, int batch, int width, long seed, double alpha,
                          boolean chat, ComputeDType dtype, boolean replace) {

        public Options {
            refusalPhrases = List.copyOf(refusalPhrases);
            compliancePhrases = List.copyOf(compliancePhrases);
        }
    }

    /**
     * What a run produced.
     *
     * @param epochs            the learning curve (held-out accuracy after each epoch)
     * @param trainAccuracy     accuracy of the final controller on the training prompts
     * @param sigmoidHarmful    mean {@code sigmoid(s)} over held-out harmful prompts
     * @param sigmoidBenign     mean {@code sigmoid(s)} over held-out benign prompts
     */
    public record Result(Artifact artifact, Path directory, int directionLayer, List<ControllerTrainer.Epoch> epochs,
                         double trainAccuracy, double sigmoidHarmful, double sigmoidBenign, int train, int valid) {

        public double validAccuracy() { return epochs.getLast().heldOutAccuracy(); }
    }

    /**
     * Runs the command: calibrates, saves, prints the learning curve.
     *
     * @param command the command line recorded in the artifact's provenance
     * @param out     receives the summary; {@code err} the progress bar
     */
    public static void run(Options o, String command, PrintStream out, PrintStream err) {
        Result r = calibrate(o, command, new ProgressBar(err, "harvest"));
        String source = switch (o.direction()) {
            case EMBEDDING_CENTROIDS -> "embeddings";
            case ACTIVATION_MEANS -> "activations at layer " + r.directionLayer();
            case ACTIVATION_GAPS -> "activation gaps at every layer";
        };
        out.printf(Locale.ROOT, "wrote %s (controller, direction from %s, %d train / %d held-out prompts) to %s%n%n",
                o.name(), source, r.train(), r.valid(), r.directory());
        out.print("| epoch | train loss | held-out accuracy |\n|---|---|---|\n");
        for (ControllerTrainer.Epoch e : r.epochs())
            out.printf(Locale.ROOT, "| %d | %.4f | %.3f |%n", e.epoch(), e.meanLoss(), e.heldOutAccuracy());
        out.printf(Locale.ROOT, "%nheld-out accuracy %.3f (train %.3f); mean sigmoid(s): harmful %.3f, benign %.3f%n",
                r.validAccuracy(), r.trainAccuracy(), r.sigmoidHarmful(), r.sigmoidBenign());
    }

    /**
     * Calibrates and saves.
     *
     * @param command the command line recorded in the artifact's provenance
     */
    public static Result calibrate(Options o, String command, HarvestProgress progress) {
        RegistryTarget target = new RegistryTarget(o.registry(), o.name(), o.replace());
        target.checkFree();
        List<LabelledPrompt> all = LabelledPrompts.read(o.prompts());
        List<LabelledPrompt> train = LabelledPrompts.part(all, Split.TRAIN, o.prompts());
        List<LabelledPrompt> valid = LabelledPrompts.part(all, Split.VALID, o.prompts());

        ModelConfig config = HfConfig.read(o.model());
        ModelFingerprint fp = ModelFingerprint.of(config);
        int numLayers = fp.numLayers();
        if (numLayers < ControllerWeights.FEATURE_BLOCKS)
            throw new IllegalArgumentException("--model: the controller reads the last " + ControllerWeights.FEATURE_BLOCKS
                    + " blocks, the model has " + numLayers);
        int dirLayer = o.directionLayer().orElse(numLayers / 2);
        if (dirLayer >= numLayers)
            throw new IllegalArgumentException("--direction-layer: " + dirLayer + " outside the model's layers 0-" + (numLayers - 1));
        boolean fromEmbeddings = o.direction() == RefusalDirection.Source.EMBEDDING_CENTROIDS;
        boolean gaps = o.direction() == RefusalDirection.Source.ACTIVATION_GAPS;

        // harvested layers, ascending: the last four blocks (the controller's input) and the direction's layer(s)
        TreeSet<Integer> wanted = new TreeSet<>();
        for (int l = numLayers - ControllerWeights.FEATURE_BLOCKS; l < numLayers; l++) wanted.add(l);
        if (gaps) for (int l = 0; l < numLayers; l++) wanted.add(l);
        else if (!fromEmbeddings) wanted.add(dirLayer);
        List<Integer> layers = List.copyOf(wanted);

        List<int[]> prompts = new ArrayList<>();
        int[] refusalIds, complianceIds;
        try (Tokenizer tok = Tokenizer.load(o.model())) {
            PromptEncoder encoder = new PromptEncoder(tok, o.chat(), o.prompts(), config.maxPositionEmbeddings());
            for (List<LabelledPrompt> part : List.of(train, valid))
                for (LabelledPrompt p : part) prompts.add(encoder.encode(p.text(), p.line(), "text"));
            refusalIds = fromEmbeddings ? phraseIds(tok, o.refusalPhrases(), "--refusal-phrases") : null;
            complianceIds = fromEmbeddings ? phraseIds(tok, o.compliancePhrases(), "--compliance-phrases") : null;
        }
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();

        float[][][] acts;              // [N, K, D], train prompts first
        RefusalDirection direction;
        try (TensorDecoder model = ModelLoader.loadTensor(o.model(), o.dtype(), longest)) {
            acts = new ActivationHarvester(model).harvest(prompts, layers, o.batch(), progress);
            if (fromEmbeddings) {
                direction = RefusalDirection.fromEmbeddings(model.weights().embed(), refusalIds, complianceIds);
            } else if (gaps) {
                float[][][] harmful = new float[numLayers][][], benign = new float[numLayers][][];
                for (int l = 0; l < numLayers; l++) {
                    float[][][] split = byLabel(train, acts, layers.indexOf(l));
                    harmful[l] = split[0];
                    benign[l] = split[1];
                }
                direction = RefusalDirection.fromActivationGaps(harmful, benign);
            } else {
                float[][][] split = byLabel(train, acts, layers.indexOf(dirLayer));
                direction = RefusalDirection.fromActivations(split[0], split[1]);
            }
        }

        int first = layers.indexOf(numLayers - ControllerWeights.FEATURE_BLOCKS);
        List<ControllerTrainer.Example> trainRows = new ArrayList<>(), validRows = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            float[] features = ControllerNet.features(Arrays.copyOfRange(acts[i], first, first + ControllerWeights.FEATURE_BLOCKS)); // [4D]
            boolean isTrain = i < train.size();
            LabelledPrompt p = isTrain ? train.get(i) : valid.get(i - train.size());
            (isTrain ? trainRows : validRows).add(new ControllerTrainer.Example(features, p.harmful()));
        }

        ControllerTrainer.Config cfg = new ControllerTrainer.Config(o.learningRate(), o.batch(), o.epochs(), 1.0, 0.01,
                o.width(), o.seed());
        ControllerTrainer.Result trained = ControllerTrainer.train(trainRows, validRows, numLayers, cfg);
        ControllerWeights weights;
        double trainAccuracy;
        try (ControllerNet net = trained.net()) {
            weights = net.weights(direction);
            trainAccuracy = ControllerTrainer.accuracy(net, trainRows);
        }

        Figures held = Figures.of(weights, validRows, numLayers);
        Map<String, Double> metrics = metrics(trained.epochs(), trainAccuracy, trainRows, held);
        ObjectNode params = params(o, cfg, dirLayer, numLayers, train.size(), valid.size());

        Manifest manifest = new Manifest(o.name(), ArtifactKind.CONTROLLER, fp, Component.RESID_POST,
                LayerRange.all(numLayers).toList(), params, metrics, Provenance.now(command, Provenance.sha256(o.prompts())));
        Artifact artifact = new Artifact(manifest, MethodArtifacts.tensors(weights.tensors(), weights.shapes()));
        Path dir = target.save(artifact);
        return new Result(artifact, dir, fromEmbeddings || gaps ? -1 : dirLayer, trained.epochs(), trainAccuracy,
                held.sigmoidHarmful(), held.sigmoidBenign(), train.size(), valid.size());
    }

    /** The training prompts' activations at harvested layer {@code k}: {@code {harmful [N][D], benign [M][D]}}. */
    private static float[][][] byLabel(List<LabelledPrompt> train, float[][][] acts, int k) {
        List<float[]> harmful = new ArrayList<>(), benign = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) (train.get(i).harmful() ? harmful : benign).add(acts[i][k]);
        return new float[][][] {harmful.toArray(float[][]::new), benign.toArray(float[][]::new)};
    }

    /**
     * The final controller on the held-out prompts.
     *
     * @param wHarmful mean {@code w_l} over the harmful prompts, {@code [L]}
     */
    private record Figures(double sigmoidHarmful, double sigmoidBenign, double[] wHarmful, int harmful, int benign) {

        static Figures of(ControllerWeights weights, List<ControllerTrainer.Example> rows, int numLayers) {
            double[] sigmoidSum = new double[2]; // [benign, harmful]
            int[] count = new int[2];
            double[] w = new double[numLayers];
            for (ControllerTrainer.Example e : rows) {
                ControllerOutput out = weights.evaluate(e.features());
                int c = e.harmful() ? 1 : 0;
                sigmoidSum[c] += 1 / (1 + Math.exp(-out.s()));
                count[c]++;
                if (e.harmful()) for (int l = 0; l < numLayers; l++) w[l] += out.w()[l];
            }
            for (int l = 0; l < numLayers; l++) w[l] /= count[1];
            return new Figures(sigmoidSum[1] / count[1], sigmoidSum[0] / count[0], w, count[1], count[0]);
        }
    }

    private static Map<String, Double> metrics(List<ControllerTrainer.Epoch> epochs, double trainAccuracy,
                                               List<ControllerTrainer.Example> trainRows, Figures valid) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (ControllerTrainer.Epoch e : epochs) {
            metrics.put("valid.accuracy.epoch." + e.epoch(), e.heldOutAccuracy());
            metrics.put("train.loss.epoch." + e.epoch(), e.meanLoss());
        }
        metrics.put("valid.accuracy.final", epochs.getLast().heldOutAccuracy());
        metrics.put("train.accuracy.final", trainAccuracy);
        metrics.put("valid.sigmoid_s.harmful.mean", valid.sigmoidHarmful());
        metrics.put("valid.sigmoid_s.benign.mean", valid.sigmoidBenign());
        for (int l = 0; l < valid.wHarmful().length; l++) metrics.put("valid.harmful.w.layer." + l, valid.wHarmful()[l]);
        long harmful = trainRows.stream().filter(ControllerTrainer.Example::harmful).count();
        metrics.put("train.harmful", (double) harmful);
        metrics.put("train.benign", (double) (trainRows.size() - harmful));
        metrics.put("valid.harmful", (double) valid.harmful());
        metrics.put("valid.benign", (double) valid.benign());
        return metrics;
    }

    private static ObjectNode params(Options o, ControllerTrainer.Config cfg, int dirLayer, int numLayers,
                                     int train, int valid) {
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        if (o.direction() == RefusalDirection.Source.EMBEDDING_CENTROIDS) {
            params.put("direction", "embeddings");
            ArrayNode r = params.putArray("refusal_phrases"), c = params.putArray("compliance_phrases");
            o.refusalPhrases().forEach(r::add);
            o.compliancePhrases().forEach(c::add);
        } else if (o.direction() == RefusalDirection.Source.ACTIVATION_GAPS) {
            params.put("direction", "gaps");
        } else {
            params.put("direction", "activations").put("direction_layer", dirLayer);
        }
        ArrayNode featureLayers = params.putArray("feature_layers");
        for (int l = numLayers - ControllerWeights.FEATURE_BLOCKS; l < numLayers; l++) featureLayers.add(l);
        return params.put("position", "last-prompt-token")
                .put("alpha", o.alpha())
                .put("width", o.width())
                .put("epochs", o.epochs())
                .put("lr", o.learningRate())
                .put("batch", o.batch())
                .put("clip_norm", cfg.clipNorm())
                .put("weight_decay", cfg.weightDecay())
                .put("seed", o.seed())
                .put("prompts", o.prompts().getFileName().toString())
                .put("chat", o.chat())
                .put("dtype", o.dtype().name().toLowerCase(Locale.ROOT))
                .put("train_prompts", train)
                .put("valid_prompts", valid);
    }

    /** The token ids of every phrase, concatenated (a token in two phrases weighs twice in the centroid). */
    private static int[] phraseIds(Tokenizer tok, List<String> phrases, String flag) {
        List<Integer> ids = new ArrayList<>();
        for (String p : phrases) {
            int[] t = tok.encode(p, false);
            if (t.length == 0) throw new IllegalArgumentException(flag + ": '" + p + "' encodes to no tokens");
            for (int id : t) ids.add(id);
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }
}
