package dev.vane.lab.calibrate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Which part of a prompt file an example belongs to: fitted on, or held out for the metrics. */
public enum Split {
    TRAIN, VALID;

    /** The line's {@code split} field: {@code train} or {@code valid}. */
    static Split of(JsonLines.Line line) {
        String s = line.text("split");
        return switch (s) {
            case "train" -> TRAIN;
            case "valid" -> VALID;
            default -> throw line.error("split: expected 'train' or 'valid', got '" + s + "'");
        };
    }

    /**
     * The indices of {@code round(n · fraction)} examples (at least one, at most n − 1) to hold
     * out, chosen by a seeded shuffle so the split is reproducible.
     */
    static Set<Integer> heldOut(int n, double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1))
            throw new IllegalArgumentException("--valid-fraction: must be in (0, 1), got " + fraction);
        if (n < 2) throw new IllegalArgumentException("need at least 2 examples to hold some out, got " + n);
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < n; i++) idx.add(i);
        Collections.shuffle(idx, new Random(seed));
        int valid = (int) Math.max(1, Math.min(n - 1, Math.round(n * fraction)));
        return Set.copyOf(idx.subList(0, valid));
    }
}
