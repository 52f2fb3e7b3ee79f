package dev.vane.lab.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ByteLevelAlphabetTest {
    @Test
    void isABijectionOntoPrintableCharacters() {
        Set<Character> seen = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            char c = ByteLevelAlphabet.charOf(b);
            assertTrue(seen.add(c), "duplicate for byte " + b);
            assertFalse(Character.isWhitespace(c) || Character.isISOControl(c), "not printable for byte " + b);
        }
        assertEquals(256, seen.size());
    }

    @Test
    void matchesGpt2Table() {
        assertEquals('!', ByteLevelAlphabet.charOf('!'));
        assertEquals('~', ByteLevelAlphabet.charOf('~'));
        assertEquals('é', ByteLevelAlphabet.charOf(0xE9));
        assertEquals('Ā', ByteLevelAlphabet.charOf(0x00));
        assertEquals('Ċ', ByteLevelAlphabet.charOf('\n'));
        assertEquals('Ġ', ByteLevelAlphabet.charOf(' '));
        assertEquals('ġ', ByteLevelAlphabet.charOf(0x7F));
        assertEquals('Ń', ByteLevelAlphabet.charOf(0xAD));
        assertEquals("ĠhÃ©", ByteLevelAlphabet.encode(" hé".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void recognisesByteTokens() {
        assertTrue(ByteLevelAlphabet.isByteToken("a"));
        assertTrue(ByteLevelAlphabet.isByteToken("Ġ"));
        assertFalse(ByteLevelAlphabet.isByteToken(" "));
        assertFalse(ByteLevelAlphabet.isByteToken("ab"));
        assertFalse(ByteLevelAlphabet.isByteToken("<|bos|>"));
    }
}
