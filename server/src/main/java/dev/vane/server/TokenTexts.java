package dev.vane.server;

import dev.vane.engine.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-token text and raw bytes for log-probability responses. The text is the token decoded on
 * its own (special tokens kept; a token holding part of a UTF-8 character decodes to U+FFFD, as
 * in vLLM). The bytes are the token's own bytes: the UTF-8 of its text when that is complete,
 * else recovered from its vocabulary string (byte-level BPE's byte-to-unicode alphabet, or
 * SentencePiece {@code <0xNN>} byte tokens).
 */
final class TokenTexts {

    private static final Pattern BYTE_TOKEN = Pattern.compile("<0x([0-9A-Fa-f]{2})>");
    private static final Map<Character, Integer> BYTE_LEVEL = byteLevelAlphabet();

    private record Entry(String text, byte[] bytes) {}

    private final Tokenizer tokenizer;
    private final Map<Integer, Entry> cache = new ConcurrentHashMap<>();

    TokenTexts(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    String text(int id) {
        return entry(id).text();
    }

    byte[] bytes(int id) {
        return entry(id).bytes();
    }

    private Entry entry(int id) {
        return cache.computeIfAbsent(id, this::load);
    }

    private Entry load(int id) {
        String text = tokenizer.decode(new int[] {id}, false);
        if (text.indexOf('\uFFFD') < 0) return new Entry(text, text.getBytes(StandardCharsets.UTF_8));
        String vocab;
        try {
            vocab = tokenizer.tokenString(id);
        } catch (IllegalArgumentException e) {
            return new Entry(text, text.getBytes(StandardCharsets.UTF_8));
        }
        Matcher m = BYTE_TOKEN.matcher(vocab);
        if (m.matches()) return new Entry(text, new byte[] {(byte) Integer.parseInt(m.group(1), 16)});
        byte[] out = new byte[vocab.length()];
        for (int i = 0; i < vocab.length(); i++) {
            Integer b = BYTE_LEVEL.get(vocab.charAt(i));
            if (b == null) return new Entry(text, text.getBytes(StandardCharsets.UTF_8));
            out[i] = (byte) (int) b;
        }
        return new Entry(text, out);
    }

    /** GPT-2's {@code bytes_to_unicode}, inverted: printable character → byte. */
    private static Map<Character, Integer> byteLevelAlphabet() {
        Map<Character, Integer> map = new ConcurrentHashMap<>();
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map.put((char) (printable ? b : 256 + extra++), b);
        }
        return Map.copyOf(map);
    }
}
