package dev.vane.lab.tokenizer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Command line: trains a byte-level BPE tokenizer and writes it as a Hugging Face tokenizer directory.
 *
 * <pre>
 * TrainTokenizer --input FILE_OR_DIR [FILE_OR_DIR ...] --vocab-size N --output DIR
 *                [--min-frequency N] [--digits 3|1] [--special BOS,EOS,PAD,SYSTEM,USER,ASSISTANT,END[,EXTRA...]]
 * </pre>
 *
 * <p>Exit status 0 on success, 1 when training fails (bad input files, empty corpus), 2 on a usage error.
 */
public final class TrainTokenizer {
    static final String USAGE = """
            Usage: TrainTokenizer --input FILE_OR_DIR [FILE_OR_DIR ...] --vocab-size N --output DIR
                                  [--min-frequency N] [--digits 3|1] [--special TOKEN,TOKEN,...]
              --input          UTF-8 text files; a directory means every *.txt file below it, sorted
              --vocab-size     total vocabulary size, special and 256 byte tokens included
              --output         directory to write tokenizer.json and tokenizer_config.json into
              --min-frequency  least occurrences for a pair to be merged (default %d)
              --digits         3: runs of digits cut in groups of up to three (Llama 3, default);
                               1: every digit its own piece (numbers are digit sequences)
              --special        special tokens in the order bos,eos,pad,system,user,assistant,end[,extra...]
                               (default %s)
            """.formatted(BpeTrainerConfig.DEFAULT_MIN_FREQUENCY, String.join(",", SpecialTokens.defaults().all()));

    private TrainTokenizer() {}

    /** Runs the command and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the command.
     *
     * @return the exit status: 0 success, 1 training failed, 2 usage error
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(Arrays.asList(args));
        } catch (IllegalArgumentException e) {
            err.println("Error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (options == null) {
            out.print(USAGE);
            return 0;
        }
        try {
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
            return 0;
        } catch (TokenizerTrainingException e) {
            err.println("Error: " + e.getMessage());
            return 1;
        }
    }

    /** Parsed command-line options. */
    record Options(List<Path> inputs, Path output, BpeTrainerConfig config) {
        /** @return the options, or null when help was asked for */
        static Options parse(List<String> args) {
            List<Path> inputs = new ArrayList<>();
            Path output = null;
            Integer vocabSize = null;
            int minFrequency = BpeTrainerConfig.DEFAULT_MIN_FREQUENCY;
            SpecialTokens specials = SpecialTokens.defaults();
            DigitSplit digits = DigitSplit.GROUPS_OF_THREE;
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "-h", "--help" -> {
                        return null;
                    }
                    case "--input" -> {
                        int before = inputs.size();
                        while (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                            inputs.add(Path.of(args.get(++i)));
                        }
                        if (inputs.size() == before) {
                            throw new IllegalArgumentException("--input needs at least one file or directory");
                        }
                    }
                    case "--output" -> output = Path.of(value(args, i++));
                    case "--vocab-size" -> vocabSize = integer(a, value(args, i++));
                    case "--min-frequency" -> minFrequency = integer(a, value(args, i++));
                    case "--digits" -> digits = DigitSplit.parse(value(args, i++));
                    case "--special" -> specials = SpecialTokens.of(Arrays.asList(value(args, i++).split(",", -1)));
                    default -> throw new IllegalArgumentException("Unknown argument: " + a);
                }
            }
            if (inputs.isEmpty()) {
                throw new IllegalArgumentException("--input is required");
            }
            if (vocabSize == null) {
                throw new IllegalArgumentException("--vocab-size is required");
            }
            if (output == null) {
                throw new IllegalArgumentException("--output is required");
            }
            return new Options(List.copyOf(inputs), output, new BpeTrainerConfig(vocabSize, minFrequency, specials, digits));
        }

        private static String value(List<String> args, int i) {
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(args.get(i) + " needs a value");
            }
            return args.get(i + 1);
        }

        private static int integer(String option, String s) {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " needs an integer, got '" + s + "'");
            }
        }
    }
}
