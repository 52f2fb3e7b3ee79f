package dev.vane.lab.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.engine.tokenizer.ChatMessage;
import dev.vane.engine.tokenizer.ChatTemplate;
import dev.vane.engine.tokenizer.ChatTemplateException;
import dev.vane.engine.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A tokenizer trained on the small English corpus, written out and loaded back with {@link Tokenizer#load}. */
class TrainedTokenizerTest {
    static final String ACCENTS = "café naïve résumé Ångström crème brûlée Đặng Việt Nam Zürich";

    static final List<String> TEXTS = List.of(
            "Hello, world!",
            "",
            " ",
            "the river and the town",
            "I ❤️ emoji 😀🎉🦩🫠",
            "ZWJ: 👩‍👩‍👧‍👦 family, 👨🏽‍💻 coder, 🏳️‍🌈, 🧑🏿‍🤝‍🧑🏻",
            "Flags: 🇺🇸🇯🇵🇩🇪🇧🇷 and 🏴󠁧󠁢󠁳󠁣󠁴󠁿",
            ACCENTS,
            Normalizer.normalize(ACCENTS, Normalizer.Form.NFD),
            "CJK: 日本語のテキスト、中文文本，한국어 텍스트 𠜎𠜱𠝹",
            "Arabic: مرحبا بالعالم، كيف حالك؟ Hebrew: שלום עולם",
            "Devanagari: नमस्ते दुनिया; Thai: สวัสดีชาวโลก",
            "whitespace  runs   of    spaces     here",
            "   leading and trailing   ",
            "line1\nline2\n\n\nline5\r\nwindows\rold mac\n",
            "\tindented\t\ttabs\t \t",
            "def f(x):\n    return x ** 2  # comment\n\n\n",
            "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇ combining marks",
            "Control-ish: \u0000 \u0007 \u001b[0m \u007f \u00a0 nbsp \u200b zwsp \ufeff bom \ue000 private use",
            "Numbers 1234567890 3.14159 -42 1e10 0x1F",
            "Special-looking: <|bos> <|user| |end|> <|unknown|> <|Eos|>");

    @TempDir
    static Path dir;

    private static BpeModel model;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void train() {
        List<String> corpus = new ArrayList<>(TrainTestSupport.paragraphs());
        corpus.add("Le café est près de la rivière. Die Brücke über den Fluss. 川の近くの町。"); // a little non-English
        model = BpeTrainer.train(corpus, BpeTrainerConfig.of(263 + 250));
        model.write(dir);
        tokenizer = Tokenizer.load(dir);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    static Stream<String> texts() {
        return TEXTS.stream();
    }

    @ParameterizedTest
    @MethodSource("texts")
    void roundTrips(String text) {
        int[] ids = tokenizer.encode(text, false);
        assertEquals(text, tokenizer.decode(ids, true));
        assertEquals(text, tokenizer.decode(ids, false));
        int[] withBos = tokenizer.encode(text, true);
        assertEquals(0, withBos[0]);
        assertArrayEquals(ids, Arrays.copyOfRange(withBos, 1, withBos.length));
        assertEquals(text, tokenizer.decode(withBos, true));
    }

    @Test
    void roundTripsRandomStrings() {
        Random r = new Random(42);
        for (int n = 0; n < 300; n++) {
            StringBuilder sb = new StringBuilder();
            for (int i = r.nextInt(80); i > 0; i--) {
                int cp;
                do {
                    cp = switch (r.nextInt(5)) {
                        case 0 -> r.nextInt(0x80);
                        case 1 -> r.nextInt(0x100);
                        case 2 -> r.nextInt(0x800);
                        case 3 -> r.nextInt(0x10000);
                        default -> 0x10000 + r.nextInt(0x100000);
                    };
                } while (cp >= 0xD800 && cp < 0xE000);
                sb.appendCodePoint(cp);
            }
            String text = sb.toString();
            assertEquals(text, tokenizer.decode(tokenizer.encode(text, false), false), "case " + n);
        }
    }

    @Test
    void singleDigitSplittingMakesEveryDigitAToken(@TempDir Path single) {
        List<String> corpus = new ArrayList<>(TrainTestSupport.paragraphs());
        for (int k = 0; k < 200; k++) corpus.add("The pass key is " + (10000 + 7919 * k % 90000) + ". Page 123, 2024, 007.");
        BpeModel digits = BpeTrainer.train(corpus, new BpeTrainerConfig(263 + 250, 2, SpecialTokens.defaults(), DigitSplit.SINGLE));
        digits.write(single);
        try (Tokenizer t = Tokenizer.load(single)) {
            for (String n : List.of("22392", "2024", "007")) {
                int[] ids = t.encode(n, false);
                assertEquals(n.length(), ids.length, n + " is one token per digit");
                assertEquals(n, t.decode(ids, false));
            }
            for (String text : TEXTS) assertEquals(text, t.decode(t.encode(text, false), false));
        }
        // the Llama 3 rule (the default) merges digit groups: "2024" is one token once its pieces are frequent
        assertTrue(tokenizer.encode("2024", false).length <= 4);
        assertThrows(IllegalArgumentException.class, () -> DigitSplit.parse("2"));
    }

    @Test
    void vocabularyMatchesTheModel() {
        assertEquals(model.vocabSize(), tokenizer.vocabSize());
        assertEquals(263 + 250, model.vocabSize());
        for (int id = 0; id < model.vocabSize(); id++) {
            assertEquals(model.token(id), tokenizer.tokenString(id));
        }
    }

    @Test
    void mergesCompressEnglish() {
        String training = TrainTestSupport.english();
        double trainRate = (double) tokenizer.encode(training, false).length / training.getBytes(StandardCharsets.UTF_8).length;
        String heldOut = "In the morning the people of the village walked down to the water and watched the boats"
                + " come in from the lake, and the children counted the birds that flew over the bridge.";
        double heldOutRate = (double) tokenizer.encode(heldOut, false).length / heldOut.getBytes(StandardCharsets.UTF_8).length;
        // 250 merges on 3 KB give about 0.35 tokens per byte on both (bytes alone: 1.0)
        assertTrue(trainRate < 0.45, "tokens per byte on the training text: " + trainRate);
        assertTrue(heldOutRate < 0.45, "tokens per byte on held-out English: " + heldOutRate);
        for (String word : List.of("the", " the", " river", " town", " people")) {
            int[] ids = tokenizer.encode(word, false);
            assertEquals(1, ids.length, word);
            assertEquals(word.replace(' ', 'Ġ'), tokenizer.tokenString(ids[0]));
        }
    }

    @Test
    void specialTokensAreSingleIds() {
        List<String> specials = SpecialTokens.defaults().all();
        for (int id = 0; id < specials.size(); id++) {
            assertEquals(OptionalInt.of(id), tokenizer.tokenId(specials.get(id)));
            assertArrayEquals(new int[] {id}, tokenizer.encode(specials.get(id), false));
        }
        int[] ids = tokenizer.encode("the<|end|>river<|eos|>", false);
        int[] the = tokenizer.encode("the", false);
        int[] river = tokenizer.encode("river", false);
        int[] expected = IntStream.concat(IntStream.concat(IntStream.of(the), IntStream.of(6)),
                IntStream.concat(IntStream.of(river), IntStream.of(1))).toArray();
        assertArrayEquals(expected, ids);
        assertEquals("theriver", tokenizer.decode(ids, true));
        assertEquals("the<|end|>river<|eos|>", tokenizer.decode(ids, false));
        assertEquals(OptionalInt.of(0), tokenizer.bosTokenId());
        assertEquals(Set.of(1), tokenizer.eosTokenIds());
        assertEquals(OptionalInt.of(2), tokenizer.padTokenId());
        assertTrue(tokenizer.addsBosToken());
    }

    @Test
    void chatTemplateRendersTurnsWithSpecialTokens() {
        ChatTemplate template = tokenizer.chatTemplate().orElseThrow();
        List<ChatMessage> chat = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Where is the river?"),
                ChatMessage.assistant("Below the hills."), ChatMessage.user("Thanks!\n"));
        String turns = "<|bos|><|system|>\nBe brief.<|end|>\n<|user|>\nWhere is the river?<|end|>\n"
                + "<|assistant|>\nBelow the hills.<|end|>\n<|user|>\nThanks!\n<|end|>\n";
        assertEquals(turns, template.render(chat, false));
        assertEquals(turns + "<|assistant|>\n", template.render(chat, true));

        int[] ids = tokenizer.encode(template.render(chat, true), false);
        assertEquals(0, ids[0]);
        assertEquals(3, ids[1]);
        assertEquals(4, IntStream.of(ids).filter(id -> id == 6).count());
        assertEquals(2, IntStream.of(ids).filter(id -> id == 4).count());
        assertEquals(5, ids[ids.length - 2]);
        assertEquals("\n", tokenizer.decode(new int[] {ids[ids.length - 1]}, false));
        assertEquals(template.render(chat, true), tokenizer.decode(ids, false));

        var e = assertThrows(ChatTemplateException.class, () -> template.render(List.of(new ChatMessage("tool", "x")), false));
        assertEquals("Unknown role: tool", e.getMessage());
    }

    @Test
    void chatTemplateQuotesOddSpecialTokens() {
        SpecialTokens odd = SpecialTokens.of(List.of("<s>", "</s>", "<pad>", "[sys'\\]", "[\"user\"]", "[bot]", "[/]"));
        ChatTemplate t = ChatTemplate.compile(SimpleChatTemplate.source(odd), java.util.Map.of("bos_token", "<s>"));
        assertEquals("<s>[sys'\\]\nS[/]\n[\"user\"]\nU[/]\n[bot]\n",
                t.render(List.of(ChatMessage.system("S"), ChatMessage.user("U")), true));
    }

    @Test
    void writesDeterministicFiles() throws Exception {
        assertEquals(model.tokenizerJson(), Files.readString(dir.resolve("tokenizer.json")));
        assertEquals(model.tokenizerConfigJson(), Files.readString(dir.resolve("tokenizer_config.json")));
        String config = model.tokenizerConfigJson();
        assertTrue(config.contains("\"bos_token\": \"<|bos|>\""), config);
        assertTrue(config.contains("\"eos_token\": \"<|eos|>\""), config);
        assertTrue(config.contains("\"pad_token\": \"<|pad|>\""), config);
        assertNotEquals(-1, model.tokenizerJson().indexOf("\"TemplateProcessing\""));
    }
}
