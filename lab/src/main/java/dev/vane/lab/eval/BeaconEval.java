package dev.vane.lab.eval;

import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.config.BeaconConfig;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.TensorHooks;
import dev.vane.engine.model.BeaconLayout;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.LoadOptions;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.StepInput;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.lab.train.Losses;
import dev.vane.lab.train.TrainLm;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Activation Beacon on a model with beacon parameters ({@code vane eval beacon};
 * docs/results/beacon.md): at contexts of 1×, 2×, 4×, … the training length N, for
 *
 * <ul>
 *   <li>{@code full}: the whole context in the KV cache (positions beyond N are extrapolated);</li>
 *   <li>{@code truncated}: only the last N tokens (a prompt cut to its BOS and last tokens; for
 *       perplexity, each token sees between N/2 and N − 1 tokens before it: windows of N scored in
 *       their second half);</li>
 *   <li>{@code beacon-r}: compressed at ratio r,</li>
 * </ul>
 *
 * pass-key accuracy (documents of the context's length, answered greedily by the serving decoder,
 * Wilson intervals), perplexity on held-out long documents (their first L + 1 tokens, every
 * prediction scored; interval: Student's t over documents, of the mean log-loss) and the KV cache
 * a sequence of that length holds at its end (entries, and bytes in f16). One JSON line per
 * (length, configuration).
 */
public final class BeaconEval {

    private static final ObjectMapper JSON = new ObjectMapper();

    private BeaconEval() {}

    /**
     * @param trainLength N
     * @param multiples   the contexts, as multiples of N
     * @param passKeys    pass-key documents per context
     * @param documents   long documents for perplexity (each at least the longest context long)
     * @param ratios      the beacon ratios to run
     */
    public record Options(Path model, Path data, String split, int trainLength, List<Integer> multiples, int passKeys,
                          int documents, List<Integer> ratios, int threads) {}

    public static void run(Options o, PrintStream out) throws IOException {
        ModelConfig cfg = HfConfig.read(o.model());
        BeaconConfig beacon = cfg.beacon().orElseThrow(() -> new IllegalArgumentException(
                "--model " + o.model() + " has no Activation Beacon parameters (beacon_* settings in config.json)"));
        for (int r : o.ratios()) BeaconConfig.checkRatio(r, beacon.window(), "--ratios");
        int longest = o.trainLength() * o.multiples().stream().mapToInt(Integer::intValue).max().orElseThrow();
        Path cache = Files.createTempDirectory("vane-beacon-eval");
        try (TensorDecoder tensor = ModelLoader.loadTensor(o.model(), ComputeDType.F32, 2 * longest + beacon.window());
             CausalLM serving = ModelLoader.load(o.model(), LoadOptions.java(longest + 64, o.threads()));
             Tokenizer tok = Tokenizer.load(o.model());
             Generator gen = new Generator(serving, tok, 4, longest + 64)) {
            List<int[]> documents = longDocuments(tok, o.data().resolve(o.split() + ".txt"), cache, o.split(), longest + 1, o.documents());
            long entryBytes = 2L * cfg.numLayers() * cfg.numKvHeads() * cfg.headDim() * serving.kvDType().bytes();
            for (int m : o.multiples()) {
                int length = m * o.trainLength();
                AttentionEval.PassKeyDocs keys = AttentionEval.PassKeyDocs.of(tok, length, o.passKeys(), o.split());
                List<Setting> settings = new ArrayList<>(List.of(Setting.FULL, Setting.TRUNCATED));
                o.ratios().forEach(r -> settings.add(new Setting("beacon-" + r, OptionalInt.of(r))));
                for (Setting s : settings) {
                    List<int[]> prompts = s == Setting.TRUNCATED
                            ? keys.prompts().stream().map(p -> lastTokens(p, o.trainLength() - 8)).toList() : keys.prompts();
                    int correct = keys.correct(BatchGeneration.run(gen, prompts, i -> SamplingParams.greedy(6), i -> RowHooks.NONE, s.ratio()));
                    double[] loss = new double[documents.size()];
                    for (int d = 0; d < loss.length; d++) loss[d] = logLoss(tensor, s, Arrays.copyOf(documents.get(d), length + 1), o.trainLength());
                    SeedInterval l = SeedInterval.of(loss);
                    long entries = s == Setting.FULL ? length : s == Setting.TRUNCATED ? Math.min(length, o.trainLength())
                            : beacon.entriesAfter(length, s.ratio().getAsInt());
                    double[] w = Refusals.wilson(correct, o.passKeys());
                    ObjectNode row = JSON.createObjectNode().put("multiple", m).put("length", length).put("setting", s.label())
                            .put("passkey_correct", correct).put("passkey_docs", o.passKeys()).put("passkey_low", w[0]).put("passkey_high", w[1])
                            .put("ppl", Math.exp(l.mean())).put("ppl_low", Math.exp(l.low())).put("ppl_high", Math.exp(l.high()))
                            .put("documents", loss.length).put("kv_entries", entries).put("kv_bytes", entries * entryBytes);
                    out.println(row);
                    out.flush();
                }
            }
        } finally {
            try (var files = Files.list(cache)) {
                for (Path f : files.toList()) Files.delete(f);
            }
            Files.delete(cache);
        }
    }

    /** How a context is held: whole, cut to the training length, or compressed at a ratio. */
    record Setting(String label, OptionalInt ratio) {
        static final Setting FULL = new Setting("full", OptionalInt.empty());
        static final Setting TRUNCATED = new Setting("truncated", OptionalInt.empty());
    }

    /** Mean next-token loss over the {@code ids.length − 1} predictions of one document. */
    static double logLoss(TensorDecoder model, Setting s, int[] ids, int trainLength) {
        int n = ids.length - 1;
        int[] in = Arrays.copyOf(ids, n), target = Arrays.copyOfRange(ids, 1, n + 1);
        try (NDScope scope = new NDScope()) {
            if (s.ratio().isPresent()) {
                BeaconLayout layout = BeaconLayout.of(n, model.config().beacon().orElseThrow(), s.ratio().getAsInt());
                return Losses.crossEntropy(model.forwardBeacon(new int[][] {in}, layout), new int[][] {target}).getFloat();
            }
            if (s == Setting.FULL || n <= trainLength)
                return Losses.crossEntropy(model.forward(StepInput.prompt(in, 0), TensorHooks.NONE, LogitsMode.ALL), new int[][] {target}).getFloat();
        }
        // truncated: the first window scored whole, then windows of N moving by N/2, each scoring its second half
        double sum = 0;
        int half = trainLength / 2;
        for (int end = trainLength; end - half < n; end += half) {
            int stop = Math.min(end, n), start = stop - trainLength, from = end == trainLength ? 0 : end - half;
            int[] scored = Arrays.copyOfRange(target, start, stop);
            Arrays.fill(scored, 0, from - start, -1);                                    // context only
            try (NDScope scope = new NDScope()) {
                sum += (stop - from) * (double) Losses.crossEntropy(model.forward(StepInput.prompt(Arrays.copyOfRange(in, start, stop), 0),
                        TensorHooks.NONE, LogitsMode.ALL), new int[][] {scored}).getFloat();
            }
        }
        return sum / n;
    }

    /** The BOS and the last {@code keep − 1} tokens of a prompt (all of it when it is shorter). */
    private static int[] lastTokens(int[] prompt, int keep) {
        if (prompt.length <= keep) return prompt;
        int[] out = new int[keep];
        out[0] = prompt[0];
        System.arraycopy(prompt, prompt.length - keep + 1, out, 1, keep - 1);
        return out;
    }

    /** The first {@code count} documents of the split with at least {@code tokens} tokens (Brown texts in the demo corpus). */
    static List<int[]> longDocuments(Tokenizer tok, Path text, Path cache, String split, int tokens, int count) throws IOException {
        int[] ids = TrainLm.tokens(tok, text, cache, split, Optional.of("\n<|doc|>\n")).ids();
        int bos = tok.bosTokenId().orElseThrow();
        List<int[]> docs = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= ids.length && docs.size() < count; i++)
            if (i == ids.length || ids[i] == bos) {
                if (i - start >= tokens) docs.add(Arrays.copyOfRange(ids, start, i));
                start = i;
            }
        if (docs.size() < count)
            throw new IllegalArgumentException(text + " holds " + docs.size() + " documents of " + tokens + " tokens or more, not " + count);
        return docs;
    }
}
