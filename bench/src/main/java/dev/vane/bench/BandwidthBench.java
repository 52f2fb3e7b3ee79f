package dev.vane.bench;

import dev.vane.engine.fixture.Preset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The memory-bound prediction of batch-1 decode on this machine ({@link ReadCeiling}): how fast
 * {@code threads} threads merely read as many bytes as one f16 decode step of a preset reads
 * (every layer's matrices and the LM head). A decode step at batch 1 reads every weight once, so
 * {@code predicted_step_ms = bytes / bandwidth}; {@code DecodeBench --roofline} sets its own steps
 * against the same reads, run by run. Two unmeasured reads first; one JSON line per run.
 */
@Command(name = "vane bench BandwidthBench", sortOptions = false,
        description = "The memory-bound prediction of batch-1 decode: a preset's f16 bytes read by N threads, one JSON line per run.")
public final class BandwidthBench implements Callable<Integer> {

    @Option(names = "--preset", defaultValue = "smollm2-135m", paramLabel = "NAME",
            description = "the geometry whose f16 decode step's bytes are read (${DEFAULT-VALUE})")
    String preset;
    @Option(names = "--bytes", paramLabel = "N", description = "bytes read per run instead of the preset's")
    Long bytes;
    @Option(names = "--threads", defaultValue = "2", paramLabel = "N", description = "reading threads (${DEFAULT-VALUE})")
    int threads;
    @Option(names = "--runs", defaultValue = "5", paramLabel = "N", description = "measured runs (${DEFAULT-VALUE})")
    int runs;

    public static void main(String[] args) {
        BenchCli.main(new BandwidthBench(), args);
    }

    @Override
    public Integer call() throws Exception {
        long n = bytes != null ? bytes : ReadCeiling.f16StepBytes(
                Preset.byId(preset).orElseThrow(() -> new IllegalArgumentException("unknown preset " + preset)).config());
        try (ReadCeiling reads = new ReadCeiling(n, threads)) {
            for (int r = -2; r < runs; r++) {
                double s = reads.read();
                if (r < 0) continue;
                System.out.printf(Locale.ROOT, "{\"bench\":\"bandwidth\",\"model\":\"%s\",\"bytes\":%d,\"threads\":%d,\"run\":%d,"
                                + "\"gb_s\":%.2f,\"predicted_step_ms\":%.3f,\"predicted_tok_s\":%.1f,\"checksum\":%d}%n",
                        bytes != null ? "bytes" : preset, reads.bytes(), threads, r, reads.bytes() / s / 1e9, s * 1e3, 1 / s,
                        reads.checksum());
            }
        }
        return 0;
    }
}
