package dev.vane.engine.hooks;

import dev.vane.attention.AttentionOptions;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * The hooks of one forward step: each batch row's {@link RowHooks} on that row's slice of the
 * site's values. Both decoders call it at every site; where no row acts the site costs a loop
 * over the rows' {@code actsAt} and nothing else, and {@link #NONE} costs nothing at all. Every
 * row sees exactly its own slice, so a row's result does not depend on its batch.
 *
 * <p>Hooks made by {@link #isolating} fail a row whose hooks throw alone: the exception is
 * recorded ({@link #failure}), the row's slice of that site is zeroed (so nothing it half-wrote,
 * however large, reaches the rest of the step) and its hooks are not called again in this step;
 * the other rows go on, and the generator ends that row's sequence with an error. Hooks made by
 * {@link #of} let the exception end the step (offline work, where a failing hook is a bug to see).
 */
public final class StepHooks {

    /** No hooks anywhere. */
    public static final StepHooks NONE = new StepHooks(List.of(), false);

    /** Where a row's hooks threw, and what. */
    public record Failure(HookSite site, RuntimeException cause) {}

    private final List<RowHooks> rows;
    private final boolean isolate;
    private final Failure[] failures; // [B], the first failure of each row in this step

    private StepHooks(List<RowHooks> rows, boolean isolate) {
        this.rows = List.copyOf(rows);
        this.isolate = isolate;
        this.failures = new Failure[rows.size()];
    }

    /** What row {@code r}'s hooks threw in this step, if they did. */
    public Optional<Failure> failure(int r) {
        return r < failures.length ? Optional.ofNullable(failures[r]) : Optional.empty();
    }

    /** The rows' hooks in batch order; {@link #NONE} when no row has any (the common case stays free). */
    public static StepHooks of(List<RowHooks> rows) {
        return make(rows, false);
    }

    /** As {@link #of}, one step's hooks for serving: a row whose hooks throw fails alone (see the class comment). */
    public static StepHooks isolating(List<RowHooks> rows) {
        return make(rows, true);
    }

    private static StepHooks make(List<RowHooks> rows, boolean isolate) {
        for (RowHooks r : rows) if (r != RowHooks.NONE) return new StepHooks(rows, isolate);
        return NONE;
    }

    /** Records row {@code r}'s failure at {@code site}, or rethrows it when this step does not isolate rows. */
    private void fail(int r, HookSite site, RuntimeException e) {
        if (!isolate) throw e;
        failures[r] = new Failure(site, e);
    }

    /** Row {@code r}'s attention options, when its request set them ({@link RowHooks#attention}). */
    public Optional<AttentionOptions> attention(int r) {
        return this == NONE ? Optional.empty() : rows.get(r).attention();
    }

    /** Whether some row may act at {@code site} in this step. */
    public boolean actsAt(HookSite site, StepContext ctx) {
        if (this == NONE) return false;
        check(ctx);
        for (int r = 0; r < rows.size(); r++) if (acts(r, site, ctx)) return true;
        return false;
    }

    /** Whether row {@code r} acts at {@code site}: not once its hooks have failed. */
    private boolean acts(int r, HookSite site, StepContext ctx) {
        if (failures[r] != null) return false;
        try {
            return rows.get(r).actsAt(site, ctx.rows().get(r));
        } catch (RuntimeException e) {
            fail(r, site, e);
            return false;
        }
    }

    /**
     * Each acting row's hooks on its slice of {@code data}, f32 row-major {@code [B, tokens, width]}
     * (see {@link RowHooks#apply}).
     */
    public void apply(HookSite site, float[] data, int tokens, int width, StepContext ctx) {
        if (this == NONE) return;
        check(ctx);
        int rowSize = tokens * width;
        if (data.length < rows.size() * rowSize)
            throw new IllegalArgumentException("site " + site + " holds " + data.length + " values, not " + rows.size()
                    + " rows of " + tokens + " × " + width);
        for (int r = 0; r < rows.size(); r++) {
            if (!acts(r, site, ctx)) continue;
            try {
                rows.get(r).apply(site, data, r * rowSize, tokens, width, ctx.rows().get(r));
            } catch (RuntimeException e) {
                fail(r, site, e);
                Arrays.fill(data, r * rowSize, (r + 1) * rowSize, 0f);
            }
        }
    }

    /** Which positions skip layer {@code layer} in this step ({@link LayerGate#RUN} when all run). */
    public LayerGate gate(int layer, StepContext ctx) {
        if (this == NONE) return LayerGate.RUN;
        check(ctx);
        BitSet[] skip = null;
        for (int r = 0; r < rows.size(); r++) {
            BitSet s = skips(r, layer, ctx);
            if (s.isEmpty()) continue;
            if (skip == null) {
                skip = new BitSet[rows.size()];
                java.util.Arrays.fill(skip, RowHooks.NO_SKIPS);
            }
            skip[r] = s;
        }
        return skip == null ? LayerGate.RUN : LayerGate.of(skip, ctx);
    }

    /**
     * The decoder ran {@code layer} as {@code executed} says: each row's hooks hear which of its
     * real positions were left out of the layer's products ({@link RowHooks#ran}). A decoder that
     * computed every position and restored the skipped ones passes {@link LayerGate#RUN}.
     */
    public void ran(int layer, LayerGate executed, StepContext ctx) {
        if (this == NONE) return;
        check(ctx);
        for (int r = 0; r < rows.size(); r++) {
            if (failures[r] != null) continue;
            StepContext.Row row = ctx.rows().get(r);
            BitSet skipped = executed.skipped(r);
            if (skipped.nextSetBit(0) >= row.length()) skipped = RowHooks.NO_SKIPS;
            else if (skipped.length() > row.length()) skipped = skipped.get(0, row.length());
            try {
                rows.get(r).ran(layer, skipped, row);
            } catch (RuntimeException e) {
                fail(r, HookSite.of(layer, Component.LAYER_GATE), e);
            }
        }
    }

    /** Row {@code r}'s skipped positions at {@code layer}: none once its hooks have failed. */
    private BitSet skips(int r, int layer, StepContext ctx) {
        if (failures[r] != null) return RowHooks.NO_SKIPS;
        try {
            return rows.get(r).skips(layer, ctx.rows().get(r));
        } catch (RuntimeException e) {
            fail(r, HookSite.of(layer, Component.LAYER_GATE), e);
            return RowHooks.NO_SKIPS;
        }
    }

    private void check(StepContext ctx) {
        if (ctx.batchSize() != rows.size())
            throw new IllegalStateException("step has " + ctx.batchSize() + " rows but " + rows.size() + " row hooks");
    }

    @Override
    public String toString() {
        return this == NONE ? "StepHooks.NONE" : "StepHooks" + rows;
    }
}
