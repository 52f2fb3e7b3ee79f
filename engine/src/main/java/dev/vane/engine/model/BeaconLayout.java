package dev.vane.engine.model;

import dev.vane.engine.config.BeaconConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * A whole sequence in the Activation Beacon layout, for the tensor decoder, which computes every
 * window at once (training, evaluation); the serving loop builds the same layout step by step
 * (its {@code BeaconMemory}). Window k holds its raw tokens with a beacon after every
 * r<sub>k</sub>-th; its entries sit at positions {@code m_k + i}, after the memory of
 * {@code m_k} entries that the closed windows left:
 *
 * <pre>
 *   memory after window 0:  its first {@code sink} entries, then its beacons (those not in the sink)
 *   memory after window k:  the memory before it, then its beacons
 *   window k's queries see: the memory (positions 0 .. m_k − 1) and their own window up to themselves
 * </pre>
 *
 * A window of fewer than W raw tokens (the last) has ⌊n/r⌋ beacons and closes nothing. The ratio
 * may differ from window to window (training draws one per window).
 */
public final class BeaconLayout {

    /**
     * Window k: entries {@code [start, end)}, and the memory its queries see before them, as entry
     * indices in memory order (memory position j holds entry {@code memory[j]}).
     */
    public record Window(int start, int end, int ratio, int[] memory) {
        public int size() { return end - start; }
    }

    private final int rawTokens;
    private final int[] raw;          // [E] the raw token index of each entry, −1 for a beacon
    private final int[] positions;    // [E] each entry's position when it is computed
    private final List<Window> windows;

    private BeaconLayout(int rawTokens, int[] raw, int[] positions, List<Window> windows) {
        this.rawTokens = rawTokens;
        this.raw = raw;
        this.positions = positions;
        this.windows = List.copyOf(windows);
    }

    /**
     * The layout of {@code rawTokens} raw tokens in windows of {@code window}, keeping {@code sink}
     * leading entries, window k at ratio {@code ratioOfWindow(k)}.
     *
     * @throws IllegalArgumentException for a ratio the window cannot run ({@link BeaconConfig#checkRatio})
     */
    public static BeaconLayout of(int rawTokens, int window, int sink, IntUnaryOperator ratioOfWindow) {
        if (rawTokens < 1) throw new IllegalArgumentException("a beacon layout needs at least one raw token");
        List<Integer> raw = new ArrayList<>(), positions = new ArrayList<>(), memory = new ArrayList<>();
        List<Window> windows = new ArrayList<>();
        for (int k = 0, first = 0; first < rawTokens; k++, first += window) {
            int r = ratioOfWindow.applyAsInt(k);
            BeaconConfig.checkRatio(r, window, "beacon ratio of window " + k);
            int n = Math.min(window, rawTokens - first), start = raw.size(), m = memory.size();
            List<Integer> beacons = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                raw.add(first + i);
                positions.add(m + raw.size() - 1 - start);
                if ((i + 1) % r == 0) {
                    beacons.add(raw.size());
                    raw.add(-1);
                    positions.add(m + raw.size() - 1 - start);
                }
            }
            windows.add(new Window(start, raw.size(), r, memory.stream().mapToInt(Integer::intValue).toArray()));
            if (n < window) break;                                           // an open window closes nothing
            int keep = k == 0 ? Math.min(sink, raw.size() - start) : 0;      // the sink stays where it is
            for (int i = 0; i < keep; i++) memory.add(start + i);
            for (int b : beacons) if (b - start >= keep) memory.add(b);
        }
        return new BeaconLayout(rawTokens, raw.stream().mapToInt(Integer::intValue).toArray(),
                positions.stream().mapToInt(Integer::intValue).toArray(), windows);
    }

    /** The layout of a fixed ratio, as a request runs it. */
    public static BeaconLayout of(int rawTokens, BeaconConfig config, int ratio) {
        return of(rawTokens, config.window(), config.sinkSize(), k -> ratio);
    }

    public int rawTokens() { return rawTokens; }

    /** Entries: raw tokens and beacons. */
    public int entries() { return raw.length; }

    public boolean isBeacon(int entry) { return raw[entry] < 0; }

    /** The entries that are raw tokens, in order: entry {@code rawEntries()[i]} holds raw token i. */
    public int[] rawEntries() {
        return java.util.stream.IntStream.range(0, raw.length).filter(e -> raw[e] >= 0).toArray();
    }

    /** Each entry's position when it is computed ({@code m_k + i}). */
    public int[] positions() { return positions.clone(); }

    public List<Window> windows() { return windows; }

    /** The step input ids of one row: raw token ids with {@code beaconId} at the beacons. */
    public int[] ids(int[] rawIds, int beaconId) {
        if (rawIds.length != rawTokens) throw new IllegalArgumentException(rawIds.length + " ids for a layout of " + rawTokens);
        int[] ids = new int[raw.length];
        for (int e = 0; e < raw.length; e++) ids[e] = raw[e] < 0 ? beaconId : rawIds[raw[e]];
        return ids;
    }

    /** The largest position any entry has: what the RoPE tables must cover. */
    public int maxPosition() {
        return Arrays.stream(positions).max().orElse(0);
    }
}
