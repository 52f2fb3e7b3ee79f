package dev.vane.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StopStringMatcherTest {

    /** Feeds the pieces, stopping at the first hit; returns everything emitted (including flush). */
    private static String run(List<String> stops, String... pieces) {
        StopStringMatcher m = new StopStringMatcher(stops);
        StringBuilder out = new StringBuilder();
        for (String piece : pieces) {
            StopStringMatcher.Result r = m.offer(piece);
            out.append(r.text());
            if (r.stopped()) {
                return out.toString();
            }
        }
        return out.append(m.flush()).toString();
    }

    private static StopStringMatcher.Result offer(StopStringMatcher m, String text) {
        return m.offer(text);
    }

    @Test
    void noStopStringsPassesTextThrough() {
        StopStringMatcher m = new StopStringMatcher(List.of());
        assertEquals(new StopStringMatcher.Result("Hello", false, null), m.offer("Hello"));
        assertEquals("", m.flush());
    }

    @Test
    void textThatCannotStartAStopIsEmittedImmediately() {
        StopStringMatcher m = new StopStringMatcher(List.of("###"));
        assertEquals("Hello ", offer(m, "Hello ").text());
        assertEquals("world", offer(m, "world").text());
    }

    @Test
    void stopInsideOnePiece() {
        StopStringMatcher m = new StopStringMatcher(List.of("STOP"));
        StopStringMatcher.Result r = m.offer("abcSTOPdef");
        assertEquals(new StopStringMatcher.Result("abc", true, "STOP"), r);
        assertTrue(m.stopped());
        assertEquals("", m.flush());
        assertEquals(new StopStringMatcher.Result("", true, "STOP"), m.offer("more"));
    }

    @Test
    void stopSplitAcrossTwoPieces() {
        StopStringMatcher m = new StopStringMatcher(List.of("</end>"));
        StopStringMatcher.Result r = m.offer("answer</e");
        assertEquals("answer", r.text());
        assertFalse(r.stopped());
        r = m.offer("nd> trailing");
        assertEquals(new StopStringMatcher.Result("", true, "</end>"), r);
    }

    @Test
    void stopSplitAcrossThreePieces() {
        StopStringMatcher m = new StopStringMatcher(List.of("<|im_end|>"));
        assertEquals("Hi", m.offer("Hi<|").text());
        assertEquals("", m.offer("im_").text());
        StopStringMatcher.Result r = m.offer("end|>");
        assertTrue(r.stopped());
        assertEquals("", r.text());
        assertEquals("<|im_end|>", r.matchedStop());
    }

    @Test
    void heldBackTextIsReleasedWhenItStopsLookingLikeAStop() {
        StopStringMatcher m = new StopStringMatcher(List.of("\n\nUser:"));
        assertEquals("Done.", m.offer("Done.\n").text());
        assertEquals("", m.offer("\nUs").text());
        StopStringMatcher.Result r = m.offer("ually");
        assertEquals(new StopStringMatcher.Result("\n\nUsually", false, null), r);
    }

    @Test
    void flushReleasesHeldBackText() {
        StopStringMatcher m = new StopStringMatcher(List.of("STOP"));
        assertEquals("the end ", m.offer("the end ST").text());
        assertEquals("ST", m.flush());
        assertEquals("", m.flush());
    }

    @Test
    void stopAtTheVeryBeginning() {
        assertEquals("", run(List.of("Q:"), "Q:", " what"));
        assertEquals("", run(List.of("Q:"), "Q", ":", " what"));
        StopStringMatcher m = new StopStringMatcher(List.of("x"));
        assertEquals(new StopStringMatcher.Result("", true, "x"), m.offer("xyz"));
    }

    @Test
    void earliestStopWins() {
        assertEquals("a", run(List.of("c", "b"), "abc"));
        assertEquals("a", run(List.of("bcd", "cd"), "abcd"));
        StopStringMatcher m = new StopStringMatcher(List.of("world", "lo"));
        StopStringMatcher.Result r = m.offer("hello world");
        assertEquals(new StopStringMatcher.Result("hel", true, "lo"), r);
    }

    @Test
    void overlappingStopStrings() {
        // "aab" against text "aaab": the held-back "aa" must slide to find the match one char later
        assertEquals("a", run(List.of("aab"), "a", "a", "a", "b"));
        assertEquals("x", run(List.of("abab"), "xab", "aba", "b"));
        // one stop is a prefix of another: the shorter one completes first
        StopStringMatcher m = new StopStringMatcher(List.of("ab", "abc"));
        assertEquals(new StopStringMatcher.Result("", true, "ab"), m.offer("abc"));
        // overlapping stops starting at different positions in one piece: the earlier start wins
        assertEquals("x", run(List.of("bc", "abc"), "xabc"));
    }

    @Test
    void stopCompletedBeforeALongerCandidateResolvesStopsStreaming() {
        // stops "abcd" and "c": when "abc" has arrived "c" is complete; "abcd" may never come
        StopStringMatcher m = new StopStringMatcher(List.of("abcd", "c"));
        assertEquals("", m.offer("ab").text());
        assertEquals(new StopStringMatcher.Result("ab", true, "c"), m.offer("c"));
    }

    @Test
    void unicodeStops() {
        assertEquals("これは", run(List.of("日本"), "これは日", "本語です"));
        assertEquals("hi ", run(List.of("👋🌍"), "hi 👋", "🌍!"));
        assertEquals("naïve ", run(List.of("ünd"), "naïve ü", "n", "d"));
        // a surrogate pair is never split between emitted and held-back text
        StopStringMatcher m = new StopStringMatcher(List.of("😀x"));
        assertEquals("a", m.offer("a😀").text());
        assertEquals("😀y", m.offer("y").text());
        // 🙂 shares its high surrogate with 😀 but is not a prefix of the stop
        assertEquals("🙂", new StopStringMatcher(List.of("😀")).offer("🙂").text());
    }

    @Test
    void invalidStops() {
        assertThrows(IllegalArgumentException.class, () -> new StopStringMatcher(List.of("")));
        assertThrows(NullPointerException.class, () -> new StopStringMatcher(List.of("a")).offer(null));
        assertNull(new StopStringMatcher(List.of("a")).offer("b").matchedStop());
    }

    /** Reference: the full text truncated before the earliest stop occurrence. */
    private static String truncate(String text, List<String> stops) {
        int cut = text.length();
        for (String s : stops) {
            int at = text.indexOf(s);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        return text.substring(0, cut);
    }

    @Test
    void emittedTextEqualsTruncatedTextForRandomSplits() {
        SplittableRandom random = new SplittableRandom(99);
        String alphabet = "ab😀c";
        for (int trial = 0; trial < 3000; trial++) {
            List<String> stops = new ArrayList<>();
            int nStops = 1 + random.nextInt(3);
            for (int i = 0; i < nStops; i++) {
                stops.add(randomString(random, alphabet, 1 + random.nextInt(4)));
            }
            String text = randomString(random, alphabet, random.nextInt(25));
            // split into pieces at code point boundaries
            List<String> pieces = new ArrayList<>();
            int[] cps = text.codePoints().toArray();
            int i = 0;
            while (i < cps.length) {
                int len = 1 + random.nextInt(4);
                int end = Math.min(cps.length, i + len);
                pieces.add(new String(cps, i, end - i));
                i = end;
            }
            // The stream stops at the first piece completing a stop, so the reference is the text up to
            // and including that piece, truncated at the earliest stop.
            StopStringMatcher m = new StopStringMatcher(stops);
            StringBuilder emitted = new StringBuilder();
            StringBuilder offered = new StringBuilder();
            boolean stopped = false;
            for (String piece : pieces) {
                offered.append(piece);
                StopStringMatcher.Result r = m.offer(piece);
                emitted.append(r.text());
                assertEquals(offered.length() > 0 && truncate(offered.toString(), stops).length() < offered.length(),
                        r.stopped(), "stops " + stops + " pieces " + pieces);
                if (r.stopped()) {
                    stopped = true;
                    break;
                }
            }
            if (!stopped) {
                emitted.append(m.flush());
            }
            assertEquals(truncate(offered.toString(), stops), emitted.toString(),
                    "stops " + stops + " pieces " + pieces);
        }
    }

    private static String randomString(SplittableRandom random, String alphabet, int codePoints) {
        int[] cps = alphabet.codePoints().toArray();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            sb.appendCodePoint(cps[random.nextInt(cps.length)]);
        }
        return sb.toString();
    }
}
