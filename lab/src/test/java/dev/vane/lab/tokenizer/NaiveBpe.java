package dev.vane.lab.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A slow, obviously correct BPE trainer for cross-checking {@link BpeTrainer}: every step recounts
 * all pairs of all words. Same rules: highest count first, ties to the smaller left then right id,
 * ids reused for equal bytes, merges spelling a special token skipped, a merged pair that shows up
 * again applied without a new rule.
 */
final class NaiveBpe {
    private NaiveBpe() {}

    static List<BpeModel.Merge> train(Iterable<String> texts, BpeTrainerConfig config) {
        List<String> specials = config.specialTokens().all();
        PreTokenizer pre = new PreTokenizer(specials);
        Map<String, Long> counts = new TreeMap<>();
        for (String t : texts) {
            pre.split(t, w -> counts.merge(w, 1L, Long::sum));
        }
        int base = specials.size();
        List<List<Integer>> words = new ArrayList<>();
        List<Long> wc = new ArrayList<>();
        counts.forEach((w, c) -> {
            List<Integer> s = new ArrayList<>();
            for (byte b : w.getBytes(StandardCharsets.UTF_8)) {
                s.add(base + (b & 0xFF));
            }
            words.add(s);
            wc.add(c);
        });
        List<String> tokens = new ArrayList<>(); // ISO-8859-1 keys of the bytes; specials as null
        for (int i = 0; i < base; i++) {
            tokens.add(null);
        }
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf((char) b));
        }
        Map<List<Integer>, Integer> merged = new HashMap<>();
        Set<List<Integer>> blocked = new HashSet<>();
        List<BpeModel.Merge> merges = new ArrayList<>();
        while (tokens.size() < config.vocabSize()) {
            Map<List<Integer>, Long> pairs = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                List<Integer> s = words.get(w);
                for (int i = 0; i + 1 < s.size(); i++) {
                    pairs.merge(List.of(s.get(i), s.get(i + 1)), wc.get(w), Long::sum);
                }
            }
            pairs.keySet().removeAll(blocked);
            List<Integer> best = null;
            long bestCount = 0;
            for (var e : pairs.entrySet()) {
                List<Integer> p = e.getKey();
                long c = e.getValue();
                if (best == null || c > bestCount || (c == bestCount && (p.get(0) < best.get(0)
                        || (p.get(0).equals(best.get(0)) && p.get(1) < best.get(1))))) {
                    best = p;
                    bestCount = c;
                }
            }
            if (best == null || bestCount < config.minFrequency()) {
                break;
            }
            Integer id = merged.get(best);
            if (id == null) {
                String ab = tokens.get(best.get(0)) + tokens.get(best.get(1));
                byte[] bytes = ab.getBytes(StandardCharsets.ISO_8859_1);
                if (specials.contains(ByteLevelAlphabet.encode(bytes))) {
                    blocked.add(best);
                    continue;
                }
                id = tokens.indexOf(ab);
                if (id < 0) {
                    id = tokens.size();
                    tokens.add(ab);
                }
                merged.put(best, id);
                merges.add(new BpeModel.Merge(best.get(0), best.get(1), id));
            }
            for (List<Integer> s : words) {
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (s.get(i).equals(best.get(0)) && s.get(i + 1).equals(best.get(1))) {
                        s.set(i, id);
                        s.remove(i + 1);
                    }
                }
            }
        }
        return merges;
    }
}
