package dev.vane.engine.hooks;

import java.util.List;

/**
 * What hooks may know about the step being computed: for each batch row its phase, the absolute
 * position of each of its tokens and how many of its tokens are real (rows are right-padded
 * to the longest row).
 */
public record StepContext(List<Row> rows, int tokensPerRow) {

    /**
     * @param start    absolute position of the row's first token in this step
     * @param length   real (non-padding) tokens of this row in this step
     * @param phase    prompt or generation
     * @param lastOfPrompt true when this step contains the row's final prompt token
     * @param last     index in this step of the row's last own token: {@code length − 1}, or before
     *                 a trailing Activation Beacon row (an intervention "at the last token" acts there)
     */
    public record Row(int start, int length, Phase phase, boolean lastOfPrompt, int last) {
        public Row {
            if (last < 0 || last >= length) throw new IllegalArgumentException("last token " + last + " outside the row's " + length);
        }

        public Row(int start, int length, Phase phase, boolean lastOfPrompt) {
            this(start, length, phase, lastOfPrompt, length - 1);
        }

        /** Absolute position of the row's last own token in this step. */
        public int lastPosition() { return start + last; }
    }

    public StepContext {
        rows = List.copyOf(rows);
    }

    public int batchSize() { return rows.size(); }
}
