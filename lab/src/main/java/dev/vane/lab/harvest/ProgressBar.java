package dev.vane.lab.harvest;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar redrawn with a carriage return: {@code label [=====>    ] 12/40 3.1/s}.
 * Ends the line when the last item is done. Meant for stderr, so stdout stays parseable.
 */
public final class ProgressBar implements HarvestProgress {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final String label;
    private final long startNanos = System.nanoTime();

    public ProgressBar(PrintStream out, String label) {
        this.out = out;
        this.label = label;
    }

    @Override
    public void update(int done, int total) {
        out.print("\r" + line(done, total, (System.nanoTime() - startNanos) / 1e9));
        if (done >= total) out.println();
        out.flush();
    }

    /** The bar's text for {@code done} of {@code total} after {@code seconds}. */
    String line(int done, int total, double seconds) {
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        StringBuilder b = new StringBuilder(label).append(" [");
        for (int i = 0; i < WIDTH; i++) b.append(i < filled ? '=' : i == filled ? '>' : ' ');
        b.append("] ").append(done).append('/').append(total);
        if (seconds > 0) b.append(String.format(Locale.ROOT, " %.1f/s", done / seconds));
        return b.toString();
    }
}
