package dev.vane.bench;

import ai.djl.ndarray.NDScope;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.StepInput;
import dev.vane.engine.weights.FileDType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Prefill and greedy-decode throughput of the engine at batch size B, one JSON line per run.
 *
 * The decoder is chosen as the server chooses it ({@code --backend auto}: the Java kernels for f16).
 * Besides the mean decode rate it reports the median and fastest decode step, which a busy
 * machine disturbs less than the mean.
 *
 * <p>{@code --roofline} (f16, batch 1) sets each run against the memory-bound prediction: just
 * before the run, the threads read as many bytes as one step reads ({@link ReadCeiling}, the
 * median of three reads), and the line adds {@code predicted_step_ms} and
 * {@code step_vs_predicted = step_ms_p50 / predicted_step_ms}. Measuring both in the same minute
 * keeps a host whose memory bandwidth drifts from deciding the ratio.
 *
 * <p>{@code --json-schema FILE} constrains each row to the schema as structured output does (the
 * token mask applied to a copy of the row, the constraint advanced with the chosen token) and adds
 * {@code mask_ms_per_step}, the time of that work per step, and {@code json_documents} completed.
 */
@Command(name = "vane bench DecodeBench", sortOptions = false,
        description = "Prefill and greedy-decode throughput of the engine at batch size B, one JSON line per run.")
public final class DecodeBench implements Callable<Integer> {

    @Mixin
    BenchModel m;
    @Mixin
    EngineThreads engine;
    @Option(names = "--batch", defaultValue = "1", paramLabel = "N", description = "sequences decoded together (${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--runs", defaultValue = "3", paramLabel = "N", description = "measured runs (${DEFAULT-VALUE})")
    int runs;
    @Option(names = "--warmup", defaultValue = "1", paramLabel = "N", description = "unmeasured runs first (${DEFAULT-VALUE})")
    int warmup;
    @Option(names = "--roofline", description = "set each run against the memory-bound prediction (f16, batch 1)")
    boolean roofline;
    @Option(names = "--json-schema", paramLabel = "FILE", description = "structured output: each row's token is the greedy choice among those"
            + " the JSON schema in FILE allows (its mask applied every step, as the server's sampler does); a row whose JSON is complete starts another;"
            + " each run starts the same documents afresh, so after the warm-up run their masks are cached (--warmup 0: a cold first run)")
    Path jsonSchema;

    /** Per row, the structured-output constraint (null without --json-schema), and how to start a new one. */
    private record Constrained(dev.vane.engine.constrain.Grammar grammar, dev.vane.engine.constrain.ConstrainedVocabulary vocabulary,
                               dev.vane.engine.constrain.TokenConstraint[] rows, long[] maskNanos, int[] documents) {
        static Constrained of(Path schema, Path modelDir, int batch) throws Exception {
            var grammar = dev.vane.engine.constrain.Grammar.jsonSchema(new com.fasterxml.jackson.databind.ObjectMapper().readTree(schema.toFile()), false);
            byte[][] bytes;
            try (var tok = dev.vane.engine.tokenizer.Tokenizer.load(withTokenizer(modelDir))) {
                bytes = tok.tokenBytes();
            }
            var c = new Constrained(grammar, new dev.vane.engine.constrain.ConstrainedVocabulary(bytes),
                    new dev.vane.engine.constrain.TokenConstraint[batch], new long[1], new int[1]);
            for (int b = 0; b < batch; b++) c.rows[b] = c.fresh();
            return c;
        }

        dev.vane.engine.constrain.TokenConstraint fresh() {
            return new dev.vane.engine.constrain.TokenConstraint(grammar, vocabulary, new int[0]);
        }
    }

    public static void main(String[] args) {
        BenchCli.main(new DecodeBench(), args);
    }

