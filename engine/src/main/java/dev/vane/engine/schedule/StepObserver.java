package dev.vane.engine.schedule;

/** Told about every forward step (for batch-size and timing metrics); called on the engine thread. */
@FunctionalInterface
public interface StepObserver {

    /**
     * @param rows        rows in the step
     * @param promptRows  rows that were processing prompt tokens
     * @param tokens      real tokens processed
     * @param nanos       wall time of the step
     */
    void onStep(int rows, int promptRows, int tokens, long nanos);

    StepObserver NONE = (rows, promptRows, tokens, nanos) -> {};
}
