package dev.vane.engine.constrain;

import dev.vane.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Token masks (trie walk and caches) equal a brute-force check of every token, along random constrained walks. */
class ConstrainedVocabularyTest {

    static final List<String> SCHEMAS = List.of(
            "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":6},\"tags\":{\"type\":\"array\",\"items\":{\"enum\":[\"a\",\"bb\",\"a\\\"c\"]},\"maxItems\":3},"
                    + "\"score\":{\"type\":\"number\",\"minimum\":-2.5,\"maximum\":10},\"ok\":{\"type\":[\"boolean\",\"null\"]}},\"required\":[\"name\",\"tags\",\"score\",\"ok\"]}",
            "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\",\"minimum\":100,\"maximum\":120},\"b\":{\"type\":\"string\"},\"c\":{\"type\":\"string\",\"minLength\":2}},\"required\":[\"a\"]}",
            "{\"anyOf\":[{\"type\":\"object\",\"properties\":{\"k\":{\"type\":\"string\",\"maxLength\":3}},\"required\":[\"k\"]},{\"type\":\"object\",\"properties\":{\"kk\":{\"type\":\"integer\"}},\"required\":[\"kk\"]},{\"type\":\"integer\",\"maximum\":30}]}",
            "{\"type\":\"array\",\"items\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":9}},\"maxItems\":2}",
            "{\"$defs\":{\"T\":{\"type\":\"object\",\"properties\":{\"k\":{\"enum\":[\"a\",\"bb\"]},\"kk\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/T\"},\"maxItems\":2}},"
                    + "\"required\":[\"k\",\"kk\"]}},\"anyOf\":[{\"$ref\":\"#/$defs/T\"},{\"type\":\"array\",\"items\":{\"$ref\":\"#\"},\"maxItems\":2}]}");

    /** A vocabulary of every single byte, JSON-ish pieces, random strings and a few special (null) tokens. */
    static byte[][] syntheticVocabulary(long seed) {
        List<byte[]> v = new ArrayList<>();
        for (int b = 0; b < 256; b++) v.add(new byte[] {(byte) b});
        String[] pieces = {"{\"", "\":", "\",", "\"}", "},{", "[", "]", "[\"", "\"]", "12", "0.", ".5", "-1", "-", "true", "false", "null", "nu",
                "a\"b", "é", "\"é", "\\u00e9", "\\ud83d", "\\n", "\\\"", "ab", " hello", "name", "\"name\":\"", "tags", "score", "ok", "\":[", "],\"",
                "\":{\"", "}}", "}]", "\"}]", "100", "120", "1200", "\":1", "10", "2.5", "9,", "k", "kk", "\"k", "\"kk\":", "\"a\":", "\"b\":\"", "\",\"c\":\"xy\"}"};
        for (String p : pieces) v.add(p.getBytes(StandardCharsets.UTF_8));
        v.add(new byte[] {(byte) 0xC3}); // the start of a two-byte character
        v.add(new byte[] {(byte) 0xA9, '"'});
        SplittableRandom r = new SplittableRandom(seed);
        String alphabet = "{}[]\":,0123456789.-abnlrtuefkx\\ é";
        for (int i = 0; i < 600; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + r.nextInt(6);
            for (int j = 0; j < len; j++) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            v.add(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        v.add(null);
        v.add(null);
        return v.toArray(new byte[0][]);
    }

    static long[] bruteForce(byte[][] vocab, MatchState s) {
        long[] bits = new long[(vocab.length + 63) >>> 6];
        for (int t = 0; t < vocab.length; t++)
            if (vocab[t] != null && vocab[t].length > 0 && s.next(vocab[t]) != null) bits[t >>> 6] |= 1L << t;
        return bits;
    }

    @Test
    void masksEqualBruteForceAlongRandomWalks() {
        byte[][] vocab = syntheticVocabulary(1);
        ConstrainedVocabulary cv = new ConstrainedVocabulary(vocab);
        for (String schema : SCHEMAS) {
            Grammar g = JsonMatcherTest.schema(schema);
            for (int seed = 0; seed < 30; seed++) {
                SplittableRandom r = new SplittableRandom(seed);
                MatchState s = g.initial();
                for (int step = 0; step < 80 && !s.terminal(); step++) {
                    long[] expected = bruteForce(vocab, s);
                    long[] uncached = cv.walk(s);
                    long[] mask = cv.mask(s);
                    MatchState at = s;
                    assertArrayEquals(expected, uncached, () -> "plain walk at " + at + " in " + schema);
                    assertArrayEquals(expected, mask, () -> "cached mask at " + at + " in " + schema);
                    List<Integer> allowed = new ArrayList<>();
                    for (int t = 0; t < vocab.length; t++) if ((mask[t >>> 6] & (1L << t)) != 0) allowed.add(t);
                    assertFalse(allowed.isEmpty() && !s.accepting(), () -> "dead end at " + at);
                    if (allowed.isEmpty()) break;
                    s = s.next(vocab[allowed.get(r.nextInt(allowed.size()))]);
                    assertNotNull(s);
                }
            }
        }
    }

    @Test
    void tokenConstraintMasksLogitsAndAdvances() {
        byte[][] vocab = {"{".getBytes(), "}".getBytes(), "{}".getBytes(), "\"a\":".getBytes(), "1".getBytes(), null};
        int eos = 5;
        TokenConstraint c = new TokenConstraint(JsonMatcherTest.schema("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}"),
                new ConstrainedVocabulary(vocab), new int[] {eos});
        float[] logits = {1, 2, 3, 4, 5, 6, 7}; // one id beyond the vocabulary
        c.mask(logits);
        float ninf = Float.NEGATIVE_INFINITY;
        assertArrayEquals(new float[] {1, ninf, 3, ninf, ninf, ninf, ninf}, logits);
        c.accept(0);
        logits = new float[] {1, 2, 3, 4, 5, 6, 7};
        c.mask(logits);
        assertArrayEquals(new float[] {ninf, 2, ninf, 4, ninf, ninf, ninf}, logits);
        c.accept(3);
        c.accept(4);
        assertFalse(c.finished());
        c.accept(1);
        assertTrue(c.finished());
        assertTrue(c.accepting());
        logits = new float[] {1, 2, 3, 4, 5, 6, 7};
        c.mask(logits);
        assertArrayEquals(new float[] {ninf, ninf, ninf, ninf, ninf, 6, ninf}, logits);
    }

    static Path llama3() {
        try {
            return Path.of(ConstrainedVocabularyTest.class.getClassLoader().getResource("tokenizers/llama3").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void llama3MasksEqualBruteForceAndNeverAllowSpecialTokens() {
        try (Tokenizer tok = Tokenizer.load(llama3())) {
            byte[][] bytes = tok.tokenBytes();
            assertArrayEquals("Ġworld".equals(tok.tokenString(1917)) ? " world".getBytes() : bytes[1917], bytes[1917]);
            int eot = tok.tokenId("<|eot_id|>").orElseThrow();
            assertNull(bytes[eot]);
            long t0 = System.nanoTime();
            ConstrainedVocabulary cv = new ConstrainedVocabulary(bytes);
            long built = System.nanoTime() - t0;
            Grammar g = JsonMatcherTest.schema(SCHEMAS.get(0));
            String text = "{\"name\":\"Al é\",\"tags\":[\"a\",\"a\\\"c\"],\"score\":9.5,\"ok\":null}";
            MatchState s = g.initial();
            long walks = 0;
            int n = 0;
            for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
                long[] expected = bruteForce(bytes, s);
                long w0 = System.nanoTime();
                long[] walked = cv.walk(s);
                walks += System.nanoTime() - w0;
                n++;
                assertArrayEquals(expected, walked, "at " + s);
                assertArrayEquals(expected, cv.mask(s), "at " + s);
                assertEquals(0, expected[eot >>> 6] & (1L << eot));
                s = s.next(b & 0xFF);
            }
            assertTrue(s.terminal());
            System.out.printf("llama3: %d tokens, %d trie nodes, built in %.0f ms; uncached walk %.2f ms on average over %d states%n",
                    bytes.length, cv.trieNodes(), built / 1e6, walks / 1e6 / n, n);
        }
    }
}