    @Override
    public Integer call() throws Exception {
        BenchSetup setup = BenchSetup.of(m, engine);
        int threads = setup.threads(), promptLen = setup.promptLen(), genLen = setup.genLen();
        int ctx = promptLen + genLen + 1;
        if (roofline && (batch != 1 || setup.dtype() != ComputeDType.F16))
            throw new IllegalArgumentException("--roofline predicts f16 decode at batch 1; got --dtype "
                    + setup.dtype().name().toLowerCase(Locale.ROOT) + " --batch " + batch);
        Constrained constrained = jsonSchema == null ? null : Constrained.of(jsonSchema, setup.dir(), batch);
        try (CausalLM model = ModelLoader.load(setup.dir(), setup.load(ctx));
             KvCache cache = model.newCache(batch, ctx);
             ReadCeiling reads = roofline ? new ReadCeiling(ReadCeiling.f16StepBytes(model.config()), threads) : null) {
            for (int r = -warmup; r < runs; r++) {
                double predicted = reads == null ? Double.NaN : medianRead(reads);
                long[] steps = new long[genLen];
                if (constrained != null) { // every run writes the same documents: after the warm-up, their masks are cached
                    constrained.maskNanos[0] = 0;
                    constrained.documents[0] = 0;
                    for (int b = 0; b < batch; b++) constrained.rows[b] = constrained.fresh();
                }
                double[] t = run(model, cache, batch, promptLen, genLen, steps, constrained);
                if (r < 0) continue;
                Arrays.sort(steps);
                double p50 = steps[genLen / 2] / 1e6;
                String extra = reads == null ? "" : String.format(Locale.ROOT,
                        ",\"bytes_per_step\":%d,\"predicted_step_ms\":%.3f,\"step_vs_predicted\":%.3f",
                        reads.bytes(), predicted * 1e3, p50 / (predicted * 1e3));
                if (constrained != null)
                    extra += String.format(Locale.ROOT, ",\"json_schema\":\"%s\",\"mask_ms_per_step\":%.3f,\"json_documents\":%d",
                            jsonSchema.getFileName(), constrained.maskNanos[0] / 1e6 / (genLen + 1), constrained.documents[0]);
                System.out.printf(Locale.ROOT,
                        "{\"bench\":\"decode\",\"model\":\"%s\",\"dtype\":\"%s\",\"kv_dtype\":\"%s\",\"threads\":%d,\"backend\":\"%s\",\"batch\":%d,"
                                + "\"prompt_len\":%d,\"gen_len\":%d,\"run\":%d,\"prefill_tok_s\":%.1f,"
                                + "\"decode_tok_s\":%.2f,\"decode_ms_per_step\":%.3f,\"step_ms_p50\":%.3f,\"step_ms_min\":%.3f,"
                                + "\"attention\":\"%s\",\"prefill_attention_ms\":%.1f,\"decode_attention_ms_per_step\":%.3f,\"prefill_allocated_mb\":%.1f%s}%n",
                        setup.label(), setup.dtype().name().toLowerCase(Locale.ROOT), cache.dtype().label(), threads, BenchSetup.name(model.backend()), batch, promptLen, genLen, r,
                        batch * promptLen / t[0], batch * genLen / t[1], 1000 * t[1] / genLen,
                        p50, steps[0] / 1e6, model.attentionTime().kernel(), t[2] * 1e3, t[3] * 1e3 / genLen, t[4] / 1e6, extra);
            }
        }
        return 0;
    }

    /** The median of three reads of a step's bytes, in seconds. */
    private static double medianRead(ReadCeiling reads) throws Exception {
        double[] s = {reads.read(), reads.read(), reads.read()};
        Arrays.sort(s);
        return s[1];
    }

