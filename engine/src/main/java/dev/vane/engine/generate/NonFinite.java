package dev.vane.engine.generate;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Finds the values that mean a row's computation overflowed: NaN and +Infinity. {@code -Infinity}
 * is a masked token, not a failure. Why a separate pass before sampling: the sampler refuses such
 * a row with an exception, and the generator must end that row alone, with a message saying what
 * happened, while the other rows of the step go on.
 */
final class NonFinite {

    private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;

    private NonFinite() {}

    /** The first index holding NaN or +Infinity, or -1 when there is none. */
    static int firstIndex(float[] a) {
        int bound = LANES.loopBound(a.length), t = 0;
        for (; t < bound; t += LANES.length()) {
            FloatVector v = FloatVector.fromArray(LANES, a, t);
            var bad = v.test(VectorOperators.IS_NAN).or(v.eq(Float.POSITIVE_INFINITY));
            if (bad.anyTrue()) return t + bad.firstTrue();
        }
        for (; t < a.length; t++) if (a[t] != a[t] || a[t] == Float.POSITIVE_INFINITY) return t;
        return -1;
    }
}
