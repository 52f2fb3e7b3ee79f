package dev.vane.engine.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A model's sampling defaults from its {@code generation_config.json} ({@code temperature},
 * {@code top_p}, {@code top_k}, {@code min_p}, {@code repetition_penalty}): what a request that
 * leaves a field out gets, as vLLM does with its generation config. The other keys of the file
 * ({@code do_sample}, {@code max_length}, token ids) are not sampling defaults here.
 */
public record GenerationDefaults(OptionalDouble temperature, OptionalDouble topP, OptionalInt topK, OptionalDouble minP,
                                 OptionalDouble repetitionPenalty) {

    public static final GenerationDefaults NONE = new GenerationDefaults(OptionalDouble.empty(), OptionalDouble.empty(),
            OptionalInt.empty(), OptionalDouble.empty(), OptionalDouble.empty());

    /** The file's name in a model directory. */
    public static final String FILE = "generation_config.json";

    /** A request's builder, starting from these defaults. */
    public SamplingParams.Builder builder() {
        SamplingParams.Builder b = SamplingParams.builder();
        temperature.ifPresent(b::temperature);
        topP.ifPresent(b::topP);
        topK.ifPresent(b::topK);
        minP.ifPresent(b::minP);
        repetitionPenalty.ifPresent(b::repetitionPenalty);
        return b;
    }

    /** The defaults as {@code key value} words, for the log; empty when there are none. */
    public String describe() {
        List<String> s = new ArrayList<>();
        temperature.ifPresent(v -> s.add("temperature " + v));
        topP.ifPresent(v -> s.add("top_p " + v));
        topK.ifPresent(v -> s.add("top_k " + v));
        minP.ifPresent(v -> s.add("min_p " + v));
        repetitionPenalty.ifPresent(v -> s.add("repetition_penalty " + v));
        return String.join(", ", s);
    }

    /**
     * The defaults of the model directory {@code dir} (none without the file, or for a GGUF file).
     *
     * @throws IllegalArgumentException naming the file and the key when a value has the wrong type
     *         or is out of the range a request may ask for
     */
    public static GenerationDefaults read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isDirectory(dir) || !Files.isRegularFile(file)) return NONE;
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(file + ": not a JSON object");
        GenerationDefaults d = new GenerationDefaults(number(file, root, "temperature"), number(file, root, "top_p"),
                integer(file, root, "top_k"), number(file, root, "min_p"), number(file, root, "repetition_penalty"));
        try {
            d.builder().build();
        } catch (InvalidSamplingParamsException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        return d;
    }

    private static OptionalDouble number(Path file, JsonNode root, String key) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) return OptionalDouble.empty();
        if (!v.isNumber()) throw new IllegalArgumentException(file + ": " + key + " must be a number, got " + v);
        return OptionalDouble.of(v.doubleValue());
    }

    private static OptionalInt integer(Path file, JsonNode root, String key) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) return OptionalInt.empty();
        if (!v.isIntegralNumber() || !v.canConvertToInt())
            throw new IllegalArgumentException(file + ": " + key + " must be an integer, got " + v);
        return OptionalInt.of(v.intValue());
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "GenerationDefaults[%s]", describe());
    }
}
