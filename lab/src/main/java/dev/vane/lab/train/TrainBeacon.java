package dev.vane.lab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import dev.vane.engine.config.BeaconConfig;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.model.BeaconLayout;
import dev.vane.engine.model.CheckpointWriter;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.engine.weights.FileDType;
import dev.vane.lab.data.PassKeys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * {@code train beacon}: Activation Beacon parameters for a checkpoint whose own weights stay
 * frozen (Zhang et al., arXiv 2401.03462): the beacon embedding and the beacon copies of the
 * attention projections learn by next-token prediction on the raw tokens of long sequences read
 * in the beacon layout, each window at a ratio drawn from the trained ratios.
 *
 * <p>A sequence is {@code seqLen} raw tokens: with probability {@code passKeyShare} a pass-key
 * document ({@link PassKeys}) of a random length between a quarter and all of it, after corpus text
 * that fills the rest; otherwise a window of the corpus, whose documents (Brown texts, dialogues,
 * pass-key and ICL episodes) follow one another. The loss is the mean over raw tokens, a pass-key
 * document's answer (its key and closing period) weighing {@code answerWeight} times a token: the
 * few tokens that only the memory can predict. The first run writes the base checkpoint with the
 * beacon settings into {@code out}, where the parameters start as the base projections (and the
 * embedding as the EOS row), as the reference does; re-running the same command resumes.
 */
public final class TrainBeacon {

    private TrainBeacon() {}

    /**
     * @param model        the base checkpoint (read once, when {@code out} holds no model yet)
     * @param settings     window, trained ratios, sink and projections of the beacon parameters
     * @param config       the run; {@code seqLen} is the raw tokens per sequence
     * @param passKeyShare the fraction of sequences that are pass-key documents
     * @param answerWeight the weight of a pass-key answer's tokens in the loss (1: as any token)
     * @param until        the step to stop after
     */
    public record Options(Path model, Path train, Path valid, Path out, BeaconConfig settings, TrainConfig config,
                          double passKeyShare, double answerWeight, int until, Optional<String> docSeparator) {
        public Options {
            if (!(passKeyShare >= 0 && passKeyShare <= 1)) throw new IllegalArgumentException("--passkey-share must be in [0, 1], got " + passKeyShare);
            if (!(answerWeight >= 1 && answerWeight <= 1000)) throw new IllegalArgumentException("--answer-weight must be in [1, 1000], got " + answerWeight);
            if (config.seqLen() < settings.window())
                throw new IllegalArgumentException("--length " + config.seqLen() + " is shorter than the beacon window " + settings.window()
                        + ": no window would close");
        }
    }

