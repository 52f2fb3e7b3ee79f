package dev.vane.engine.generate;

import dev.vane.engine.config.BeaconConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A sequence's Activation Beacon bookkeeping: where its entries lie in its KV slot and which
 * step rows are beacons. The slot holds {@code [sink | beacons of closed windows | open window]};
 * the open window holds its raw tokens with a beacon after every r-th, in order. Positions are the
 * entries' indices, so they are contiguous at every step, as in the reference implementation.
 *
 * <pre>
 *   feed:   raw tokens of the open window, at most W − (raw tokens it holds), one beacon after every r-th
 *   close:  once the window holds W raw tokens its raw entries are dropped; its beacons move down
 *           to follow the memory (the first window also keeps its first {@code sink} entries)
 *   entries after N raw tokens = sink + ⌊N/W⌋·W/r + m + ⌊m/r⌋,  m = N mod W   ({@link BeaconConfig#entriesAfter})
 * </pre>
 *
 * The sink is taken once, from the first window's first entries (the reference re-takes it from
 * each step's input until the first window closes; both agree when the first window is fed in one
 * step).
 */
final class BeaconMemory {

    /** A move {@link dev.vane.engine.model.CausalLM#moveBeacons} makes: entries {@code from[i]} to {@code to + i}. */
    record Move(int[] from, int to) {}

    private final int window, ratio, sink, beaconId;
    private int memory;       // entries before the open window: sink + closed windows' beacons
    private int open;         // entries of the open window: raw tokens and beacons
    private int raw;          // raw tokens in the open window
    private final List<Integer> beacons = new ArrayList<>(); // positions of the open window's beacons

    /** @throws IllegalArgumentException for a ratio the window cannot run ({@link BeaconConfig#checkRatio}) */
    BeaconMemory(BeaconConfig config, int ratio, int beaconId) {
        BeaconConfig.checkRatio(ratio, config.window(), "vane.beacon.ratio");
        this.window = config.window();
        this.ratio = ratio;
        this.sink = config.sinkSize();
        this.beaconId = beaconId;
    }

    int ratio() { return ratio; }

    /** The position of the next entry: the entries the slot holds. */
    int position() { return memory + open; }

    /** Raw tokens the open window still takes. */
    int room() { return window - raw; }

    /** The step's input for these raw tokens (at most {@link #room}): a beacon after every r-th raw token of the window. */
    int[] input(int[] tokens) {
        if (tokens.length > room()) throw new IllegalArgumentException(tokens.length + " tokens but the window takes " + room());
        int beaconsNow = (raw % ratio + tokens.length) / ratio;
        int[] in = new int[tokens.length + beaconsNow];
        int k = 0, inWindow = raw;
        for (int t : tokens) {
            in[k++] = t;
            if (++inWindow % ratio == 0) in[k++] = beaconId;
        }
        return in;
    }

    /** The raw tokens of a step input. */
    int rawCount(int[] input) {
        int n = 0;
        for (int t : input) if (t != beaconId) n++;
        return n;
    }

    /** Records a fed step input; when it filled the window, the move that closes it. */
    Optional<Move> fed(int[] input) {
        for (int t : input) {
            if (t == beaconId) beacons.add(memory + open);
            else raw++;
            open++;
        }
        if (raw < window) return Optional.empty();
        boolean first = memory == 0;
        int keep = first ? Math.min(sink, open) : 0;                         // the sink stays where it is
        int[] from = beacons.stream().mapToInt(Integer::intValue).filter(p -> p >= keep).toArray();
        Move move = new Move(from, memory + keep);
        memory += keep + from.length;
        open = 0;
        raw = 0;
        beacons.clear();
        return Optional.of(move);
    }
}
