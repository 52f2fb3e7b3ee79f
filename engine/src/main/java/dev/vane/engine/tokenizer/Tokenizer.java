package dev.vane.engine.tokenizer;

import ai.djl.huggingface.tokenizers.jni.LibUtils;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A Hugging Face tokenizer loaded from a model directory ({@code tokenizer.json} plus the optional
 * {@code tokenizer_config.json}, {@code generation_config.json} and {@code chat_template.jinja}).
 *
 * <p>Encoding and decoding run in the Rust {@code tokenizers} library through DJL's JNI binding
 * ({@link TokenizersLibrary}), used directly rather than through DJL's {@code HuggingFaceTokenizer}
 * wrapper: that wrapper truncates to 512 tokens by default, may lower-case or strip accents and
 * applies {@code clean_up_tokenization_spaces} on decode, none of which an inference server wants.
 * Padding and truncation configured in {@code tokenizer.json} are switched off, as HF transformers
 * does for a plain {@code tokenizer(text)} call.
 *
 * <p><b>Special tokens.</b> {@code encode(text, true)} adds exactly what the {@code post_processor} of
 * {@code tokenizer.json} adds, which is what HF's {@code tokenizer(text)} does for a
 * {@code PreTrainedTokenizerFast}. A {@code TemplateProcessing} post-processor (current Llama 3
 * releases) prepends the BOS token; a plain {@code ByteLevel} one (Qwen, and the early Llama 3
 * conversion used in the test fixtures) adds nothing. {@link #addsBosToken()} says which.
 *
 * <p><b>Decoding</b> is lossless: it is the raw {@code tokenizers} decode, without HF's optional
 * {@code clean_up_tokenization_spaces} post-pass (which rewrites e.g. {@code " ."} to {@code "."});
 * this keeps {@code decode(encode(s)) == s} and makes streaming decode consistent. Ids unknown to the
 * vocabulary are skipped, as in HF.
 *
 * <p><b>Thread safety.</b> Instances are safe for concurrent {@link #encode} and {@link #decode}
 * calls without serialisation: DJL's JNI functions for encode and decode only use the Rust
 * {@code Tokenizer} through shared references, and that type is {@code Send + Sync} (its BPE cache
 * is behind a lock). Nothing mutates the native tokenizer after construction. A read/write lock
 * only keeps {@link #close()} from freeing the native handle while calls are in flight.
 */
public final class Tokenizer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private static final List<String> TEMPLATE_SPECIAL_KEYS =
            List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token");

    private final long handle;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private final String[] idToToken;
    private final Map<String, Integer> tokenToId;
    private final int vocabSize;
    private final OptionalInt bosTokenId;
    private final OptionalInt padTokenId;
    private final Set<Integer> eosTokenIds;
    private final ChatTemplate chatTemplate;
    private final boolean addsBosToken;
    private final int longestTokenBytes;
    private final Vocab vocab;
    private volatile byte[][] tokenBytes;

    private Tokenizer(long handle, Vocab vocab, Config config, ChatTemplate chatTemplate) {
        this.handle = handle;
        this.vocab = vocab;
        this.idToToken = vocab.idToToken;
        this.tokenToId = vocab.tokenToId;
        this.vocabSize = vocab.size;
        this.bosTokenId = config.bos;
        this.padTokenId = config.pad;
        this.eosTokenIds = config.eos;
        this.chatTemplate = chatTemplate;
        boolean bos = false;
        if (bosTokenId.isPresent()) {
            int[] with = encode("a", true);
            int[] without = encode("a", false);
            bos = with.length > without.length && with[0] == bosTokenId.getAsInt();
        }
        this.addsBosToken = bos;
        int longest = 1;
        for (String t : idToToken)
            if (t != null) longest = Math.max(longest, t.getBytes(StandardCharsets.UTF_8).length);
        this.longestTokenBytes = longest;
    }

    /**
     * Loads the tokenizer of a Hugging Face model directory.
     *
     * @param modelDir directory holding {@code tokenizer.json} and optionally {@code tokenizer_config.json},
     *     {@code generation_config.json} ({@code eos_token_id} an int or a list) and {@code chat_template.jinja}
     * @return the loaded tokenizer; close it to free its native memory
     * @throws TokenizerException if a file is missing (tokenizer.json) or malformed; the message names the file
     */
    public static Tokenizer load(Path modelDir) {
        Objects.requireNonNull(modelDir, "modelDir");
        if (!Files.isDirectory(modelDir)) {
            throw new TokenizerException("Model directory not found: " + modelDir);
        }
        Path tokenizerJson = modelDir.resolve("tokenizer.json");
        byte[] tokenizerBytes = readRequired(tokenizerJson);
        JsonNode config = readOptionalJson(modelDir.resolve("tokenizer_config.json"));
        JsonNode generation = readOptionalJson(modelDir.resolve("generation_config.json"));
        return build(modelDir, tokenizerJson, tokenizerBytes, config, generation, chatTemplateSource(modelDir, config));
    }

    /**
     * The tokenizer a GGUF model file carries ({@code tokenizer.ggml.*}, byte-level BPE): its
     * vocabulary, merges, token types, pre-tokeniser, special ids and chat template, turned into
     * the {@code tokenizer.json} and {@code tokenizer_config.json} they stand for
     * ({@link GgufTokenizer}).
     *
     * @throws TokenizerException naming the file and key when the tokenizer is missing or of a kind Vane does not read
     */
    public static Tokenizer fromGguf(dev.vane.engine.gguf.GgufFile file) {
        GgufTokenizer t = GgufTokenizer.of(file);
        byte[] bytes = t.tokenizerJson().getBytes(StandardCharsets.UTF_8);
        return build(file.path(), file.path(), bytes, t.config(), t.generation(), t.chatTemplate());
    }

    /** A tokenizer from {@code tokenizer.json} bytes and the optional configs; {@code source} names them in errors. */
    private static Tokenizer build(Path dir, Path source, byte[] tokenizerBytes, JsonNode config, JsonNode generation, String templateSource) {
        Vocab vocab = Vocab.parse(source, tokenizerBytes);
        Config cfg = Config.resolve(dir, config, generation, vocab);
        ChatTemplate template = null;
        if (templateSource != null) {
            try {
                template = ChatTemplate.compile(templateSource, templateVariables(config));
            } catch (ChatTemplateException e) {
                throw new TokenizerException("Invalid chat template in " + dir + ": " + e.getMessage(), e);
            }
        }

        long handle = createNative(source, new String(tokenizerBytes, StandardCharsets.UTF_8));
        try {
            return new Tokenizer(handle, vocab, cfg, template);
        } catch (RuntimeException e) {
            TokenizersLibrary.LIB.deleteTokenizer(handle);
            throw e;
        }
    }

    private static long createNative(Path file, String json) {
        try {
            LibUtils.checkStatus();
            long h = TokenizersLibrary.LIB.createTokenizerFromString(json);
            if (h == 0) {
                throw new TokenizerException("Cannot create tokenizer from " + file);
            }
            TokenizersLibrary.LIB.disablePadding(h);
            TokenizersLibrary.LIB.disableTruncation(h);
            return h;
        } catch (TokenizerException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new TokenizerException("Cannot create tokenizer from " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Encodes text to token ids.
     *
     * @param text the text; special-token strings in it (e.g. {@code <|im_end|>}) are recognised as in HF.
     *     An unpaired UTF-16 surrogate (not valid Unicode text) is encoded as U+FFFD.
     * @param addSpecialTokens whether to apply the post-processor's special tokens (BOS for models whose
     *     tokenizer.json asks for it), as HF's {@code tokenizer(text)} does
     * @return the token ids
     */
    public int[] encode(String text, boolean addSpecialTokens) {
        Objects.requireNonNull(text, "text");
        var lock = lifecycle.readLock();
        lock.lock();
        try {
            ensureOpen();
            long encoding = TokenizersLibrary.LIB.encode(handle, replaceLoneSurrogates(text), addSpecialTokens);
            try {
                long[] ids = TokenizersLibrary.LIB.getTokenIds(encoding);
                int[] out = new int[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    out[i] = (int) ids[i];
                }
                return out;
            } finally {
                TokenizersLibrary.LIB.deleteEncoding(encoding);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Decodes token ids to text (lossless, no {@code clean_up_tokenization_spaces}). Ids outside the
     * vocabulary are skipped, as HF does; incomplete UTF-8 byte sequences become U+FFFD.
     *
     * @param ids token ids
     * @param skipSpecialTokens whether to drop special tokens (e.g. {@code <|eot_id|>}) from the text
     * @return the text
     * @throws IllegalArgumentException if an id is negative
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        return decode(ids, 0, ids.length, skipSpecialTokens);
    }

    /** Replaces each unpaired surrogate with U+FFFD (the JNI layer would turn it into three). */
    static String replaceLoneSurrogates(String text) {
        int n = text.length();
        int i = 0;
        while (i < n && !Character.isSurrogate(text.charAt(i))) {
            i++;
        }
        if (i == n) {
            return text;
        }
        StringBuilder sb = new StringBuilder(n).append(text, 0, i);
        for (; i < n; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                sb.append(c).append(text.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                sb.append('\uFFFD');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Decodes {@code ids[from, to)}; see {@link #decode(int[], boolean)}. */
    String decode(int[] ids, int from, int to, boolean skipSpecialTokens) {
        Objects.checkFromToIndex(from, to, ids.length);
        if (from == to) {
            return "";
        }
        long[] longs = new long[to - from];
        for (int i = from; i < to; i++) {
            int id = ids[i];
            if (id < 0) {
                throw new IllegalArgumentException("Negative token id " + id + " at index " + i);
            }
            longs[i - from] = id;
        }
        var lock = lifecycle.readLock();
        lock.lock();
        try {
            ensureOpen();
            return TokenizersLibrary.LIB.decode(handle, longs, skipSpecialTokens);
        } finally {
            lock.unlock();
        }
    }

    /** @return a new streaming detokenizer for one sequence */
    public IncrementalDecoder newIncrementalDecoder(boolean skipSpecialTokens) {
        return new IncrementalDecoder(this, skipSpecialTokens);
    }

    /** @return the number of distinct token ids, added tokens included (HF's {@code len(tokenizer)}) */
    public int vocabSize() {
        return vocabSize;
    }

    /**
     * @return the UTF-8 length of the longest vocabulary entry (added tokens included). No token
     *     stands for more bytes of normalised text: a byte-level BPE entry spells each byte with one
     *     character of one or two UTF-8 bytes, a SentencePiece entry spells its text (with {@code ▁}
     *     or {@code <0xNN>}, both longer than what they stand for). So a text of more than
     *     {@code n · longestTokenBytes()} bytes, after normalisation, has more than {@code n} tokens.
     */
    public int longestTokenBytes() {
        return longestTokenBytes;
    }

    /** @return the BOS token id named by {@code tokenizer_config.json}, if any */
    public OptionalInt bosTokenId() {
        return bosTokenId;
    }

    /** @return whether {@code encode(text, true)} prepends the BOS token (decided by tokenizer.json's post_processor) */
    public boolean addsBosToken() {
        return addsBosToken;
    }

    /**
     * @return the ids that end generation: {@code eos_token} of tokenizer_config.json plus
     *     {@code eos_token_id} (an int or a list) of generation_config.json; unmodifiable, in that order
     */
    public Set<Integer> eosTokenIds() {
        return eosTokenIds;
    }

    /** @return the pad token id named by {@code tokenizer_config.json}, if any */
    public OptionalInt padTokenId() {
        return padTokenId;
    }

    /**
     * @return the vocabulary string of a token id, as HF's {@code convert_ids_to_tokens} (e.g. {@code "Ġworld"}
     *     for byte-level BPE)
     * @throws IllegalArgumentException if the id is not in the vocabulary
     */
    public String tokenString(int id) {
        String s = id >= 0 && id < idToToken.length ? idToToken[id] : null;
        if (s == null) {
            throw new IllegalArgumentException("Token id not in vocabulary: " + id);
        }
        return s;
    }

    /**
     * Each token id's bytes in decoded text, as constrained decoding needs them: for byte-level BPE
     * (a {@code ByteLevel} decoder) the vocabulary string read through GPT-2's byte-to-unicode
     * alphabet; for SentencePiece-style vocabularies ({@code ▁} for a space, {@code <0xNN>} byte
     * tokens) those replaced; otherwise the token decoded on its own. {@code null} for added tokens
     * (special or not, which constrained decoding never allows), ids missing from the vocabulary, and
     * tokens whose bytes cannot be told (a lone token decoding to U+FFFD). Computed once; do not modify.
     */
    public byte[][] tokenBytes() {
        byte[][] b = tokenBytes;
        if (b == null) {
            synchronized (this) {
                b = tokenBytes;
                if (b == null) tokenBytes = b = TokenBytes.of(this, idToToken, vocab.added.keySet(), vocab.decoder);
            }
        }
        return b;
    }

    /** @return the id of a vocabulary string (e.g. {@code "<|eot_id|>"}), if it is one */
    public OptionalInt tokenId(String token) {
        Integer id = tokenToId.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /**
     * @return the model's chat template ({@code chat_template.jinja}, else {@code chat_template} of
     *     tokenizer_config.json; of a list of named templates, the one named {@code default}), with the
     *     special tokens bound as template variables
     */
    public Optional<ChatTemplate> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    /** Frees the native tokenizer; waits for in-flight calls. Idempotent. */
    @Override
    public void close() {
        var lock = lifecycle.writeLock();
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                TokenizersLibrary.LIB.deleteTokenizer(handle);
            }
        } finally {
            lock.unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Tokenizer is closed");
        }
    }

    // ---------------------------------------------------------------- loading helpers

    private static byte[] readRequired(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TokenizerException("Required file not found: " + file, e);
        } catch (IOException e) {
            throw new TokenizerException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode readOptionalJson(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new TokenizerException("Malformed " + file + ": expected a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new TokenizerException("Malformed " + file + ": " + e.getMessage(), e);
        }
    }

    private static String chatTemplateSource(Path dir, JsonNode config) {
        Path jinja = dir.resolve("chat_template.jinja");
        if (Files.exists(jinja)) {
            try {
                return Files.readString(jinja, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new TokenizerException("Cannot read " + jinja + ": " + e.getMessage(), e);
            }
        }
        if (config == null) {
            return null;
        }
        JsonNode t = config.get("chat_template");
        if (t == null || t.isNull()) {
            return null;
        }
        if (t.isTextual()) {
            return t.asText();
        }
        if (t.isArray()) {
            String first = null;
            for (JsonNode entry : t) {
                String name = entry.path("name").asText(null);
                String tpl = entry.path("template").asText(null);
                if (first == null) {
                    first = tpl;
                }
                if ("default".equals(name)) {
                    return tpl;
                }
            }
            return first;
        }
        throw new TokenizerException("Malformed " + dir.resolve("tokenizer_config.json")
                + ": chat_template must be a string or a list of {name, template}");
    }

    /** HF's special_tokens_map: the variables every chat template render gets. */
    private static Map<String, Object> templateVariables(JsonNode config) {
        Map<String, Object> vars = new LinkedHashMap<>();
        if (config == null) {
            return vars;
        }
        for (String key : TEMPLATE_SPECIAL_KEYS) {
            String s = tokenContent(config.get(key));
            if (s != null) {
                vars.put(key, s);
            }
        }
        JsonNode extra = config.get("additional_special_tokens");
        if (extra != null && extra.isArray()) {
            List<String> list = new ArrayList<>();
            for (JsonNode n : extra) {
                String s = tokenContent(n);
                if (s != null) {
                    list.add(s);
                }
            }
            vars.put("additional_special_tokens", list);
        }
        return vars;
    }

    /** A special token in tokenizer_config.json is a string or an AddedToken object with "content". */
    static String tokenContent(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isObject() && node.path("content").isTextual()) {
            return node.get("content").asText();
        }
        return null;
    }

    /** Token ids named by the config files. */
    private record Config(OptionalInt bos, OptionalInt pad, Set<Integer> eos) {
        static Config resolve(Path dir, JsonNode config, JsonNode generation, Vocab vocab) {
            OptionalInt bos = OptionalInt.empty();
            OptionalInt pad = OptionalInt.empty();
            Set<Integer> eos = new LinkedHashSet<>();
            if (config != null) {
                bos = vocab.idOf(tokenContent(config.get("bos_token")));
                pad = vocab.idOf(tokenContent(config.get("pad_token")));
                vocab.idOf(tokenContent(config.get("eos_token"))).ifPresent(eos::add);
            }
            if (generation != null) {
                JsonNode e = generation.get("eos_token_id");
                Path file = dir.resolve("generation_config.json");
                if (e != null && !e.isNull()) {
                    if (e.isIntegralNumber()) {
                        eos.add(e.intValue());
                    } else if (e.isArray()) {
                        for (JsonNode n : e) {
                            if (!n.isIntegralNumber()) {
                                throw new TokenizerException("Malformed " + file + ": eos_token_id list holds " + n);
                            }
                            eos.add(n.intValue());
                        }
                    } else {
                        throw new TokenizerException("Malformed " + file + ": eos_token_id must be an int or a list");
                    }
                }
            }
            return new Config(bos, pad, Collections.unmodifiableSet(eos));
        }
    }

    /** The vocabulary of tokenizer.json (model vocab plus added tokens), read with a streaming parser. */
    private static final class Vocab {
        final String[] idToToken;
        final Map<String, Integer> tokenToId;
        final int size;
        final Map<Integer, String> added;
        JsonNode decoder;

        private Vocab(Map<String, Integer> tokenToId, Map<Integer, String> added) {
            this.added = Map.copyOf(added);
            int max = -1;
            for (int id : tokenToId.values()) {
                max = Math.max(max, id);
            }
            for (int id : added.keySet()) {
                max = Math.max(max, id);
            }
            String[] table = new String[max + 1];
            tokenToId.forEach((tok, id) -> table[id] = tok);
            added.forEach((id, tok) -> {
                table[id] = tok;
                tokenToId.put(tok, id);
            });
            int n = 0;
            for (String s : table) {
                if (s != null) {
                    n++;
                }
            }
            this.idToToken = table;
            this.tokenToId = tokenToId;
            this.size = n;
        }

        OptionalInt idOf(String token) {
            if (token == null) {
                return OptionalInt.empty();
            }
            Integer id = tokenToId.get(token);
            return id == null ? OptionalInt.empty() : OptionalInt.of(id);
        }

        static Vocab parse(Path file, byte[] bytes) {
            Map<String, Integer> vocab = new HashMap<>(1 << 18);
            Map<Integer, String> added = new HashMap<>();
            boolean sawModel = false;
            JsonNode decoder = null;
            try (JsonParser p = JSON.getFactory().createParser(bytes)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new TokenizerException("Malformed " + file + ": expected a JSON object");
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    switch (field) {
                        case "model" -> {
                            sawModel = true;
                            parseModel(p, vocab);
                        }
                        case "added_tokens" -> {
                            if (p.currentToken() == JsonToken.START_ARRAY) {
                                while (p.nextToken() == JsonToken.START_OBJECT) {
                                    JsonNode t = JSON.readTree(p);
                                    if (t.path("id").isIntegralNumber() && t.path("content").isTextual()) {
                                        added.put(t.get("id").intValue(), t.get("content").asText());
                                    }
                                }
                            } else {
                                p.skipChildren();
                            }
                        }
                        case "decoder" -> decoder = JSON.readTree(p);
                        default -> p.skipChildren();
                    }
                }
                if (p.nextToken() != null) {
                    throw new TokenizerException("Malformed " + file + ": trailing content");
                }
            } catch (IOException e) {
                throw new TokenizerException("Malformed " + file + ": " + e.getMessage(), e);
            }
            if (!sawModel) {
                throw new TokenizerException("Malformed " + file + ": no \"model\" section");
            }
            Vocab v = new Vocab(vocab, added);
            v.decoder = decoder;
            return v;
        }

        private static void parseModel(JsonParser p, Map<String, Integer> vocab) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (!"vocab".equals(field)) {
                    p.skipChildren();
                    continue;
                }
                if (t == JsonToken.START_OBJECT) { // BPE, WordPiece, WordLevel: {token: id}
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String tok = p.currentName();
                        p.nextToken();
                        vocab.put(tok, p.getIntValue());
                    }
                } else if (t == JsonToken.START_ARRAY) { // Unigram: [[token, score], ...], id = position
                    int id = 0;
                    while (p.nextToken() == JsonToken.START_ARRAY) {
                        p.nextToken();
                        vocab.put(p.getText(), id++);
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
    }
}
