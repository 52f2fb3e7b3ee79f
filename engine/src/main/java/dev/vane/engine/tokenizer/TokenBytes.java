package dev.vane.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@link Tokenizer#tokenBytes()}: each token's bytes in decoded text, by the kind of decoder of tokenizer.json. */
final class TokenBytes {
    private static final Pattern BYTE_TOKEN = Pattern.compile("<0x([0-9A-Fa-f]{2})>");
    private static final int[] BYTE_LEVEL = byteLevelAlphabet();

    private enum Kind { BYTE_LEVEL, SENTENCEPIECE, OTHER }

    private TokenBytes() {}

    static byte[][] of(Tokenizer tokenizer, String[] idToToken, Set<Integer> added, JsonNode decoder) {
        Kind kind = kind(decoder);
        byte[][] out = new byte[idToToken.length][];
        for (int id = 0; id < idToToken.length; id++) {
            String s = idToToken[id];
            if (s == null || added.contains(id)) continue;
            out[id] = switch (kind) {
                case BYTE_LEVEL -> byteLevel(s);
                case SENTENCEPIECE -> sentencePiece(s);
                case OTHER -> decoded(tokenizer, id);
            };
        }
        return out;
    }

    private static Kind kind(JsonNode decoder) {
        if (decoder == null || !decoder.isObject()) return Kind.OTHER;
        String type = decoder.path("type").asText("");
        if (type.equals("ByteLevel")) return Kind.BYTE_LEVEL;
        if (type.equals("Metaspace")) return Kind.SENTENCEPIECE;
        if (type.equals("Sequence")) {
            Kind k = Kind.OTHER;
            for (JsonNode d : decoder.path("decoders")) {
                String t = d.path("type").asText("");
                if (t.equals("ByteLevel")) return Kind.BYTE_LEVEL;
                if (t.equals("Metaspace") || (t.equals("Replace") && "▁".equals(d.path("pattern").path("String").asText(null))))
                    k = Kind.SENTENCEPIECE;
            }
            return k;
        }
        return Kind.OTHER;
    }

    private static byte[] byteLevel(String s) {
        byte[] out = new byte[s.length()];
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int b = c < BYTE_LEVEL.length ? BYTE_LEVEL[c] : -1;
            if (b < 0) return null;
            out[i] = (byte) b;
        }
        return out;
    }

    private static byte[] sentencePiece(String s) {
        Matcher m = BYTE_TOKEN.matcher(s);
        if (m.matches()) return new byte[] {(byte) Integer.parseInt(m.group(1), 16)};
        return s.replace('▁', ' ').getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] decoded(Tokenizer tokenizer, int id) {
        String text = tokenizer.decode(new int[] {id}, false);
        return text.indexOf('\uFFFD') >= 0 ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    /** GPT-2's {@code bytes_to_unicode}, inverted: character → byte, -1 for characters outside it. */
    private static int[] byteLevelAlphabet() {
        int[] map = new int[512];
        java.util.Arrays.fill(map, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[printable ? b : 256 + extra++] = b;
        }
        return map;
    }
}
