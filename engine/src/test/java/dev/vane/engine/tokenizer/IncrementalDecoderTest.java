package dev.vane.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IncrementalDecoderTest {
    static final List<String> TEXTS = List.of(
            "Flamingo 🦩 melting 🫠 family 👩‍👩‍👧‍👦 flag 🇯🇵 done.",
            "Accents: café naïve Ångström Đặng Việt, then ASCII.",
            "CJK: 日本語のテキスト 中文 한국어 𠜎𠜱 rare ideographs",
            "Mixed: Ωmega→λ 🤖 مرحبا\n\ttab 😀😀😀 end",
            "Plain ASCII text with some punctuation, numbers 12345, and newlines\n\nlike this.");

    static Stream<Arguments> cases() {
        return Stream.of("llama3", "qwen3").flatMap(m -> TEXTS.stream().map(t -> Arguments.of(m, t)));
    }

    private static Tokenizer tokenizer(String model) {
        return model.equals("llama3") ? TestResources.llamaTokenizer() : TestResources.qwenTokenizer();
    }

    /** Pushes ids one by one; returns the chunks, the flush result last. */
    private static List<String> stream(IncrementalDecoder d, int[] ids) {
        List<String> chunks = new ArrayList<>();
        for (int id : ids) {
            chunks.add(d.push(id));
        }
        chunks.add(d.flush());
        return chunks;
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void concatenationEqualsDecodeAndNoBrokenCharacters(String model, String text) {
        Tokenizer t = tokenizer(model);
        int[] ids = t.encode(text, false);
        for (boolean skip : new boolean[] {true, false}) {
            List<String> chunks = stream(new IncrementalDecoder(t, skip), ids);
            assertEquals(t.decode(ids, skip), String.join("", chunks));
            assertEquals(text, String.join("", chunks));
            for (String c : chunks) {
                assertFalse(c.contains("\uFFFD"), () -> "broken character in chunk " + c);
                assertFalse(!c.isEmpty() && Character.isHighSurrogate(c.charAt(c.length() - 1)), "split surrogate");
            }
        }
    }

    @Test
    void emojiSplitAcrossByteLevelTokensIsHeldBack() {
        for (Tokenizer t : List.of(TestResources.llamaTokenizer(), TestResources.qwenTokenizer())) {
            int[] ids = t.encode("🦩", false);
            assertTrue(ids.length > 1, "flamingo should span several byte-level tokens");
            IncrementalDecoder d = t.newIncrementalDecoder(true);
            for (int i = 0; i < ids.length - 1; i++) {
                assertEquals("", d.push(ids[i]));
                assertEquals(i + 1, d.pendingTokens());
            }
            assertEquals("🦩", d.push(ids[ids.length - 1]));
            assertEquals(0, d.pendingTokens());
            assertEquals("", d.flush());
        }
    }

    @Test
    void flushReleasesAnIncompleteCharacterAsDecodeWould() {
        Tokenizer t = TestResources.qwenTokenizer();
        int[] ids = t.encode("ok 🦩", false);
        int[] truncated = Arrays.copyOf(ids, ids.length - 1);
        IncrementalDecoder d = new IncrementalDecoder(t, true);
        StringBuilder sb = new StringBuilder();
        for (int id : truncated) {
            sb.append(d.push(id));
        }
        assertFalse(sb.toString().contains("\uFFFD"));
        assertTrue(sb.toString().startsWith("ok"), sb.toString());
        String rest = d.flush();
        assertTrue(rest.endsWith("\uFFFD"), rest);
        assertEquals(t.decode(truncated, true), sb + rest);
    }

    @Test
    void specialTokensFollowSkipSetting() {
        Tokenizer t = TestResources.qwenTokenizer();
        int[] ids = t.encode("<|im_start|>assistant\nHi 😀 there<|im_end|>\n", false);
        assertEquals("assistant\nHi 😀 there\n", String.join("", stream(new IncrementalDecoder(t, true), ids)));
        assertEquals("<|im_start|>assistant\nHi 😀 there<|im_end|>\n",
                String.join("", stream(new IncrementalDecoder(t, false), ids)));

        Tokenizer l = TestResources.llamaTokenizer();
        int[] lids = l.encode("<|start_header_id|>assistant<|end_header_id|>\n\nCafé 🫠<|eot_id|>", false);
        assertEquals("assistant\n\nCafé 🫠", String.join("", stream(new IncrementalDecoder(l, true), lids)));
    }

    @Test
    void promptContextIsNotEmitted() {
        Tokenizer t = TestResources.llamaTokenizer();
        int[] prompt = t.encode("User says: hello 🦩", false);
        int[] gen = t.encode(" world 🫠!", false);
        IncrementalDecoder d = new IncrementalDecoder(t, true, prompt);
        assertEquals(" world 🫠!", String.join("", stream(d, gen)));
    }

    /** Random ids (arbitrary byte sequences, invalid UTF-8 included): the invariant still holds. */
    @Test
    void randomIdsKeepInvariant() {
        Random rnd = new Random(42);
        for (Tokenizer t : List.of(TestResources.llamaTokenizer(), TestResources.qwenTokenizer())) {
            for (int trial = 0; trial < 20; trial++) {
                int[] ids = new int[1 + rnd.nextInt(60)];
                for (int i = 0; i < ids.length; i++) {
                    // mostly low ids (single bytes and short merges, many partial UTF-8 pieces), some specials
                    ids[i] = rnd.nextInt(10) == 0 ? t.vocabSize() - 1 - rnd.nextInt(20) : rnd.nextInt(2000);
                }
                for (boolean skip : new boolean[] {true, false}) {
                    assertEquals(t.decode(ids, skip), String.join("", stream(new IncrementalDecoder(t, skip), ids)),
                            () -> "ids " + Arrays.toString(ids));
                }
            }
        }
    }

    /** The decoded window stays small however long the sequence gets. */
    @Test
    void longSequenceDecodesBoundedWindow() {
        Tokenizer t = TestResources.llamaTokenizer();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 800; i++) {
            sb.append("Token ").append(i).append(" 🦩 café 日本 ");
        }
        String text = sb.toString();
        int[] ids = t.encode(text, false);
        assertTrue(ids.length > 5000, "only " + ids.length + " tokens");
        IncrementalDecoder d = new IncrementalDecoder(t, true);
        StringBuilder out = new StringBuilder();
        int maxWindow = 0;
        for (int id : ids) {
            out.append(d.push(id));
            maxWindow = Math.max(maxWindow, d.windowSize());
        }
        out.append(d.flush());
        assertEquals(text, out.toString());
        assertTrue(maxWindow <= 8, "window grew to " + maxWindow);
    }

    @Test
    void pushAfterFlushStartsNewSegment() {
        Tokenizer t = TestResources.qwenTokenizer();
        IncrementalDecoder d = t.newIncrementalDecoder(true);
        StringBuilder sb = new StringBuilder();
        for (int id : t.encode("first", false)) {
            sb.append(d.push(id));
        }
        sb.append(d.flush());
        for (int id : t.encode(" second", false)) {
            sb.append(d.push(id));
        }
        sb.append(d.flush());
        assertEquals("first second", sb.toString());
    }
}
