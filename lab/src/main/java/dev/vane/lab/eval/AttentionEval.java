package dev.vane.lab.eval;

import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.attention.AttentionKind;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.hooks.TensorHooks;
import dev.vane.engine.model.AttentionChoice;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.StepInput;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.lab.data.PassKeys;
import dev.vane.lab.train.Losses;
import dev.vane.lab.train.TrainLm;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The length-extrapolation experiment ({@code vane eval attention}; docs/results/attention.md):
 * a model trained at length N, with one attention variant, at contexts of 1×, 2×, 4×, … N:
 *
 * <ul>
 *   <li>validation loss: mean next-token cross-entropy over every position of windows of the
 *       context's length, cut from the demo corpus's documents packed as training packs them; every
 *       context scores the same tokens (regions of the longest context, each cut into windows), so
 *       lengths differ only in how much each token sees; the interval is Student's t over regions, and
 *       {@code loss_regions} gives every region's value for paired comparisons between variants;</li>
 *   <li>pass-key accuracy: documents of the context's length with a five-digit key hidden at a
 *       uniform depth ({@link PassKeys}, fresh keys), answered greedily; the interval is Wilson's.</li>
 * </ul>
 *
 * Prints one JSON line per variant: the rows of the results tables and of the plot.
 */
public final class AttentionEval {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AttentionEval() {}

    /**
     * @param label       the variant's name in the tables
     * @param attention   the kernel and options to run (the checkpoint's own unless forced)
     * @param trainLength N, the training sequence length
     * @param multiples   the contexts, as multiples of N
     * @param tokens      tokens of loss windows per context
     * @param passKeys    pass-key documents per context (0: none)
     * @param split       {@code valid} or {@code test}: which text and which key seed
     */
    public record Options(Path model, Path data, String label, AttentionChoice attention, int trainLength, List<Integer> multiples,
                          int tokens, int passKeys, String split) {}

    public static void run(Options o, PrintStream out) throws IOException {
        int longest = o.trainLength() * o.multiples().stream().mapToInt(Integer::intValue).max().orElseThrow();
        for (int m : o.multiples())
            if (longest % (m * o.trainLength()) != 0)
                throw new IllegalArgumentException("multiples must divide the largest one (" + o.multiples() + ")");
        Path cache = Files.createTempDirectory("vane-attention-eval");
        try (TensorDecoder model = ModelLoader.loadTensor(o.model(), ComputeDType.F32, longest + 16, o.attention());
             Tokenizer tok = Tokenizer.load(o.model());
             Generator gen = new Generator(model, tok, 4, longest + 16)) {
            int[] ids = TrainLm.tokens(tok, o.data().resolve(o.split() + ".txt"), cache, o.split(), Optional.of("\n<|doc|>\n")).ids();
            ObjectNode row = JSON.createObjectNode().put("label", o.label()).put("kernel", model.attentionTime().kernel())
                    .put("split", o.split()).put("train_length", o.trainLength());
            ArrayNode results = row.putArray("results");
            for (int m : o.multiples()) {
                int length = m * o.trainLength();
                double[] regions = loss(model, ids, length, longest, o.tokens());
                SeedInterval loss = SeedInterval.of(regions);
                ObjectNode r = results.addObject().put("multiple", m).put("length", length)
                        .put("loss", loss.mean()).put("loss_low", loss.low()).put("loss_high", loss.high()).put("windows", loss.seeds());
                ArrayNode perRegion = r.putArray("loss_regions"); // the same regions in every row: paired comparisons
                for (double x : regions) perRegion.add(x);
                int[] keys = o.passKeys() > 0 ? passKeys(gen, tok, length, o.passKeys(), o.split()) : new int[] {0, 0};
                r.put("passkey_correct", keys[0]).put("passkey_docs", keys[1]);
                if (keys[1] > 0) {
                    double[] w = Refusals.wilson(keys[0], keys[1]);
                    r.put("passkey_low", w[0]).put("passkey_high", w[1]);
                }
            }
            out.println(row);
        } finally {
            try (var files = Files.list(cache)) {
                for (Path f : files.toList()) Files.delete(f);
            }
            Files.delete(cache);
        }
    }

    /**
     * Mean next-token loss at context {@code length} over the same tokens at every length:
     * {@code max(2, tokens / longest)} regions of {@code longest} tokens, spaced evenly through the
     * text, each cut into windows of {@code length}; one value per region (the mean of its
     * windows).
     */
    static double[] loss(TensorDecoder model, int[] ids, int length, int longest, int tokens) {
        int regions = Math.max(2, tokens / longest);
        if ((long) regions * longest + 1 > ids.length)
            throw new IllegalArgumentException("the text holds fewer than " + regions + " regions of " + longest + " tokens");
        long stride = (ids.length - longest - 1) / regions;
        double[] perRegion = new double[regions];
        for (int r = 0; r < regions; r++) {
            int from = (int) (r * stride);
            double sum = 0;
            for (int w = 0; w < longest / length; w++) {
                int start = from + w * length;
                int[] in = Arrays.copyOfRange(ids, start, start + length), target = Arrays.copyOfRange(ids, start + 1, start + length + 1);
                try (NDScope s = new NDScope()) {
                    sum += Losses.crossEntropy(model.forward(StepInput.prompt(in, 0), TensorHooks.NONE, LogitsMode.ALL),
                            new int[][] {target}).getFloat();                                      // logits [1, T, V]
                }
            }
            perRegion[r] = sum / (longest / length);
        }
        return perRegion;
    }

    /** {correct, documents}: pass-key documents of about {@code length} tokens, answered greedily. */
    static int[] passKeys(Generator gen, Tokenizer tok, int length, int docs, String split) {
        PassKeyDocs d = PassKeyDocs.of(tok, length, docs, split);
        return new int[] {d.correct(BatchGeneration.run(gen, d.prompts(), SamplingParams.greedy(6))), docs};
    }

    /**
     * Pass-key documents that fit {@code length} tokens with their answer, fresh keys at uniform
     * depths, the same for a given split and length in every evaluation.
     */
    record PassKeyDocs(List<int[]> prompts, List<String> answers) {
        static PassKeyDocs of(Tokenizer tok, int length, int docs, String split) {
            SplittableRandom rng = new SplittableRandom(split.equals("test") ? 1_000_003L * length : 7L * length);
            List<int[]> prompts = new ArrayList<>();
            List<String> answers = new ArrayList<>();
            HashSet<String> used = new HashSet<>();
            for (int d = 0; d < docs; d++) {
                String key = PassKeys.freshKey(rng, used);
                int chars = PassKeys.CHARS_PER_TOKEN * length;
                int[] ids;
                PassKeys.Example e;
                do { // shrink until the document and its answer fit the context
                    e = PassKeys.make(key, chars, rng);
                    ids = tok.encode(e.text(), true);
                    chars = chars * 9 / 10;
                } while (ids.length + 8 > length && chars > 64);
                prompts.add(ids);
                answers.add(key);
            }
            return new PassKeyDocs(prompts, answers);
        }

        /** How many of {@code results} (one per prompt, in order) begin with their key. */
        int correct(List<GenerationResult> results) {
            int ok = 0;
            for (int i = 0; i < results.size(); i++) if (results.get(i).text().trim().startsWith(answers.get(i))) ok++;
            return ok;
        }
    }

    /** The training length a checkpoint records: its {@code vane_attention} train length, else its context. */
    public static int trainLength(dev.vane.engine.config.ModelConfig c) {
        return c.attention() instanceof AttentionKind.Softplus s ? s.trainLength() : c.maxPositionEmbeddings();
    }
}
