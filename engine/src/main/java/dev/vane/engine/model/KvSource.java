package dev.vane.engine.model;

import ai.djl.ndarray.NDArray;
import dev.vane.engine.cache.TensorKvCache;

/**
 * Where attention finds its keys and values: the step's own tokens only (training, scoring a
 * whole sequence) or a {@link TensorKvCache} that the step appends to.
 */
sealed interface KvSource permits KvSource.Local, KvSource.Cached {

    /** Key positions {@code [B][K]} the mask is built against. */
    int[][] keyPositions(StepInput in);

    /** Stores this step's k/v where needed and returns the keys and values to attend over. */
    NDArray[] keysAndValues(int layer, StepInput in, NDArray k, NDArray v);

    /** Attend over the step's own tokens; nothing is stored. */
    record Local() implements KvSource {
        @Override
        public int[][] keyPositions(StepInput in) {
            return in.positions();
        }

        @Override
        public NDArray[] keysAndValues(int layer, StepInput in, NDArray k, NDArray v) {
            return new NDArray[] {k, v};
        }
    }

    /**
     * Append to the cache, then attend over everything the rows' slots hold so far. One instance
     * per step: the slot selection is built once and shared by every layer.
     */
    final class Cached implements KvSource {
        private final TensorKvCache cache;
        private TensorKvCache.Selection selection;

        Cached(TensorKvCache cache) {
            this.cache = cache;
        }

        @Override
        public int[][] keyPositions(StepInput in) {
            int len = keyLength(in);
            int[][] k = new int[in.rows()][len];
            for (int[] row : k) for (int j = 0; j < len; j++) row[j] = j;
            return k;
        }

        private static int keyLength(StepInput in) {
            int len = 0;
            for (int b = 0; b < in.rows(); b++) len = Math.max(len, in.start()[b] + in.width());
            return len;
        }

        @Override
        public NDArray[] keysAndValues(int layer, StepInput in, NDArray k, NDArray v) {
            cache.update(layer, in.slot(), in.start(), k, v);
            if (selection == null) selection = cache.select(in.slot());
            int len = keyLength(in);
            return new NDArray[] {cache.readKeys(layer, selection, len), cache.readValues(layer, selection, len)};
        }
    }
}
