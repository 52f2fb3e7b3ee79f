package dev.vane.lab.train;

import dev.vane.attention.RopeScaling;
import dev.vane.engine.config.Architecture;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.engine.weights.FileDType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * {@code train lm}: tokenises text with a tokenizer directory, creates a Llama model of the
 * requested geometry in {@code --out} (or continues the one there), and trains it.
 *
 * <pre>
 * train lm --tokenizer DIR --train FILE --valid FILE --out DIR
 *          [--layers 6 --hidden 256 --heads 8 --kv-heads 4 --intermediate 704 --context 256]
 *          [--steps 2000 --batch 16 --lr 3e-3 --warmup 100 --min-lr-ratio 0.1 --weight-decay 0.1
 *           --clip 1.0 --eval-every 200 --eval-batches 8 --checkpoint-every 200 --seed 0 --until STEP]
 *          [--doc-separator TEXT]
 * </pre>
 * Re-running the same command resumes from the last checkpoint in {@code --out}.
 *
 * <p>With {@code --doc-separator} (Java escapes allowed, e.g. {@code "\n<|doc|>\n"}) the text files
 * are split into documents, each tokenised as the tokenizer encodes a prompt (its BOS first) and
 * closed by its first EOS id; training windows then start at document starts. Without it a file
 * is one token stream and windows start anywhere.
 */
public final class TrainLm {

    private static final Set<String> FLAGS = Set.of("tokenizer", "train", "valid", "out", "layers", "hidden", "heads",
            "kv-heads", "intermediate", "context", "steps", "batch", "lr", "warmup", "min-lr-ratio", "weight-decay",
            "clip", "eval-every", "eval-batches", "checkpoint-every", "seed", "until", "doc-separator");

    private TrainLm() {}

    public static List<Trainer.Point> run(String[] args) throws IOException {
        Map<String, String> a = parse(args);
        Path tokDir = Path.of(required(a, "tokenizer"));
        Path out = Path.of(required(a, "out"));
        int context = Integer.parseInt(a.getOrDefault("context", "256"));
        TrainConfig cfg = new TrainConfig(
                Integer.parseInt(a.getOrDefault("steps", "2000")),
                Integer.parseInt(a.getOrDefault("batch", "16")),
                context,
                Double.parseDouble(a.getOrDefault("lr", "3e-3")),
                Double.parseDouble(a.getOrDefault("min-lr-ratio", "0.1")),
                Integer.parseInt(a.getOrDefault("warmup", "100")),
                Double.parseDouble(a.getOrDefault("weight-decay", "0.1")),
                Double.parseDouble(a.getOrDefault("clip", "1.0")),
                Integer.parseInt(a.getOrDefault("eval-every", "200")),
                Integer.parseInt(a.getOrDefault("eval-batches", "8")),
                Integer.parseInt(a.getOrDefault("checkpoint-every", "200")),
                Long.parseLong(a.getOrDefault("seed", "0")));
        TokenDataset train, valid;
        Optional<String> separator = Optional.ofNullable(a.get("doc-separator")).map(String::translateEscapes);
        try (Tokenizer tok = Tokenizer.load(tokDir)) {
            train = tokens(tok, Path.of(required(a, "train")), out.resolve("data"), "train", separator);
            valid = tokens(tok, Path.of(required(a, "valid")), out.resolve("data"), "valid", separator);
            if (!Files.exists(out.resolve("config.json"))) {
                int hidden = Integer.parseInt(a.getOrDefault("hidden", "256"));
                int heads = Integer.parseInt(a.getOrDefault("heads", "8"));
                ModelConfig model = new ModelConfig(Architecture.LLAMA, tok.vocabSize(), hidden,
                        Integer.parseInt(a.getOrDefault("intermediate", "704")),
                        Integer.parseInt(a.getOrDefault("layers", "6")), heads,
                        Integer.parseInt(a.getOrDefault("kv-heads", "4")), hidden / heads, 1e-5, 10000,
                        RopeScaling.NONE, context, true, false, OptionalInt.empty(), 0, tok.bosTokenId(),
                        List.copyOf(tok.eosTokenIds()));
                FixtureWriter.write(model, FileDType.F32, cfg.seed(), out, FixtureWriter.Init.TRAINING);
            }
        }
        for (String f : List.of("tokenizer.json", "tokenizer_config.json"))
            if (Files.exists(tokDir.resolve(f)))
                Files.copy(tokDir.resolve(f), out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        int until = Integer.parseInt(a.getOrDefault("until", String.valueOf(cfg.steps())));
        return new Trainer(cfg, out, System.err).run(train, valid, until);
    }

    /**
     * Tokenises a text file once and caches the ids next to the checkpoint: one cache per text file
     * (path and size) and document separator, rebuilt when the text is newer. A resumed run pointed
     * at another corpus tokenises that corpus, even when its file is older than the cache.
     */
    static TokenDataset tokens(Tokenizer tok, Path text, Path dir, String name, Optional<String> separator)
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

    private static String required(Map<String, String> a, String key) {
        String v = a.get(key);
        if (v == null) throw new IllegalArgumentException("--" + key + " is required");
        return v;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length)
                throw new IllegalArgumentException("expected --flag value, got '" + args[i] + "'");
            String k = args[i].substring(2);
            if (!FLAGS.contains(k)) throw new IllegalArgumentException("unknown flag --" + k);
            m.put(k, args[++i]);
        }
        return m;
    }
}
