package dev.vane.lab.gact;

import java.util.Arrays;
import java.util.SplittableRandom;

/** A seeded train / held-out split of N prompt indices (Fisher–Yates shuffle). */
record Split(int[] train, int[] heldOut) {

    static Split of(int n, double heldOutFraction, long seed) {
        if (!(heldOutFraction > 0 && heldOutFraction < 1))
            throw new IllegalArgumentException("heldOutFraction must be in (0, 1), got " + heldOutFraction);
        int held = (int) Math.round(n * heldOutFraction);
        if (held < 1 || n - held < 1)
            throw new IllegalArgumentException("too few prompts (" + n + ") for heldOutFraction " + heldOutFraction);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return new Split(Arrays.copyOfRange(order, held, n), Arrays.copyOfRange(order, 0, held));
    }

    /** The prompts {@code heldOut} (distinct indices in {@code [0, n)}) held out, the others trained on. */
    static Split given(int n, int[] heldOut) {
        if (heldOut == null || heldOut.length < 1 || heldOut.length >= n)
            throw new IllegalArgumentException("heldOut must hold between 1 and " + (n - 1) + " of the " + n
                    + " prompts, got " + (heldOut == null ? 0 : heldOut.length));
        boolean[] held = new boolean[n];
        for (int i : heldOut) {
            if (i < 0 || i >= n) throw new IllegalArgumentException("heldOut must be in [0, " + n + "), got " + i);
            if (held[i]) throw new IllegalArgumentException("heldOut lists prompt " + i + " twice");
            held[i] = true;
        }
        int[] train = new int[n - heldOut.length];
        for (int i = 0, t = 0; i < n; i++) if (!held[i]) train[t++] = i;
        return new Split(train, heldOut.clone());
    }
}
