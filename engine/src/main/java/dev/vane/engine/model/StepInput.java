package dev.vane.engine.model;

import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.StepContext;

import java.util.ArrayList;
import java.util.List;

/**
 * The tokens of one forward step: per batch row its new tokens, the absolute position of the
 * first one, the cache slot it owns, and its phase. Rows may hold different numbers of tokens;
 * the model right-pads them (padding writes cache entries beyond the row's length, which stay
 * invisible and are overwritten by the row's next tokens).
 */
public record StepInput(int[][] tokens, int[] start, int[] slot, Phase[] phase, boolean[] lastOfPrompt) {

    public StepInput {
        int b = tokens.length;
        if (b == 0) throw new IllegalArgumentException("empty batch");
        if (start.length != b || slot.length != b || phase.length != b || lastOfPrompt.length != b)
            throw new IllegalArgumentException("per-row arrays must all have " + b + " entries");
        for (int[] t : tokens) if (t.length == 0) throw new IllegalArgumentException("a row has no tokens");
        for (int s : start) if (s < 0) throw new IllegalArgumentException("negative start position");
    }

    /** One row holding a whole prompt from position 0 in slot {@code slot}. */
    public static StepInput prompt(int[] tokens, int slot) {
        return new StepInput(new int[][] {tokens}, new int[] {0}, new int[] {slot},
                new Phase[] {Phase.PROMPT}, new boolean[] {true});
    }

    public int rows() { return tokens.length; }

    /** The longest row: the padded number of tokens per row. */
    public int width() {
        int w = 0;
        for (int[] t : tokens) w = Math.max(w, t.length);
        return w;
    }

    /** {@code [B][T]} absolute positions, padding continuing each row's sequence. */
    public int[][] positions() {
        int w = width();
        int[][] p = new int[rows()][w];
        for (int b = 0; b < rows(); b++)
            for (int t = 0; t < w; t++) p[b][t] = start[b] + t;
        return p;
    }

    /** Flat {@code [B*T]} token ids, padding with 0. */
    public long[] paddedIds() {
        int w = width();
        long[] ids = new long[rows() * w];
        for (int b = 0; b < rows(); b++)
            for (int t = 0; t < tokens[b].length; t++) ids[b * w + t] = tokens[b][t];
        return ids;
    }

    public StepContext context() {
        return context(-1);
    }

    /** The step's context, each row's last own token the last one that is not {@code beaconId} (a beacon row). */
    public StepContext context(int beaconId) {
        List<StepContext.Row> rows = new ArrayList<>(rows());
        for (int b = 0; b < rows(); b++)
            rows.add(new StepContext.Row(start[b], tokens[b].length, phase[b], lastOfPrompt[b], last(b, beaconId)));
        return new StepContext(rows, width());
    }

    /** Index of row {@code b}'s last token that is not {@code beaconId}: the one whose logits a step returns. */
    public int last(int b, int beaconId) {
        int last = tokens[b].length - 1;
        while (last > 0 && tokens[b][last] == beaconId) last--;
        return last;
    }
}
