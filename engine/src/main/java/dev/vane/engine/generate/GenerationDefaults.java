package dev.vane.engine.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.engine.gguf.GgufException;
import dev.vane.engine.gguf.GgufFile;
import dev.vane.engine.gguf.GgufValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A model's sampling defaults from its {@code generation_config.json} ({@code temperature},
 * {@code top_p}, {@code top_k}, {@code min_p}, {@code repetition_penalty}): what a request that
 * leaves a field out gets, as vLLM does with its generation config. The other keys of the file
 * ({@code do_sample}, {@code max_length}, token ids) are not sampling defaults here. A GGUF file
 * carries the same five under llama.cpp's keys ({@link #GGUF_KEYS}).
 */
public record GenerationDefaults(OptionalDouble temperature, OptionalDouble topP, OptionalInt topK, OptionalDouble minP,
                                 OptionalDouble repetitionPenalty) {

    public static final GenerationDefaults NONE = new GenerationDefaults(OptionalDouble.empty(), OptionalDouble.empty(),
            OptionalInt.empty(), OptionalDouble.empty(), OptionalDouble.empty());

    /** The file's name in a model directory. */
    public static final String FILE = "generation_config.json";

    /** llama.cpp's GGUF metadata key of each default, by its {@code generation_config.json} name. */
    public static final Map<String, String> GGUF_KEYS = Map.of("temperature", "general.sampling.temp",
            "top_p", "general.sampling.top_p", "top_k", "general.sampling.top_k", "min_p", "general.sampling.min_p",
            "repetition_penalty", "general.sampling.penalty_repeat");

    /** Each default that is set, by its {@code generation_config.json} name, in the order of the record. */
    public Map<String, Number> values() {
        Map<String, Number> m = new LinkedHashMap<>();
        temperature.ifPresent(v -> m.put("temperature", v));
        topP.ifPresent(v -> m.put("top_p", v));
        topK.ifPresent(v -> m.put("top_k", v));
        minP.ifPresent(v -> m.put("min_p", v));
        repetitionPenalty.ifPresent(v -> m.put("repetition_penalty", v));
        return m;
    }

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
        values().forEach((k, v) -> s.add(k + " " + v));
        return String.join(", ", s);
    }

    /**
     * The defaults of the model {@code model}: a directory's {@code generation_config.json} (none
     * without the file), or a GGUF file's {@code general.sampling.*} metadata.
     *
     * @throws IllegalArgumentException naming the file and the key when a value has the wrong type
     *         or is out of the range a request may ask for
     */
    public static GenerationDefaults read(Path model) {
        if (Files.isRegularFile(model) && model.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf")) {
            try (GgufFile g = GgufFile.open(model, Long.MAX_VALUE)) {
                return checked(model, fromGguf(g.metadata()));
            } catch (GgufException e) {
                throw new IllegalArgumentException(model + ": " + e.getMessage(), e);
            }
        }
        Path file = model.resolve(FILE);
        if (!Files.isDirectory(model) || !Files.isRegularFile(file)) return NONE;
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(file + ": not a JSON object");
        return checked(file, new GenerationDefaults(number(file, root, "temperature"), number(file, root, "top_p"),
                integer(file, root, "top_k"), number(file, root, "min_p"), number(file, root, "repetition_penalty")));
    }

    /** {@code d}, once a request with exactly these fields would be valid. */
    private static GenerationDefaults checked(Path file, GenerationDefaults d) {
        try {
            d.builder().build();
        } catch (InvalidSamplingParamsException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        return d;
    }

    /** The defaults GGUF metadata holds under {@link #GGUF_KEYS}; a key of another type is refused by name. */
    static GenerationDefaults fromGguf(Map<String, GgufValue> metadata) {
        return new GenerationDefaults(ggufNumber(metadata, "temperature"), ggufNumber(metadata, "top_p"),
                ggufInteger(metadata, "top_k"), ggufNumber(metadata, "min_p"), ggufNumber(metadata, "repetition_penalty"));
    }

    private static OptionalDouble ggufNumber(Map<String, GgufValue> metadata, String name) {
        GgufValue v = metadata.get(GGUF_KEYS.get(name));
        if (v == null) return OptionalDouble.empty();
        return switch (v.type()) {
            case FLOAT32 -> OptionalDouble.of(Double.parseDouble(Float.toString((Float) v.value()))); // 1.3f reads 1.3, as written
            case FLOAT64 -> OptionalDouble.of((Double) v.value());
            default -> throw new GgufException("'" + GGUF_KEYS.get(name) + "' must be a float, got " + v.type());
        };
    }

    private static OptionalInt ggufInteger(Map<String, GgufValue> metadata, String name) {
        GgufValue v = metadata.get(GGUF_KEYS.get(name));
        if (v == null) return OptionalInt.empty();
        if (!v.isInteger() || v.asLong() < Integer.MIN_VALUE || v.asLong() > Integer.MAX_VALUE)
            throw new GgufException("'" + GGUF_KEYS.get(name) + "' must be a 32-bit integer, got " + v.type() + " " + v.value());
        return OptionalInt.of((int) v.asLong());
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
