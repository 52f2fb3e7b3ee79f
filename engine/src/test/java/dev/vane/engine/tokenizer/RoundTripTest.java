package dev.vane.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.text.Normalizer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** encode then decode returns the input unchanged, for both fixture tokenizers. */
class RoundTripTest {
    static final String ACCENTS = "café naïve résumé Ångström crème brûlée Đặng Việt Nam Zürich";

    static final List<String> TEXTS = List.of(
            "Hello, world!",
            "",
            " ",
            "I ❤️ emoji 😀🎉🦩🫠",
            "ZWJ: 👩‍👩‍👧‍👦 family, 👨🏽‍💻 coder, 🏳️‍🌈, 🧑🏿‍🤝‍🧑🏻",
            "Flags: 🇺🇸🇯🇵🇩🇪🇧🇷 and 🏴󠁧󠁢󠁳󠁣󠁴󠁿",
            ACCENTS,
            "CJK: 日本語のテキスト、中文文本，한국어 텍스트 𠜎𠜱𠝹",
            "Arabic: مرحبا بالعالم، كيف حالك؟ Hebrew: שלום עולם",
            "Devanagari: नमस्ते दुनिया; Thai: สวัสดีชาวโลก",
            "whitespace  runs   of    spaces     here",
            "   leading and trailing   ",
            "line1\nline2\n\n\nline5\r\nwindows\rold mac\n",
            "\tindented\t\ttabs\t \t",
            "def f(x):\n    return x ** 2  # comment\n\n\n",
            "Math: ∑∫√π ≤ ≥ ≠ ∞, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕋𝕖𝕩𝕥",
            "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇ combining marks",
            "Control-ish: \u0000 \u0007 \u001b[0m \u007f \u00a0 nbsp \u200b zwsp \ufeff bom \ue000 private use",
            "Numbers 1234567890 3.14159 -42 1e10 0x1F");

    static Stream<Arguments> cases() {
        return Stream.of("llama3", "qwen3").flatMap(m -> TEXTS.stream().map(t -> Arguments.of(m, t)));
    }

    private static Tokenizer tokenizer(String model) {
        return model.equals("llama3") ? TestResources.llamaTokenizer() : TestResources.qwenTokenizer();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void roundTrips(String model, String text) {
        Tokenizer t = tokenizer(model);
        int[] ids = t.encode(text, false);
        assertEquals(text, t.decode(ids, true));
        assertEquals(text, t.decode(ids, false));
        assertEquals(text, t.decode(t.encode(text, true), true));
    }

    @Test
    void nfdRoundTripsExactlyInLlama3() {
        String nfd = Normalizer.normalize(ACCENTS, Normalizer.Form.NFD);
        assertNotEquals(ACCENTS, nfd);
        Tokenizer t = TestResources.llamaTokenizer();
        assertEquals(nfd, t.decode(t.encode(nfd, false), true));
    }

    /**
     * Qwen3's tokenizer.json has an NFC normalizer, so NFD input comes back NFC-composed; HF does the
     * same. Text that is already NFC round-trips exactly.
     */
    @Test
    void nfdComesBackNfcInQwen3() {
        String nfd = Normalizer.normalize(ACCENTS, Normalizer.Form.NFD);
        Tokenizer t = TestResources.qwenTokenizer();
        int[] ids = t.encode(nfd, false);
        assertEquals(ACCENTS, t.decode(ids, true));
        assertEquals(Normalizer.normalize(nfd, Normalizer.Form.NFC), t.decode(ids, true));
        int[] nfcIds = t.encode(ACCENTS, false);
        assertEquals(java.util.Arrays.toString(nfcIds), java.util.Arrays.toString(ids));
    }

    @Test
    void longTextRoundTrips() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            sb.append(TEXTS.get(i % TEXTS.size())).append(' ');
        }
        String text = sb.toString();
        for (Tokenizer t : List.of(TestResources.llamaTokenizer(), TestResources.qwenTokenizer())) {
            int[] ids = t.encode(text, false);
            assertEquals(text, t.decode(ids, true));
        }
    }
}
