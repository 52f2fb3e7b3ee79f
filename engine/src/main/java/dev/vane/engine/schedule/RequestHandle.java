package dev.vane.engine.schedule;

import dev.vane.engine.generate.GenerationResult;

import java.util.concurrent.CompletableFuture;

/** A submitted request: its eventual result, and a way to cancel it (frees its KV slot within a step). */
public interface RequestHandle {

    CompletableFuture<GenerationResult> result();

    void cancel();
}
