package dev.vane.bench;

import dev.vane.engine.cache.KvDType;
import dev.vane.engine.model.AttentionChoice;
import dev.vane.engine.model.Backend;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.LoadOptions;
import dev.vane.engine.model.WeightCache;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The options every generation benchmark shares ({@link BenchModel}, {@link EngineThreads}): the
 * model loads as the server loads it ({@link #load}).
 */
record BenchSetup(int threads, ComputeDType dtype, Optional<KvDType> kv, Backend.Request backend, int promptLen, int genLen, Path dir, String label,
                  AttentionChoice attention) {

    static BenchSetup of(BenchModel m, EngineThreads t) throws Exception {
        return new BenchSetup(m.threads, m.dtype, m.kv(), t.request(), m.promptLen, m.genLen, m.dir(), m.label(), m.attentionChoice());
    }

    /** How the model loads, for a context of {@code positions}. */
    LoadOptions load(int positions) {
        return new LoadOptions(Optional.of(dtype), positions, backend, threads, WeightCache.OFF, kv, attention);
    }

    /** The chosen backend's kind for the JSON lines: {@code java} or {@code tensor}. */
    static String name(Backend b) {
        return b.kind().name().toLowerCase(Locale.ROOT);
    }
}
