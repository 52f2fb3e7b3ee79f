package dev.vane.cli;

import dev.vane.lab.tokenizer.BpeTrainerConfig;
import dev.vane.lab.tokenizer.DigitSplit;
import dev.vane.lab.tokenizer.SpecialTokens;
import dev.vane.lab.tokenizer.TrainTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** {@code vane train tokenizer} ({@link TrainTokenizer}). */
@Command(name = "tokenizer", sortOptions = false,
        description = "Train a byte-level BPE tokenizer and write it as a Hugging Face tokenizer directory.")
final class TrainTokenizerCommand extends Leaf {

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
            description = "UTF-8 text files; a directory means every *.txt file below it, sorted")
    List<Path> inputs;
    @Option(names = "--vocab-size", required = true, paramLabel = "N",
            description = "total vocabulary size, special and 256 byte tokens included")
    int vocabSize;
    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "directory to write tokenizer.json and tokenizer_config.json into")
    Path output;
    @Option(names = "--min-frequency", paramLabel = "N",
            description = "least occurrences for a pair to be merged (default " + BpeTrainerConfig.DEFAULT_MIN_FREQUENCY + ")")
    int minFrequency = BpeTrainerConfig.DEFAULT_MIN_FREQUENCY;
    @Option(names = "--digits", paramLabel = "3|1", description =
            "3: runs of digits cut in groups of up to three (Llama 3, default); " +
            "1: every digit its own piece (numbers are digit sequences)")
    DigitSplit digits = DigitSplit.GROUPS_OF_THREE;
    @Option(names = "--special", paramLabel = "TOKEN,TOKEN,...",
            description = "special tokens in the order bos,eos,pad,system,user,assistant,end[,extra...] (default ${DEFAULT-VALUE})")
    String special = String.join(",", SpecialTokens.defaults().all());

    TrainTokenizer.Options options() {
        return options(() -> new TrainTokenizer.Options(inputs, output, new BpeTrainerConfig(vocabSize, minFrequency,
                SpecialTokens.of(Arrays.asList(special.split(",", -1))), digits)));
    }

    @Override
    public Integer call() {
        TrainTokenizer.run(options(), out(), err());
        return 0;
    }
}
