package dev.vane.lab.tokenizer;

/**
 * GPT-2's {@code bytes_to_unicode} table, used by byte-level BPE (GPT-2, Llama 3, Qwen) to write
 * arbitrary bytes as printable vocabulary strings: the 188 bytes that are printable Latin-1
 * ({@code '!'..'~'}, {@code '¡'..'¬'}, {@code '®'..'ÿ'}) map to themselves, the other 68 (controls,
 * space, DEL, NBSP, soft hyphen) to U+0100 upwards in byte order, so space becomes {@code 'Ġ'}
 * and newline {@code 'Ċ'}. Hugging Face's {@code ByteLevel} pre-tokenizer and decoder use the same table.
 */
public final class ByteLevelAlphabet {
    private static final char[] BYTE_TO_CHAR = new char[256];

    static {
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = printable ? (char) b : (char) (256 + next++);
        }
    }

    private ByteLevelAlphabet() {}

    /** @return the vocabulary character of one byte (only the low 8 bits of {@code b} are used) */
    public static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** @return the vocabulary string of a byte sequence, one character per byte */
    public static String encode(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    /** @return whether {@code s} is the vocabulary string of a single byte */
    public static boolean isByteToken(String s) {
        if (s.length() != 1) {
            return false;
        }
        char c = s.charAt(0);
        for (char x : BYTE_TO_CHAR) {
            if (x == c) {
                return true;
            }
        }
        return false;
    }
}
