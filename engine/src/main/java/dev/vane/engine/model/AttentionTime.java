package dev.vane.engine.model;

import dev.vane.attention.AttentionKind;
import dev.vane.attention.AttentionOptions;
import dev.vane.attention.LengthScale;
import dev.vane.attention.SoftmaxAlgorithm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Time a decoder spends in attention, per kernel: the steps each kernel ran in and the
 * nanoseconds of their attention (every layer's), for {@code vane_attention_step_seconds{kernel}}.
 * A step whose rows ran different kernels (a request's {@code vane.attention}) counts for each of
 * them, its time split by the keys each kernel's rows attended to. Every kernel the model can run
 * is listed from the start. Safe to add to from concurrent steps.
 */
public final class AttentionTime {

    private record Counters(LongAdder steps, LongAdder nanos) {}

    private final String kernel;
    private final Map<String, Counters> byKernel = new LinkedHashMap<>();

    /** For a model of {@code kind} whose own kernel is labelled {@code kernel}. */
    AttentionTime(AttentionKind kind, int headDim, String kernel) {
        this.kernel = kernel;
        byKernel.put(kernel, new Counters(new LongAdder(), new LongAdder()));
        if (kind instanceof AttentionKind.Softmax)
            for (LengthScale length : new LengthScale[] {LengthScale.NONE, new LengthScale.LogN(2)})
                for (SoftmaxAlgorithm a : SoftmaxAlgorithm.values())
                    byKernel.putIfAbsent(kind.kernel(headDim, new AttentionOptions(a, length)).label(),
                            new Counters(new LongAdder(), new LongAdder()));
    }

    /** The label of the model's own kernel ({@link dev.vane.attention.Attention#label}). */
    public String kernel() { return kernel; }

    /** Every kernel the model can run, its own first. */
    public List<String> kernels() { return new ArrayList<>(byKernel.keySet()); }

    /** Steps in which {@code kernel} ran. */
    public long steps(String kernel) { return counters(kernel).steps().sum(); }

    /** Seconds of attention by {@code kernel}. */
    public double seconds(String kernel) { return counters(kernel).nanos().sum() / 1e9; }

    /** Seconds of attention by every kernel. */
    public double totalSeconds() {
        long n = 0;
        for (Counters c : byKernel.values()) n += c.nanos().sum();
        return n / 1e9;
    }

    private Counters counters(String kernel) {
        Counters c = byKernel.get(kernel);
        if (c == null) throw new IllegalArgumentException("no kernel " + kernel + " (" + byKernel.keySet() + ")");
        return c;
    }

    /** One step in which {@code kernel}'s attention took {@code stepNanos}. */
    void add(String kernel, long stepNanos) {
        Counters c = counters(kernel);
        c.steps().increment();
        c.nanos().add(stepNanos);
    }
}
