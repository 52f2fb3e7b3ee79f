package dev.vane.lab.train;

import dev.vane.attention.AttentionKind;
import dev.vane.attention.RopeScaling;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.config.Architecture;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.engine.weights.FileDType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.IntStream;

/**
 * {@code train lm}: tokenises text with a tokenizer directory, creates a Llama model of the
 * requested geometry in {@code --out} (or continues the one there), and trains it.
 *
 * Re-running the same command resumes from the last checkpoint in {@code --out}.
 *
 * <p>With {@code --doc-separator} (Java escapes allowed, e.g. {@code "\n<|doc|>\n"}) the text files
 * are split into documents, each tokenised as the tokenizer encodes a prompt (its BOS first) and
 * closed by its first EOS id; training windows then start at document starts. Without it a file
 * is one token stream and windows start anywhere.
 */
public final class TrainLm {

    private TrainLm() {}

    /**
     * What to train (the flags of {@code vane train lm}); the geometry is used only when
     * {@code out} holds no model yet.
     *
     * @param docSeparator the text between documents, escapes already translated
     * @param until        the step to stop after (at most {@code config.steps()})
     * @param attention    the attention function of a new model (softmax when empty); a resumed
     *                     model must have been created with it
     */
    public record Options(Path tokenizer, Path train, Path valid, Path out, int layers, int hidden, int heads, int kvHeads,
                          int intermediate, TrainConfig config, int until, Optional<String> docSeparator,
                          Optional<AttentionKind> attention) {

        public Options(Path tokenizer, Path train, Path valid, Path out, int layers, int hidden, int heads, int kvHeads,
                       int intermediate, TrainConfig config, int until, Optional<String> docSeparator) {
            this(tokenizer, train, valid, out, layers, hidden, heads, kvHeads, intermediate, config, until, docSeparator, Optional.empty());
        }
    }

    public static List<Trainer.Point> run(Options o) throws IOException {
        Path tokDir = o.tokenizer();
        Path out = o.out();
        TrainConfig cfg = o.config();
        int context = cfg.seqLen();
        TokenDataset train, valid;
        Optional<String> separator = o.docSeparator();
        try (Tokenizer tok = Tokenizer.load(tokDir)) {
            train = tokens(tok, o.train(), out.resolve("data"), "train", separator);
            valid = tokens(tok, o.valid(), out.resolve("data"), "valid", separator);
            if (!Files.exists(out.resolve("config.json"))) {
                int hidden = o.hidden();
                int heads = o.heads();
                ModelConfig model = new ModelConfig(Architecture.LLAMA, tok.vocabSize(), hidden, o.intermediate(),
                        o.layers(), heads, o.kvHeads(), hidden / heads, 1e-5, 10000,
                        RopeScaling.NONE, context, true, false, OptionalInt.empty(), 0, tok.bosTokenId(),
                        List.copyOf(tok.eosTokenIds()), o.attention().orElse(AttentionKind.SOFTMAX));
                FixtureWriter.write(model, FileDType.F32, cfg.seed(), out, FixtureWriter.Init.TRAINING);
            } else if (o.attention().isPresent()) {
                AttentionKind existing = HfConfig.read(out).attention();
                if (!existing.equals(o.attention().get()))
                    throw new IllegalArgumentException("--attention: the model in " + out + " was created with " + existing
                            + " attention, not " + o.attention().get());
            }
        }
        for (String f : List.of("tokenizer.json", "tokenizer_config.json"))
            if (Files.exists(tokDir.resolve(f)))
                Files.copy(tokDir.resolve(f), out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        int until = o.until();
        return new Trainer(cfg, out, System.err).run(train, valid, until);
    }

    /**
     * Tokenises a text file once and caches the ids next to the checkpoint: one cache per text file
     * (path and size) and document separator, rebuilt when the text is newer. A resumed run pointed
     * at another corpus tokenises that corpus, even when its file is older than the cache.
     */
    public static TokenDataset tokens(Tokenizer tok, Path text, Path dir, String name, Optional<String> separator)
            throws IOException {
        if (!Files.exists(text)) throw new IllegalArgumentException("no such file: " + text);
        OptionalInt docStart = separator.isPresent() ? documentStart(tok) : OptionalInt.empty();
        String source = Integer.toHexString(java.util.Objects.hash(text.toAbsolutePath().normalize().toString(), Files.size(text)));
        Path cache = dir.resolve(separator.map(sep -> name + "-docs-" + Integer.toHexString(sep.hashCode())).orElse(name)
                + "-" + source + ".tokens");
        if (Files.exists(cache) && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(text)) > 0)
            return TokenDataset.read(cache, docStart);
        String all = Files.readString(text);
        int[] ids;
        if (separator.isEmpty()) {
            ids = tok.encode(all, false);
        } else {
            if (tok.eosTokenIds().isEmpty())
                throw new IllegalArgumentException("--doc-separator needs a tokenizer with an EOS token");
            int eos = java.util.Collections.min(tok.eosTokenIds());
            IntStream.Builder b = IntStream.builder();
            for (String doc : all.split(java.util.regex.Pattern.quote(separator.get()))) {
                if (doc.isBlank()) continue;
                if (!tok.addsBosToken()) b.add(docStart.getAsInt());
                for (int id : tok.encode(doc.strip(), true)) b.add(id);
                b.add(eos);
            }
            ids = b.build().toArray();
        }
        TokenDataset.write(ids, cache);
        return new TokenDataset(ids, docStart);
    }

    private static OptionalInt documentStart(Tokenizer tok) {
        if (tok.bosTokenId().isEmpty())
            throw new IllegalArgumentException("--doc-separator needs a tokenizer with a BOS token");
        return tok.bosTokenId();
    }
}
