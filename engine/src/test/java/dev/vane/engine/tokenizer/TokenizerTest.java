package dev.vane.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Tokenizer llama;
    private static Tokenizer qwen;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        llama = TestResources.llamaTokenizer();
        qwen = TestResources.qwenTokenizer();
    }

    @Test
    void llama3KnownIds() {
        assertArrayEquals(new int[] {9906, 1917}, llama.encode("Hello world", false));
        assertEquals(OptionalInt.of(9906), llama.tokenId("Hello"));
        assertEquals(OptionalInt.of(1917), llama.tokenId("Ġworld"));
        assertEquals("Ġworld", llama.tokenString(1917));
        assertEquals("Hello world", llama.decode(new int[] {9906, 1917}, false));
    }

    @Test
    void qwen3KnownIds() {
        int[] ids = qwen.encode("Hello world", false);
        assertArrayEquals(new int[] {9707, 1879}, ids);
        assertEquals("Hello", qwen.tokenString(9707));
        assertEquals("Ġworld", qwen.tokenString(1879));
    }

    @Test
    void llama3SpecialTokens() {
        assertEquals(128256, llama.vocabSize());
        assertEquals(OptionalInt.of(128000), llama.bosTokenId());
        assertEquals(Set.of(128001), llama.eosTokenIds());
        assertEquals(OptionalInt.empty(), llama.padTokenId());
        assertEquals("<|eot_id|>", llama.tokenString(128009));
        assertEquals(OptionalInt.of(128009), llama.tokenId("<|eot_id|>"));
        assertEquals(OptionalInt.empty(), llama.tokenId("no such token"));
    }

    @Test
    void qwen3SpecialTokens() {
        assertEquals(151669, qwen.vocabSize());
        assertEquals(OptionalInt.empty(), qwen.bosTokenId());
        assertEquals(Set.of(151645), qwen.eosTokenIds());
        assertEquals(OptionalInt.of(151643), qwen.padTokenId());
        assertEquals("<|im_end|>", qwen.tokenString(151645));
        assertEquals("</think>", qwen.tokenString(151668));
    }

    /**
     * HF's tokenizer(text) applies tokenizer.json's post_processor. The Llama 3 fixture is the early
     * conversion whose post_processor is a bare ByteLevel, so HF adds no BOS for it (current Meta
     * releases use TemplateProcessing; see {@link #templateProcessingPostProcessorAddsBos()}). Qwen3
     * adds nothing either.
     */
    @Test
    void addSpecialTokensFollowsPostProcessor() {
        assertArrayEquals(new int[] {9906, 1917}, llama.encode("Hello world", true));
        assertFalse(llama.addsBosToken());
        assertArrayEquals(qwen.encode("Hello world", false), qwen.encode("Hello world", true));
        assertFalse(qwen.addsBosToken());
    }

    @Test
    void templateProcessingPostProcessorAddsBos() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("llama3-bos"));
        ObjectNode json = (ObjectNode) JSON.readTree(TestResources.llama3().resolve("tokenizer.json").toFile());
        json.set("post_processor", JSON.readTree("""
                {"type": "Sequence", "processors": [
                  {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
                  {"type": "TemplateProcessing",
                   "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                              {"Sequence": {"id": "A", "type_id": 0}}],
                   "pair": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                            {"Sequence": {"id": "A", "type_id": 0}},
                            {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}},
                            {"Sequence": {"id": "B", "type_id": 1}}],
                   "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [128000],
                                                             "tokens": ["<|begin_of_text|>"]}}}]}
                """));
        JSON.writeValue(dir.resolve("tokenizer.json").toFile(), json);
        Files.copy(TestResources.llama3().resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
        try (Tokenizer t = Tokenizer.load(dir)) {
            assertTrue(t.addsBosToken());
            assertArrayEquals(new int[] {128000, 9906, 1917}, t.encode("Hello world", true));
            assertArrayEquals(new int[] {9906, 1917}, t.encode("Hello world", false));
            assertEquals("Hello world", t.decode(t.encode("Hello world", true), true));
            assertEquals("<|begin_of_text|>Hello world", t.decode(t.encode("Hello world", true), false));
        }
    }

    @Test
    void specialTokenStringsInTextAreRecognised() {
        int[] ids = llama.encode("<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>", false);
        assertEquals(128006, ids[0]);
        assertEquals(128009, ids[ids.length - 1]);
        assertEquals("user\n\nHi", llama.decode(ids, true));
        assertEquals("<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>", llama.decode(ids, false));

        int[] q = qwen.encode("<|im_start|>assistant\n<think>\n\n</think>\n\nOK<|im_end|>", false);
        assertEquals(151644, q[0]);
        assertEquals(151645, q[q.length - 1]);
        assertTrue(contains(q, 151667) && contains(q, 151668), "think tags are single tokens");
        // <think> and </think> are added tokens but not special ones: skipSpecialTokens keeps them, as in HF
        assertEquals("assistant\n<think>\n\n</think>\n\nOK", qwen.decode(q, true));
    }

    @Test
    void loneSurrogatesEncodeAsReplacementCharacter() {
        assertArrayEquals(qwen.encode("a\uFFFDb\uFFFD", false), qwen.encode("a\uD800b\uDC00", false));
        assertEquals("x😀\uFFFD", qwen.decode(qwen.encode("x😀\uDBFF", false), false));
        assertEquals("plain", Tokenizer.replaceLoneSurrogates("plain"));
    }

    @Test
    void decodeIsLosslessWithoutCleanup() {
        // HF's clean_up_tokenization_spaces (true in the Llama 3 config) would turn " ." into "."
        String text = "Hello , world . Don 't stop !";
        assertEquals(text, llama.decode(llama.encode(text, false), true));
    }

    @Test
    void decodeSkipsIdsOutsideVocabularyAndRejectsNegative() {
        // Qwen3's embedding has 151936 rows but the tokenizer only 151669 ids: like HF, unknown ids decode to nothing
        assertEquals("Hello", qwen.decode(new int[] {9707, 151900}, false));
        assertThrows(IllegalArgumentException.class, () -> qwen.decode(new int[] {-1}, false));
        assertThrows(IllegalArgumentException.class, () -> qwen.tokenString(151900));
        assertEquals("", qwen.decode(new int[0], false));
        assertArrayEquals(new int[0], qwen.encode("", true));
    }

    @Test
    void chatTemplatesAreBoundToSpecialTokens() {
        String llamaPrompt = llama.chatTemplate().orElseThrow().render(List.of(ChatMessage.user("Hi")), true);
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", llamaPrompt);
        String qwenPrompt = qwen.chatTemplate().orElseThrow()
                .render(List.of(ChatMessage.system("S"), ChatMessage.user("Hi")), true, Map.of("enable_thinking", false));
        assertEquals("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
                + "<think>\n\n</think>\n\n", qwenPrompt);
        // the rendered prompt tokenizes with its special tokens intact
        int[] ids = llama.encode(llamaPrompt, false);
        assertEquals(128000, ids[0]);
        assertEquals(llamaPrompt, llama.decode(ids, false));
    }

    @Test
    void generationConfigEosAsListOrInt() throws IOException {
        try (Tokenizer t = Tokenizer.load(tinyModel(Map.of("generation_config.json", "{\"eos_token_id\": [4, 5]}")))) {
            assertEquals(List.of(4, 5), new ArrayList<>(t.eosTokenIds()));
        }
        try (Tokenizer t = Tokenizer.load(tinyModel(Map.of("generation_config.json",
                "{\"bos_token_id\": 3, \"eos_token_id\": 5}")))) {
            assertEquals(List.of(4, 5), new ArrayList<>(t.eosTokenIds()));
            assertEquals(OptionalInt.of(3), t.bosTokenId());
            assertEquals(OptionalInt.empty(), t.padTokenId());
        }
    }

    @Test
    void chatTemplateJinjaFileOverridesConfig() throws IOException {
        try (Tokenizer t = Tokenizer.load(tinyModel(Map.of()))) {
            assertEquals("<s>|a|b", t.chatTemplate().orElseThrow()
                    .render(List.of(ChatMessage.user("a"), ChatMessage.assistant("b")), false));
        }
        Path dir = tinyModel(Map.of("chat_template.jinja", "{% for m in messages %}[{{ m.content }}]{% endfor %}\n"));
        try (Tokenizer t = Tokenizer.load(dir)) {
            assertEquals("[a][b]", t.chatTemplate().orElseThrow()
                    .render(List.of(ChatMessage.user("a"), ChatMessage.assistant("b")), false));
        }
    }

    @Test
    void namedChatTemplateListPicksDefault() throws IOException {
        String config = """
                {"bos_token": {"content": "<s>", "__type": "AddedToken"}, "eos_token": "</s>",
                 "chat_template": [{"name": "tool_use", "template": "tools"},
                                   {"name": "default", "template": "{{ bos_token }}default"}]}""";
        try (Tokenizer t = Tokenizer.load(tinyModel(Map.of("tokenizer_config.json", config)))) {
            assertEquals("<s>default", t.chatTemplate().orElseThrow().render(List.of(), false));
            assertEquals(OptionalInt.of(3), t.bosTokenId());
        }
    }

    @Test
    void worksWithoutTokenizerConfig() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("bare"));
        Files.writeString(dir.resolve("tokenizer.json"), TINY_TOKENIZER);
        try (Tokenizer t = Tokenizer.load(dir)) {
            assertArrayEquals(new int[] {1, 2}, t.encode("hello world", true));
            assertEquals("hello world", t.decode(new int[] {1, 2}, false));
            assertEquals(6, t.vocabSize());
            assertTrue(t.chatTemplate().isEmpty());
            assertTrue(t.eosTokenIds().isEmpty());
            assertTrue(t.bosTokenId().isEmpty());
            assertFalse(t.addsBosToken());
        }
    }

    @Test
    void errorsNameTheFile() throws IOException {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertMessageNames("tokenizer.json", assertThrows(TokenizerException.class, () -> Tokenizer.load(empty)));
        assertThrows(TokenizerException.class, () -> Tokenizer.load(tmp.resolve("missing")));

        Path badTok = Files.createDirectory(tmp.resolve("badtok"));
        Files.writeString(badTok.resolve("tokenizer.json"), "{\"model\": {\"vocab\": {\"a\": 0}");
        assertMessageNames("tokenizer.json", assertThrows(TokenizerException.class, () -> Tokenizer.load(badTok)));

        Path notTokenizer = Files.createDirectory(tmp.resolve("nottok"));
        Files.writeString(notTokenizer.resolve("tokenizer.json"), "{\"model\": {\"type\": \"Nonsense\"}}");
        assertMessageNames("tokenizer.json", assertThrows(TokenizerException.class, () -> Tokenizer.load(notTokenizer)));

        assertMessageNames("tokenizer_config.json", assertThrows(TokenizerException.class,
                () -> Tokenizer.load(tinyModel(Map.of("tokenizer_config.json", "{\"bos_token\": ")))));
        assertMessageNames("generation_config.json", assertThrows(TokenizerException.class,
                () -> Tokenizer.load(tinyModel(Map.of("generation_config.json", "[1, 2")))));
        assertMessageNames("generation_config.json", assertThrows(TokenizerException.class,
                () -> Tokenizer.load(tinyModel(Map.of("generation_config.json", "{\"eos_token_id\": \"x\"}")))));
    }

    @Test
    void closedTokenizerRejectsCalls() throws IOException {
        Tokenizer t = Tokenizer.load(tinyModel(Map.of()));
        t.close();
        t.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> t.encode("x", false));
        assertThrows(IllegalStateException.class, () -> t.decode(new int[] {1}, false));
    }

    @Test
    void concurrentEncodeDecodeMatchesSequential() throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            texts.add("Sample " + i + ": naïve café 😀 日本語 " + "word ".repeat(i % 17) + "\n\ttail " + i);
        }
        List<int[]> expected = texts.stream().map(s -> qwen.encode(s, false)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int offset = w;
                futures.add(pool.submit(() -> {
                    for (int round = 0; round < 20; round++) {
                        for (int i = 0; i < texts.size(); i++) {
                            int k = (i + offset) % texts.size();
                            int[] ids = qwen.encode(texts.get(k), false);
                            if (!java.util.Arrays.equals(ids, expected.get(k))
                                    || !qwen.decode(ids, true).equals(texts.get(k))) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : futures) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A tiny word-level tokenizer: fast to load, for tests of the config files around tokenizer.json. */
    private static final String TINY_TOKENIZER = """
            {"version": "1.0", "truncation": null, "padding": null,
             "added_tokens": [
               {"id": 3, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false,
                "normalized": false, "special": true},
               {"id": 4, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false,
                "normalized": false, "special": true},
               {"id": 5, "content": "<eot>", "single_word": false, "lstrip": false, "rstrip": false,
                "normalized": false, "special": true}],
             "normalizer": null, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": null, "decoder": null,
             "model": {"type": "WordLevel", "vocab": {"<unk>": 0, "hello": 1, "world": 2}, "unk_token": "<unk>"}}
            """;

    private static final String TINY_CONFIG = """
            {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
             "chat_template": "{{ bos_token }}{% for m in messages %}|{{ m.content }}{% endfor %}"}
            """;

    private Path tinyModel(Map<String, String> files) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "model");
        Files.writeString(dir.resolve("tokenizer.json"), TINY_TOKENIZER);
        Files.writeString(dir.resolve("tokenizer_config.json"), TINY_CONFIG);
        for (var e : files.entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), e.getValue());
        }
        return dir;
    }

    private static void assertMessageNames(String file, TokenizerException e) {
        assertTrue(e.getMessage().contains(file), () -> "message should name " + file + ": " + e.getMessage());
    }

    private static boolean contains(int[] ids, int id) {
        for (int i : ids) {
            if (i == id) {
                return true;
            }
        }
        return false;
    }
}