    /**
     * Returns {prefill seconds, decode seconds, prefill attention seconds, decode attention seconds,
     * bytes allocated by every thread during the prefill}; {@code steps} receives each decode step's nanoseconds.
     */
    private static double[] run(CausalLM model, KvCache cache, int batch, int promptLen, int genLen, long[] steps, Constrained constrained) {
        int vocab = model.config().vocabSize();
        int[][] prompts = new int[batch][promptLen];
        int[] slots = new int[batch];
        for (int b = 0; b < batch; b++) {
            slots[b] = b;
            for (int i = 0; i < promptLen; i++) prompts[b][i] = (int) ((i * 7919L + b * 104729L + 13) % vocab);
        }
        Phase[] phase = new Phase[batch];
        boolean[] last = new boolean[batch];
        int[] start = new int[batch];
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        double a0 = model.attentionTime().totalSeconds();
        long alloc0 = threads.getTotalThreadAllocatedBytes();
        long t0 = System.nanoTime();
        Arrays.fill(phase, Phase.PROMPT);
        Arrays.fill(last, true);
        int[][] next = step(model, cache, new StepInput(prompts, start.clone(), slots, phase, last), constrained);
        long t1 = System.nanoTime();
        long alloc1 = threads.getTotalThreadAllocatedBytes();
        double a1 = model.attentionTime().totalSeconds();
        Arrays.fill(phase, Phase.GENERATION);
        Arrays.fill(last, false);
        Arrays.fill(start, promptLen);
        for (int g = 0; g < genLen; g++) {
            long s0 = System.nanoTime();
            next = step(model, cache, new StepInput(next, start.clone(), slots, phase, last), constrained);
            steps[g] = System.nanoTime() - s0;
            for (int b = 0; b < batch; b++) start[b]++;
        }
        long t2 = System.nanoTime();
        return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9, a1 - a0, model.attentionTime().totalSeconds() - a1, alloc1 - alloc0};
    }

    /**
     * One step; each row's next token is its greedy choice (with {@code constrained}, among the
     * tokens its constraint allows: the row's logits copied, masked, and the constraint advanced).
     */
    private static int[][] step(CausalLM model, KvCache cache, StepInput in, Constrained constrained) {
        float[] logits;
        try (NDScope scope = new NDScope()) {
            logits = model.forwardLogits(in, cache, StepHooks.NONE, LogitsMode.LAST);
        }
        int v = model.config().vocabSize();
        int[][] next = new int[in.rows()][1];
        float[] row = constrained == null ? null : new float[v];
        for (int b = 0; b < in.rows(); b++) {
            float[] l = logits;
            int at = b * v;
            long m0 = System.nanoTime();
            if (constrained != null) {
                System.arraycopy(logits, b * v, row, 0, v);
                constrained.rows[b].mask(row);
                l = row;
                at = 0;
            }
            if (constrained != null) constrained.maskNanos[0] += System.nanoTime() - m0;
            int best = 0;
            for (int i = 1; i < v; i++) if (l[at + i] > l[at + best]) best = i;
            next[b][0] = best;
            if (constrained != null) {
                m0 = System.nanoTime();
                constrained.rows[b].accept(best);
                if (constrained.rows[b].finished()) {
                    constrained.rows[b] = constrained.fresh();
                    constrained.documents[0]++;
                }
                constrained.maskNanos[0] += System.nanoTime() - m0;
            }
        }
        return next;
    }

    /** Writes a preset once (f16 weights, seed 0) under {@code target/presets} and reuses it. */
    static Path presetDir(String id) throws Exception {
        Preset p = Preset.byId(id).orElseThrow(() -> new IllegalArgumentException("unknown preset " + id));
        Path dir = Path.of(System.getProperty("vane.presets", "target/presets"), id);
        if (!Files.exists(dir.resolve("model.safetensors"))) {
            System.err.println("writing preset " + id + " to " + dir);
            FixtureWriter.write(p.config(), FileDType.F16, 0, dir);
        }
        return dir;
    }

    /** A preset has no tokenizer; the Llama 3 tokenizer of the test resources is copied in (once). A GGUF file carries its own. */
    static Path withTokenizer(Path dir) throws java.io.IOException {
        if (ModelLoader.isGguf(dir)) return dir;
        if (!Files.exists(dir.resolve("tokenizer.json")))
            for (String f : java.util.List.of("tokenizer.json", "tokenizer_config.json"))
                Files.copy(Path.of("engine/src/test/resources/tokenizers/llama3", f), dir.resolve(f));
        return dir;
    }
}
