package dev.vane.bench;

import picocli.CommandLine.Option;

/** Overrides of the server's thread set-up for the benchmarks that load the engine themselves ({@link DecodeBench#engineThreads}). */
final class EngineThreads {

    @Option(names = "--java-kernel", paramLabel = "N",
            description = "Java decode-path threads; 0 selects PyTorch (default: the server's choice for the dtype)")
    Integer javaKernel;
    @Option(names = "--torch-threads", paramLabel = "N",
            description = "PyTorch intra-op threads (default: 1 beside the Java path, else --threads)")
    Integer torchThreads;
}
