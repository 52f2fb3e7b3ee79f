package dev.vane.bench;

import dev.vane.engine.model.Backend;
import picocli.CommandLine.Option;

/** Which decoder the benchmarks that load the engine themselves run ({@link Backend#choose}, as the server chooses). */
final class EngineThreads {

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "auto|java|tensor",
            description = "the decoder: auto (the Java kernels for f16, as the server), java or tensor (${DEFAULT-VALUE})")
    String backend;

    Backend.Request request() {
        return Backend.Request.parse(backend);
    }
}
