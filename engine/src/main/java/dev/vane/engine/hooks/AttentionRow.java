package dev.vane.engine.hooks;

import dev.vane.attention.AttentionOptions;

import java.util.BitSet;
import java.util.Optional;

/** A row's hooks with the attention options of its request ({@link RowHooks#withAttention}). */
record AttentionRow(RowHooks inner, AttentionOptions options) implements RowHooks {

    @Override
    public boolean actsAt(HookSite site, StepContext.Row row) { return inner.actsAt(site, row); }

    @Override
    public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row) {
        inner.apply(site, x, offset, tokens, width, row);
    }

    @Override
    public BitSet skips(int layer, StepContext.Row row) { return inner.skips(layer, row); }

    @Override
    public void ran(int layer, BitSet skipped, StepContext.Row row) { inner.ran(layer, skipped, row); }

    @Override
    public Optional<AttentionOptions> attention() { return Optional.of(options); }

    @Override
    public PromptReplay promptReplay() { return inner.promptReplay(); }

    @Override
    public void close() { inner.close(); }
}
