package dev.vane.engine.hooks;

import dev.vane.attention.AttentionOptions;

import java.util.BitSet;
import java.util.Optional;

/** A row's hooks followed, at every site, by a read-only observer ({@link RowHooks#observedBy}). */
record ObservedRow(RowHooks first, RowHooks observer) implements RowHooks {

    @Override
    public boolean actsAt(HookSite site, StepContext.Row row) {
        return first.actsAt(site, row) || observer.actsAt(site, row);
    }

    @Override
    public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row) {
        if (first.actsAt(site, row)) first.apply(site, x, offset, tokens, width, row);
        if (observer.actsAt(site, row)) observer.apply(site, x, offset, tokens, width, row);
    }

    @Override
    public BitSet skips(int layer, StepContext.Row row) { return first.skips(layer, row); }

    @Override
    public void ran(int layer, BitSet skipped, StepContext.Row row) {
        first.ran(layer, skipped, row);
        observer.ran(layer, skipped, row);
    }

    @Override
    public Optional<AttentionOptions> attention() { return first.attention(); }

    @Override
    public PromptReplay promptReplay() { return first.promptReplay(); }

    @Override
    public void close() {
        try {
            first.close();
        } finally {
            observer.close();
        }
    }
}
