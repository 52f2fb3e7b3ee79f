package dev.vane.engine.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

import java.util.List;

/**
 * The hooks of one step over a batch: the global hooks first, then each row's own
 * {@link RowHooks} on that row's slice. Where no row acts the site's tensor passes through with
 * no tensor op; where some rows act the batch is split along its first axis, those rows are
 * replaced and the rows are concatenated again, so every row sees exactly what it would see alone.
 */
public final class BatchHooks implements ForwardHooks {

    private final ForwardHooks global;
    private final List<RowHooks> rows;

    private BatchHooks(ForwardHooks global, List<RowHooks> rows) {
        this.global = global;
        this.rows = List.copyOf(rows);
    }

    /** {@code global} alone when no row has hooks (the common case stays free). */
    public static ForwardHooks of(ForwardHooks global, List<RowHooks> rows) {
        for (RowHooks r : rows) if (r != RowHooks.NONE) return new BatchHooks(global, rows);
        return global;
    }

    @Override
    public LayerGate gate(int layer, StepContext ctx) {
        LayerGate g = global.gate(layer, ctx);
        if (!g.runsAll()) return g; // a global gate decides for the whole batch
        java.util.BitSet[] skip = null;
        for (int r = 0; r < rows.size(); r++) {
            java.util.BitSet s = rows.get(r).skips(layer, ctx.rows().get(r));
            if (s.isEmpty()) continue;
            if (skip == null) {
                skip = new java.util.BitSet[rows.size()];
                for (int i = 0; i < skip.length; i++) skip[i] = RowHooks.NO_SKIPS;
            }
            skip[r] = s;
        }
        return skip == null ? LayerGate.RUN : LayerGate.of(skip, ctx);
    }

    @Override
    public boolean actsAt(HookSite site, StepContext ctx) {
        if (global.actsAt(site, ctx)) return true;
        for (int r = 0; r < rows.size(); r++) if (rows.get(r).actsAt(site, ctx.rows().get(r))) return true;
        return false;
    }

    /**
     * In place when the global hooks do not act here and every row that acts has an in-place
     * form; otherwise nothing is done and the caller falls back to {@link #apply}.
     */
    @Override
    public boolean applyInPlace(HookSite site, float[] data, Shape shape, StepContext ctx) {
        if (global.actsAt(site, ctx)) return false;
        int b = rows.size();
        if (b != ctx.batchSize() || shape.get(0) != b) return false;
        for (int r = 0; r < b; r++) {
            StepContext.Row row = ctx.rows().get(r);
            RowHooks h = rows.get(r);
            if (h.actsAt(site, row) && !h.inPlaceAt(site, row)) return false;
        }
        Shape rowShape = new Shape(1).addAll(shape.slice(1)); // [1, T, ...]
        int rowSize = (int) rowShape.size();
        for (int r = 0; r < b; r++) {
            StepContext.Row row = ctx.rows().get(r);
            RowHooks h = rows.get(r);
            if (h.actsAt(site, row)) h.applyInPlace(site, data, r * rowSize, rowShape, row);
        }
        return true;
    }

    @Override
    public NDArray apply(HookSite site, NDArray x, StepContext ctx) {
        NDArray in = global.apply(site, x, ctx);
        int b = rows.size();
        if (b != ctx.batchSize())
            throw new IllegalStateException("step has " + ctx.batchSize() + " rows but " + b + " row hooks");
        boolean any = false;
        for (int r = 0; r < b && !any; r++) any = rows.get(r).actsAt(site, ctx.rows().get(r));
        if (!any) return in;
        if (b == 1) return rows.get(0).apply(site, in, ctx.rows().get(0));
        NDList parts = in.split(b, 0); // b × [1, ...]
        NDList out = new NDList(b);
        for (int r = 0; r < b; r++) {
            StepContext.Row row = ctx.rows().get(r);
            RowHooks h = rows.get(r);
            out.add(h.actsAt(site, row) ? h.apply(site, parts.get(r), row) : parts.get(r));
        }
        return NDArrays.concat(out, 0);
    }
}
