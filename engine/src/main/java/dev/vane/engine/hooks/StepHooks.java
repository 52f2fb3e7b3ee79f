package dev.vane.engine.hooks;

import java.util.BitSet;
import java.util.List;

/**
 * The hooks of one forward step: each batch row's {@link RowHooks} on that row's slice of the
 * site's values. Both decoders call it at every site; where no row acts the site costs a loop
 * over the rows' {@code actsAt} and nothing else, and {@link #NONE} costs nothing at all. Every
 * row sees exactly its own slice, so a row's result does not depend on its batch.
 */
public final class StepHooks {

    /** No hooks anywhere. */
    public static final StepHooks NONE = new StepHooks(List.of());

    private final List<RowHooks> rows;

    private StepHooks(List<RowHooks> rows) {
        this.rows = List.copyOf(rows);
    }

    /** The rows' hooks in batch order; {@link #NONE} when no row has any (the common case stays free). */
    public static StepHooks of(List<RowHooks> rows) {
        for (RowHooks r : rows) if (r != RowHooks.NONE) return new StepHooks(rows);
        return NONE;
    }

    /** Whether some row may act at {@code site} in this step. */
    public boolean actsAt(HookSite site, StepContext ctx) {
        if (this == NONE) return false;
        check(ctx);
        for (int r = 0; r < rows.size(); r++) if (rows.get(r).actsAt(site, ctx.rows().get(r))) return true;
        return false;
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
            StepContext.Row row = ctx.rows().get(r);
            RowHooks h = rows.get(r);
            if (h.actsAt(site, row)) h.apply(site, data, r * rowSize, tokens, width, row);
        }
    }

    /** Which positions skip layer {@code layer} in this step ({@link LayerGate#RUN} when all run). */
    public LayerGate gate(int layer, StepContext ctx) {
        if (this == NONE) return LayerGate.RUN;
        check(ctx);
        BitSet[] skip = null;
        for (int r = 0; r < rows.size(); r++) {
            BitSet s = rows.get(r).skips(layer, ctx.rows().get(r));
            if (s.isEmpty()) continue;
            if (skip == null) {
                skip = new BitSet[rows.size()];
                java.util.Arrays.fill(skip, RowHooks.NO_SKIPS);
            }
            skip[r] = s;
        }
        return skip == null ? LayerGate.RUN : LayerGate.of(skip, ctx);
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
