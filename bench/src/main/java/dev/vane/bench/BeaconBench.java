package dev.vane.bench;

import dev.vane.engine.config.BeaconConfig;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.Sequence;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.engine.weights.FileDType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;

/**
 * KV memory and decode speed of one long sequence with and without Activation Beacon, one JSON
 * line per (context, setting): a prompt of C tokens, then greedy decoding through the generator,
 * as the server runs a request. The preset gets beacon settings (window {@code --window}, the
 * beacon copies of q, k and v random, as its other weights are); the KV bytes are those the
 * sequence holds after its prompt.
 */
@Command(name = "vane bench BeaconBench", sortOptions = false,
        description = "KV bytes and decode tokens/s of one long sequence, full KV cache against Activation Beacon ratios.")
public final class BeaconBench implements Callable<Integer> {

    @Mixin
    BenchModel m;
    @Mixin
    EngineThreads engine;
    @Option(names = "--contexts", defaultValue = "4096,16384", split = ",", paramLabel = "C", description = "prompt lengths (${DEFAULT-VALUE})")
    List<Integer> contexts;
    @Option(names = "--ratios", defaultValue = "0,8", split = ",", paramLabel = "R", description = "0 = full KV, else a beacon ratio (${DEFAULT-VALUE})")
    List<Integer> ratios;
    @Option(names = "--window", defaultValue = "1024", paramLabel = "W", description = "beacon window of the preset (${DEFAULT-VALUE})")
    int window;

    public static void main(String[] args) {
        BenchCli.main(new BeaconBench(), args);
    }

    @Override
    public Integer call() throws Exception {
        BenchSetup setup = BenchSetup.of(m, engine);
        if (m.model != null) throw new IllegalArgumentException("BeaconBench runs a --preset (it writes beacon settings beside it)");
        BeaconConfig beacon = new BeaconConfig(window, List.of(2, 4, 8), 1, EnumSet.of(BeaconConfig.Projection.Q,
                BeaconConfig.Projection.K, BeaconConfig.Projection.V));
        Path dir = presetWithBeacon(m.preset, beacon);
        int longest = contexts.stream().mapToInt(Integer::intValue).max().orElseThrow() + setup.genLen() + 16;
        try (CausalLM model = ModelLoader.load(dir, setup.load(longest)); Tokenizer tok = Tokenizer.load(dir)) {
            ModelConfig c = model.config();
            long entryBytes = 2L * c.numLayers() * c.numKvHeads() * c.headDim() * model.kvDType().bytes();
            for (int context : contexts)
                for (int ratio : ratios) {
                    int[] prompt = new int[context];
                    for (int i = 0; i < context; i++) prompt[i] = (int) ((i * 7919L + 13) % c.vocabSize());
                    OptionalInt r = ratio == 0 ? OptionalInt.empty() : OptionalInt.of(ratio);
                    long entries = ratio == 0 ? context : beacon.entriesAfter(context, ratio);
                    int capacity = (int) (ratio == 0 ? context + setup.genLen() + 8 : beacon.extent(context + setup.genLen(), ratio) + 8);
                    long[] times = new long[setup.genLen()];
                    int[] n = {0};
                    try (Generator g = new Generator(model, tok, 1, capacity)) {
                        SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(setup.genLen()).ignoreEos(true).build();
                        long t0 = System.nanoTime();
                        Sequence s = g.newSequence(prompt, greedy, e -> times[n[0]++] = System.nanoTime(), RowHooks.NONE, r);
                        g.run(List.of(s));
                        double prefill = (times[0] - t0) / 1e9, decode = (times[n[0] - 1] - times[0]) / 1e9;
                        System.out.printf(Locale.ROOT, "{\"bench\":\"beacon\",\"model\":\"%s\",\"dtype\":\"%s\",\"kv_dtype\":\"%s\",\"threads\":%d,"
                                        + "\"context\":%d,\"ratio\":%d,\"window\":%d,\"kv_entries\":%d,\"kv_bytes\":%d,\"prefill_s\":%.2f,"
                                        + "\"decode_tok_s\":%.2f,\"gen_len\":%d}%n",
                                setup.label(), setup.dtype().name().toLowerCase(Locale.ROOT), model.kvDType().label(), setup.threads(),
                                context, ratio, window, entries, entries * entryBytes, prefill, (n[0] - 1) / decode, n[0]);
                    }
                }
        }
        return 0;
    }

    /** The preset with beacon settings, written once under {@code target/presets}. */
    static Path presetWithBeacon(String id, BeaconConfig beacon) throws Exception {
        Preset p = Preset.byId(id).orElseThrow(() -> new IllegalArgumentException("unknown preset " + id));
        Path dir = Path.of(System.getProperty("vane.presets", "target/presets"), id + "-beacon-w" + beacon.window());
        if (!Files.exists(dir.resolve("model.safetensors"))) {
            System.err.println("writing preset " + id + " with beacon parameters to " + dir);
            FixtureWriter.write(p.config().withBeacon(Optional.of(beacon)), FileDType.F16, 0, dir);
        }
        return DecodeBench.withTokenizer(dir);
    }
}