    public static List<Trainer.Point> run(Options o) throws IOException {
        Path out = o.out();
        if (!Files.exists(out.resolve("config.json"))) {
            ModelConfig base = HfConfig.read(o.model());
            if (base.beacon().isPresent())
                throw new IllegalArgumentException("--model " + o.model() + " already has beacon parameters; train them further with --out there");
            try (TensorDecoder m = ModelLoader.loadTensor(o.model(), ComputeDType.F32, 0)) {
                CheckpointWriter.write(base.withBeacon(Optional.of(o.settings())), m.weights(), out, FileDType.F32);
            }
            for (String f : List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json"))
                if (Files.exists(o.model().resolve(f))) Files.copy(o.model().resolve(f), out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        } else {
            Optional<BeaconConfig> existing = HfConfig.read(out).beacon();
            if (!existing.equals(Optional.of(o.settings())))
                throw new IllegalArgumentException("the model in " + out + " has beacon settings " + existing.map(Object::toString).orElse("none")
                        + ", not those of this command (" + o.settings() + ")");
        }
        try (Tokenizer tok = Tokenizer.load(out)) {
            TokenDataset train = TrainLm.tokens(tok, o.train(), out.resolve("data"), "train", o.docSeparator());
            TokenDataset valid = TrainLm.tokens(tok, o.valid(), out.resolve("data"), "valid", o.docSeparator());
            Objective objective = new Objective(o, tok, train, valid);
            return new Trainer(o.config(), out, System.err).run(objective, Math.min(o.until(), o.config().steps()));
        }
    }

    /** Next-token loss on raw tokens, beacon parameters only. */
    static final class Objective implements Trainer.Objective {
        private final Options o;
        private final Tokenizer tok;
        private final TokenDataset train, valid;

        Objective(Options o, Tokenizer tok, TokenDataset train, TokenDataset valid) {
            this.o = o;
            this.tok = tok;
            this.train = train;
            this.valid = valid;
        }

        @Override
        public NDList parameters(TensorDecoder model) {
            return model.beaconParameters().orElseThrow(() -> new IllegalStateException("the model has no beacon settings")).parameters();
        }

        /** At most every raw token with a beacon after every second one, after the sink. */
        @Override
        public int positions() {
            return o.settings().sinkSize() + o.config().seqLen() * 3 / 2 + o.settings().window() + 1;
        }

        @Override
        public Trainer.Loss loss(TensorDecoder model, int step) {
            Batch b = batch(train, o.config().seed(), step);
            return new Trainer.Loss(Losses.crossEntropy(model.forwardBeacon(b.inputs(), b.layout()), b.targets(), b.weights()),
                    (long) b.inputs().length * b.inputs()[0].length);
        }

        @Override
        public double validate(TensorDecoder model) {
            double sum = 0;
            for (int i = 0; i < o.config().evalBatches(); i++) {
                Batch b = batch(valid, -1, i);
                try (NDScope s = new NDScope()) {
                    sum += Losses.crossEntropy(model.forwardBeacon(b.inputs(), b.layout()), b.targets()).getFloat();
                }
            }
            return sum / o.config().evalBatches();
        }

        /** Step {@code step}'s sequences, targets and layout: a function of (seed, step) only. */
        Batch batch(TokenDataset data, long seed, int step) {
            int n = o.config().seqLen(), rows = o.config().batchSize();
            SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step + 0x5EAC0L);
            TokenDataset.Batch corpus = data.batch(seed, step, rows, n);
            int[][] in = corpus.inputs(), target = corpus.targets();
            float[][] weight = new float[rows][n];
            for (int r = 0; r < rows; r++) {
                java.util.Arrays.fill(weight[r], 1f);
                if (rng.nextDouble() < o.passKeyShare()) {
                    PassKeySequence p = passKeySequence(data, rng, n + 1);
                    in[r] = java.util.Arrays.copyOfRange(p.ids(), 0, n);
                    target[r] = java.util.Arrays.copyOfRange(p.ids(), 1, n + 1);
                    for (int i = Math.max(p.answer(), 1); i < n; i++) weight[r][i - 1] = (float) o.answerWeight(); // target i − 1 predicts token i; token n is EOS
                }
            }
            List<Integer> ratios = o.settings().ratios();
            int windows = (n + o.settings().window() - 1) / o.settings().window();
            int[] ratioOf = new int[windows];
            for (int k = 0; k < windows; k++) ratioOf[k] = ratios.get(rng.nextInt(ratios.size()));
            return new Batch(in, target, weight, BeaconLayout.of(n, o.settings().window(), o.settings().sinkSize(), k -> ratioOf[k]));
        }

        /** A sequence ending with a pass-key document; {@code answer}: the index of its answer's first token. */
        record PassKeySequence(int[] ids, int answer) {}

        /** {@code length} tokens: corpus text, then a pass-key document of a quarter to all of them that ends with its answer. */
        private PassKeySequence passKeySequence(TokenDataset data, SplittableRandom rng, int length) {
            int target = length / 4 + rng.nextInt(length - length / 4 + 1);
            String key = Integer.toString(10_000 + rng.nextInt(90_000));
            int chars = PassKeys.CHARS_PER_TOKEN * target;
            int[] doc;
            PassKeys.Example example;
            do {
                example = PassKeys.make(key, chars, rng);
                doc = documentIds(example.withAnswer());
                chars = chars * 9 / 10;
            } while (doc.length > length && chars > 64);
            int answer = (tok.addsBosToken() ? 0 : 1) + tok.encode(example.text(), true).length; // after the text's ids, as documentIds lays them
            if (doc.length > length) {
                answer -= doc.length - length;
                doc = java.util.Arrays.copyOfRange(doc, doc.length - length, doc.length);
            }
            int[] seq = new int[length];
            int fill = length - doc.length;
            if (fill > 0) System.arraycopy(data.batch(rng.nextLong(), 0, 1, fill).inputs()[0], 0, seq, 0, fill);
            System.arraycopy(doc, 0, seq, fill, doc.length);
            return new PassKeySequence(seq, fill + answer);
        }

        /** A document as {@code train lm}'s corpus holds one ({@link TrainLm#tokens}): BOS, its ids, EOS. */
        private int[] documentIds(String text) {
            java.util.stream.IntStream.Builder b = java.util.stream.IntStream.builder();
            if (!tok.addsBosToken()) b.add(tok.bosTokenId().orElseThrow());
            for (int id : tok.encode(text, true)) b.add(id);
            b.add(java.util.Collections.min(tok.eosTokenIds()));
            return b.build().toArray();
        }
    }

    /** One step's inputs, targets and loss weights {@code [B][N]} and the layout all rows share. */
    record Batch(int[][] inputs, int[][] targets, float[][] weights, BeaconLayout layout) {}
}
