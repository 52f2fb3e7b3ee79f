package dev.vane.steering.gact;

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
}
