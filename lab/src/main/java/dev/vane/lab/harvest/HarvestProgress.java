package dev.vane.lab.harvest;

/** Told after each batch how many prompts are done; the CLI draws a bar on stderr. */
@FunctionalInterface
public interface HarvestProgress {

    void update(int done, int total);

    HarvestProgress NONE = (done, total) -> {};
}
