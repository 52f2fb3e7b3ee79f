package dev.vane.engine.generate;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Picks the next token of one sequence from one row of logits.
 *
 * <h2>Pipeline</h2>
 * For {@code logits} {@code l} (one float per token id) and the sequence's {@link SamplingParams}:
 * <ol>
 *   <li><b>Adjustments</b>, on a scratch copy ({@code logits} itself is never modified): the
 *       {@code logit_bias} entries added; while fewer than {@code min_tokens} tokens are generated, the
 *       end tokens set to {@code -Infinity}; then the penalties, repetition, then presence and
 *       frequency, exactly as in {@link LogitsProcessor#applyPenalties}; last, for a constrained
 *       sequence (structured output), every token its {@link dev.vane.engine.constrain.TokenConstraint}
 *       forbids set to {@code -Infinity}. Call the result {@code l'}.</li>
 *   <li><b>Greedy</b>: if {@code temperature == 0}, return {@code argmax l'} (ties go to the lowest token
 *       id); no random number is drawn and the steps below do not apply.</li>
 *   <li><b>Temperature</b>: {@code z[t] = (l'[t] - max l') / temperature} and weight
 *       {@code w[t] = exp(z[t])}, so {@code p[t] = w[t] / sum w = softmax(l' / temperature)[t]} and the
 *       most likely token has {@code w = 1}. Subtracting the maximum cannot overflow. Tokens with
 *       {@code l' = -Infinity} are masked ({@code w = 0}); so is any {@code z < -104}, whose float
 *       {@code exp} is 0 anyway.</li>
 *   <li><b>Top-k</b> (if {@code top_k > 0}): keep the {@code k} highest-ranked tokens.</li>
 *   <li><b>Top-p</b> (if {@code top_p < 1}; nucleus): keep the smallest highest-ranked prefix whose
 *       probability (renormalised over the top-k survivors) is {@code >= top_p}, i.e. keep token
 *       {@code t} iff the probability of the tokens ranked strictly above it is {@code < top_p}. The top
 *       token is always kept.</li>
 *   <li><b>Min-p</b> (if {@code min_p > 0}): drop tokens with {@code p[t] < min_p * max p}, i.e.
 *       {@code w[t] < min_p}.</li>
 *   <li><b>Renormalise and sample</b>: draw {@code u = random.nextDouble() * sum w} over the kept tokens
 *       (exactly one draw per step) and return the first kept token, in the sampler's deterministic
 *       candidate order, whose cumulative weight exceeds {@code u}.</li>
 * </ol>
 * <b>Rank</b> means: larger {@code l'} first (the same order as {@code z} and {@code p}), ties broken by
 * the lower token id. Every step is thus a deterministic function of the logits, the parameters, the
 * token counts and the one random draw, and the same seed gives the same token sequence.
 *
 * <h2>Cost</h2>
 * No full sort: top-k uses a bounded heap (one pass over the vocabulary plus O(k log k); quickselect for
 * very large k), so only {@code k} exponentials are computed. Top-p first discards every token with
 * {@code w < (1 - top_p) * sum w / V}, which can never be in the nucleus (all of them together carry
 * less than {@code 1 - top_p} of the mass), then runs an expected-linear quickselect-style search over
 * the rest. Sampling walks per-block weight sums, not the whole vocabulary. Vocabulary-sized scratch
 * arrays are allocated on first use and reused, so a sampler is <b>not thread-safe</b>: use one per
 * worker thread, shared by any number of sequences.
 *
 * <p>Log-probabilities for the response are computed separately from the <em>raw</em> logits with
 * {@link TokenLogprobs#compute}, which works because {@code sample} leaves {@code logits} untouched.
 */
public final class Sampler {
    /** Below this {@code z}, {@code (float) exp(z)} is 0: skip the call. */
    private static final double MIN_Z = -104;
    /** Largest top-k served by the heap; larger k uses quickselect. */
    private static final int HEAP_TOP_K_MAX = 4096;
    private static final int SMALL_RANGE = 16;
    private static final int BLOCK_SHIFT = 10;
    private static final int BLOCK = 1 << BLOCK_SHIFT;

    /** Adjusted copy of the logits, when there are adjustments. */
    private float[] penalised = new float[0];
    /** Candidate token ids (when {@link #compact}). */
    private int[] ids = new int[0];
    /** Candidate rank keys: their penalised logits (when {@link #compact}). */
    private float[] keys = new float[0];
    /** Candidate weights {@code exp(z)}; indexed by token id when not {@link #compact}. */
    private float[] weights = new float[0];
    /** Weight sums of consecutive blocks of {@link #BLOCK} candidates. */
    private double[] blockSums = new double[0];

    // ---- state of the last prepare() ----
    /** Whether candidates are {@code ids/keys/weights[0, n)} rather than every token id in order. */
    private boolean compact;
    /** Sum of the kept weights. */
    private double mass;
    /** Weight sum of the "better" side of the last {@link #partition}. */
    private double partitionMass;

    /**
     * Samples the next token of the sequence described by {@code state} (see the class comment for the
     * exact pipeline). Does not modify {@code logits} and does not {@link SequenceState#append append}
     * the token: the caller appends it once it is accepted.
     *
     * @throws IllegalArgumentException if {@code logits} is empty or contains NaN or +Infinity, or a
     *         counted token id is outside it
     * @throws IllegalStateException if every logit is -Infinity
     */
    public int sample(float[] logits, SequenceState state) {
        if (state.params().isGreedy()) {
            return greedyToken(logits, state);
        }
        int n = prepare(logits, state);
        double u = state.random().nextDouble() * mass;
        return tokenAt(draw(n, u));
    }

    /**
     * The distribution {@link #sample} draws from, as a new dense array indexed by token id (zero for
     * filtered tokens); one-hot at the argmax when greedy. Draws no random number. Allocates a
     * vocabulary-sized array: meant for tests and diagnostics.
     */
    public double[] probabilities(float[] logits, SequenceState state) {
        double[] out = new double[logits.length];
        if (state.params().isGreedy()) {
            out[greedyToken(logits, state)] = 1;
            return out;
        }
        int n = prepare(logits, state);
        for (int i = 0; i < n; i++) {
            out[tokenAt(i)] = weights[i] / mass;
        }
        return out;
    }

    /**
     * Greedy decoding: the index of the largest logit, the lowest one among equal maxima. {@code -Infinity}
     * entries are allowed (masked).
     *
     * @throws IllegalArgumentException if {@code logits} is empty or contains NaN or +Infinity
     * @throws IllegalStateException if every logit is -Infinity
     */
    public static int argmax(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("logits row is empty");
        }
        // pass 1: the maximum (lanewise max propagates NaN, and is exact in any order)
        int bound = MAX_LANES.loopBound(logits.length), t = 0;
        FloatVector mx = FloatVector.broadcast(MAX_LANES, Float.NEGATIVE_INFINITY);
        for (; t < bound; t += MAX_LANES.length()) mx = mx.max(FloatVector.fromArray(MAX_LANES, logits, t));
        float best = mx.reduceLanes(VectorOperators.MAX);
        for (; t < logits.length; t++) best = Math.max(best, logits[t]);
        if (best != best) {
            throw new IllegalArgumentException("logit of token " + firstIndexOf(logits, Float.NaN) + " is NaN");
        }
        if (best == Float.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("logit of token " + firstIndexOf(logits, best) + " is +Infinity");
        }
        if (best == Float.NEGATIVE_INFINITY) {
            throw new IllegalStateException("every token is masked (all logits are -Infinity)");
        }
        // pass 2: the first index holding it (-0.0 == 0.0, as the order of a scalar scan would have it)
        return firstIndexOf(logits, best);
    }

    /** Vectors of the CPU's preferred width for {@link #argmax} (a 128k vocabulary: ~8k vector steps instead of 128k compares). */
    private static final VectorSpecies<Float> MAX_LANES = FloatVector.SPECIES_PREFERRED;

    /** The first index whose value equals {@code v} ({@code ==}, or NaN for NaN); -1 if none. */
    private static int firstIndexOf(float[] a, float v) {
        if (v != v) {
            for (int t = 0; t < a.length; t++) if (a[t] != a[t]) return t;
            return -1;
        }
        int bound = MAX_LANES.loopBound(a.length), t = 0;
        for (; t < bound; t += MAX_LANES.length()) {
            VectorMask<Float> m = FloatVector.fromArray(MAX_LANES, a, t).eq(v);
            if (m.anyTrue()) return t + m.firstTrue();
        }
        for (; t < a.length; t++) if (a[t] == v) return t;
        return -1;
    }

    private int greedyToken(float[] logits, SequenceState state) {
        return argmax(penalise(logits, state));
    }

    /**
     * {@code logits} itself, or a scratch copy with the bias, the {@code min_tokens} mask, the
     * penalties and the structured-output constraint's mask applied.
     */
    private float[] penalise(float[] logits, SequenceState state) {
        SamplingParams params = state.params();
        var constraint = state.constraint();
        if (!params.adjustsLogits() && constraint == null) {
            return logits;
        }
        if (penalised.length != logits.length) {
            penalised = new float[logits.length];
        }
        System.arraycopy(logits, 0, penalised, 0, logits.length);
        LogitsProcessor.applyBias(penalised, params.logitBias());
        for (int t : state.maskedEndTokens()) {
            if (t < penalised.length) penalised[t] = Float.NEGATIVE_INFINITY;
        }
        LogitsProcessor.applyPenalties(penalised, state.counts(), params);
        if (constraint != null) constraint.mask(penalised, params.maxTokens() - state.generatedTokens());
        return penalised;
    }

    private int tokenAt(int candidate) {
        return compact ? ids[candidate] : candidate;
    }

    /**
     * Runs the pipeline up to (not including) the draw. Leaves the kept candidates' weights in
     * {@code weights[0, n)} (ids in {@code ids} when {@link #compact}), their sum in {@link #mass} and
     * per-block sums in {@link #blockSums}; returns {@code n >= 1}.
     */
    private int prepare(float[] logits, SequenceState state) {
        SamplingParams params = state.params();
        int vocab = logits.length;
        if (vocab == 0) {
            throw new IllegalArgumentException("logits row is empty");
        }
        ensureCapacity(vocab);
        float[] src = penalise(logits, state);
        double max = src[argmax(src)];
        double temperature = params.temperature();

        // top-k, then weights w = exp((l' - max) / T) and their total
        int n;
        double total = 0;
        int k = params.topK();
        if (k > 0 && k < vocab) {
            n = k <= HEAP_TOP_K_MAX ? heapTopK(src, k) : quickselectTopK(src, k);
            compact = true;
            for (int i = 0; i < n; i++) {
                float w = weight(keys[i], max, temperature);
                weights[i] = w;
                total += w;
            }
        } else {
            n = vocab;
            compact = false;
            for (int t = 0; t < vocab; t++) {
                float w = weight(src[t], max, temperature);
                weights[t] = w;
                total += w;
            }
        }

        // top-p
        double topP = params.topP();
        if (topP < 1 && n > 1) {
            if (!compact) {
                // Tokens with w < (1 - p) * total / V together hold < (1 - p) of the mass: never in the nucleus.
                n = compactDense(src, n, (1 - topP) * total / vocab);
            }
            n = selectNucleus(n, topP * total);
        }

        // min-p: p[t] < min_p * max p  <=>  w[t] < min_p, as the top token's weight is exactly 1
        double minP = params.minP();
        if (minP > 0) {
            if (compact) {
                int kept = 0;
                for (int i = 0; i < n; i++) {
                    if (weights[i] >= minP) {
                        ids[kept] = ids[i];
                        keys[kept] = keys[i];
                        weights[kept] = weights[i];
                        kept++;
                    }
                }
                n = kept;
            } else {
                n = compactDense(src, n, minP);
            }
        }

        // renormalisation constant and block sums for the draw
        int blocks = (n + BLOCK - 1) >>> BLOCK_SHIFT;
        double sum = 0;
        for (int b = 0; b < blocks; b++) {
            double s = blockSum(b * BLOCK, Math.min(n, (b + 1) * BLOCK));
            blockSums[b] = s;
            sum += s;
        }
        mass = sum;
        return n;
    }

    /** {@code exp((l - max) / T)} as a float, 0 for masked tokens. */
    private static float weight(float l, double max, double temperature) {
        double z = ((double) l - max) / temperature;
        return z > MIN_Z ? (float) Math.exp(z) : 0f;
    }

    /** Compacts the dense candidates {@code [0, n)} to those with {@code w >= threshold}. */
    private int compactDense(float[] src, int n, double threshold) {
        int kept = 0;
        for (int t = 0; t < n; t++) {
            float w = weights[t];
            if (w >= threshold) {
                ids[kept] = t;
                keys[kept] = src[t];
                weights[kept] = w;
                kept++;
            }
        }
        compact = true;
        return kept;
    }

    private double blockSum(int from, int to) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = from;
        for (; i + 3 < to; i += 4) {
            s0 += weights[i];
            s1 += weights[i + 1];
            s2 += weights[i + 2];
            s3 += weights[i + 3];
        }
        for (; i < to; i++) {
            s0 += weights[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Index of the candidate at cumulative weight {@code u}, {@code 0 <= u <= mass}. */
    private int draw(int n, double u) {
        int blocks = (n + BLOCK - 1) >>> BLOCK_SHIFT;
        int b = 0;
        while (b < blocks - 1 && u >= blockSums[b]) {
            u -= blockSums[b];
            b++;
        }
        int from = b * BLOCK;
        int to = Math.min(n, from + BLOCK);
        double cumulative = 0;
        for (int i = from; i < to; i++) {
            cumulative += weights[i];
            if (u < cumulative) {
                return i;
            }
        }
        // u rounded up to the end of the block: take its last candidate with positive weight
        for (int i = to - 1; i > 0; i--) {
            if (weights[i] > 0) {
                return i;
            }
        }
        return 0;
    }

    private void ensureCapacity(int vocab) {
        if (ids.length != vocab) {
            ids = new int[vocab];
            keys = new float[vocab];
            weights = new float[vocab];
            blockSums = new double[(vocab + BLOCK - 1) >>> BLOCK_SHIFT];
        }
    }

    // ---- top-k ----

    /**
     * One pass with a size-{@code k} heap whose root is the lowest-ranked kept token: fills
     * {@code ids/keys[0, k)} with the {@code k} highest-ranked tokens (in heap order). Returns {@code k}.
     */
    private int heapTopK(float[] src, int k) {
        for (int t = 0; t < k; t++) {
            ids[t] = t;
            keys[t] = src[t];
            heapSiftUp(t);
        }
        float rootKey = keys[0];
        for (int t = k; t < src.length; t++) {
            float v = src[t];
            // a later token with an equal logit ranks lower (higher id): strictly greater only
            if (v > rootKey) {
                ids[0] = t;
                keys[0] = v;
                heapSiftDown(k);
                rootKey = keys[0];
            }
        }
        return k;
    }

    /** Whether candidate {@code i} ranks strictly below candidate {@code j}. */
    private boolean ranksBelow(int i, int j) {
        return keys[i] < keys[j] || (keys[i] == keys[j] && ids[i] > ids[j]);
    }

    private void heapSiftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!ranksBelow(i, parent)) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void heapSiftDown(int size) {
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                return;
            }
            if (child + 1 < size && ranksBelow(child + 1, child)) {
                child++;
            }
            if (!ranksBelow(child, i)) {
                return;
            }
            swap(i, child);
            i = child;
        }
    }

    /** Top-k for large k: all tokens as candidates, then quickselect. Returns {@code k}. */
    private int quickselectTopK(float[] src, int k) {
        for (int t = 0; t < src.length; t++) {
            ids[t] = t;
            keys[t] = src[t];
        }
        int target = k - 1;
        int lo = 0;
        int hi = src.length - 1;
        while (true) {
            if (hi - lo < SMALL_RANGE) {
                insertionSort(lo, hi);
                return k;
            }
            int m = partition(lo, hi);
            if (m == target) {
                return k;
            } else if (m < target) {
                lo = m + 1;
            } else {
                hi = m - 1;
            }
        }
    }

    // ---- top-p ----

    /**
     * Rearranges the compact candidates so that {@code [0, r)} is the nucleus and returns {@code r}: the
     * smallest highest-ranked prefix whose weight sum is {@code >= need} (a candidate is kept iff the
     * weight of the candidates ranked strictly above it is {@code < need}). Expected linear time.
     */
    private int selectNucleus(int n, double need) {
        int lo = 0;
        int hi = n - 1;
        // Invariant: [0, lo) is kept, ranks above [lo, hi], and left `need` still to cover; need > 0.
        while (true) {
            if (hi - lo < SMALL_RANGE) {
                insertionSort(lo, hi);
                double cumulative = 0;
                for (int i = lo; i <= hi; i++) {
                    if (cumulative >= need) {
                        return i;
                    }
                    cumulative += weights[i];
                }
                return hi + 1;
            }
            int m = partition(lo, hi);
            double better = partitionMass;
            if (better >= need) {
                hi = m - 1; // pivot and below are out; [lo, m) is non-empty since need > 0
            } else if (better + weights[m] >= need) {
                return m + 1;
            } else {
                need -= better + weights[m];
                lo = m + 1;
                if (lo > hi) {
                    return hi + 1; // rounding left a sliver of need: keep everything
                }
            }
        }
    }

    // ---- selection primitives over compact candidates ----

    /**
     * Lomuto partition of {@code [lo, hi]} around a median-of-three pivot: afterwards the pivot sits at
     * the returned index {@code m}, {@code [lo, m)} ranks above it and {@code (m, hi]} below. Sets
     * {@link #partitionMass} to the weight sum of {@code [lo, m)}.
     */
    private int partition(int lo, int hi) {
        int mid = (lo + hi) >>> 1;
        if (ranksBelow(lo, mid)) {
            swap(mid, lo);
        }
        if (ranksBelow(lo, hi)) {
            swap(hi, lo);
        }
        if (ranksBelow(hi, mid)) {
            swap(mid, hi);
        }
        // now rank(lo) >= rank(hi) >= rank(mid): the median pivot is at hi
        float pivotKey = keys[hi];
        int pivotId = ids[hi];
        double betterMass = 0;
        int store = lo;
        for (int i = lo; i < hi; i++) {
            float v = keys[i];
            if (v > pivotKey || (v == pivotKey && ids[i] < pivotId)) {
                betterMass += weights[i];
                swap(i, store);
                store++;
            }
        }
        swap(store, hi);
        partitionMass = betterMass;
        return store;
    }

    /** Sorts {@code [lo, hi]} highest rank first. */
    private void insertionSort(int lo, int hi) {
        for (int i = lo + 1; i <= hi; i++) {
            int id = ids[i];
            float key = keys[i];
            float w = weights[i];
            int j = i - 1;
            while (j >= lo && (key > keys[j] || (key == keys[j] && id < ids[j]))) {
                ids[j + 1] = ids[j];
                keys[j + 1] = keys[j];
                weights[j + 1] = weights[j];
                j--;
            }
            ids[j + 1] = id;
            keys[j + 1] = key;
            weights[j + 1] = w;
        }
    }

    private void swap(int i, int j) {
        int id = ids[i];
        ids[i] = ids[j];
        ids[j] = id;
        float key = keys[i];
        keys[i] = keys[j];
        keys[j] = key;
        float w = weights[i];
        weights[i] = weights[j];
        weights[j] = w;
    }
}
