package dev.vane.lab.tokenizer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code vane train tokenizer}: trains a byte-level BPE tokenizer and writes it as a Hugging Face
 * tokenizer directory.
 */
public final class TrainTokenizer {

    private TrainTokenizer() {}

    /**
     * What to train (the flags of {@code vane train tokenizer}).
     *
     * @param inputs UTF-8 text files; a directory means every {@code *.txt} file below it, sorted
     * @param output the directory to write {@code tokenizer.json} and {@code tokenizer_config.json} into
     */
    public record Options(List<Path> inputs, Path output, BpeTrainerConfig config) {
        public Options {
            inputs = List.copyOf(inputs);
        }
    }

    /**
     * Trains and writes the tokenizer, with a summary on {@code out} and a warning on {@code err}
     * when the corpus gave fewer tokens than asked for.
     *
     * @throws TokenizerTrainingException on bad input files or an empty corpus
     */
    public static void run(Options options, PrintStream out, PrintStream err) {
        List<Path> files = Corpus.files(options.inputs());
        BpeModel model = BpeTrainer.train(Corpus.texts(files), options.config());
        model.write(options.output());
        TrainingStats s = model.stats();
        out.printf(Locale.ROOT, "Trained on %d file(s), %d bytes, %d words (%d distinct) in %.2f s%n",
                files.size(), s.bytes(), s.words(), s.distinctWords(), s.seconds());
        out.printf(Locale.ROOT, "Vocabulary %d tokens (%d special, 256 byte, %d merges); wrote %s%n",
                model.vocabSize(), options.config().specialTokens().size(), s.merges(), options.output());
        if (model.vocabSize() < options.config().vocabSize()) {
            err.printf(Locale.ROOT, "Warning: asked for %d tokens, the corpus gave %d (no pair left with at least"
                    + " %d occurrences)%n", options.config().vocabSize(), model.vocabSize(),
                    options.config().minFrequency());
        }
    }
}
