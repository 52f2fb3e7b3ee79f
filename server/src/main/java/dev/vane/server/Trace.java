package dev.vane.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.steering.plan.EffectTrace;
import dev.vane.steering.plan.SteeringRow;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The response's {@code vane} object: what the request's plan applied (always, when it has
 * interventions, so a steered answer never looks unsteered) and, with {@code vane.trace}, timings
 * and per-intervention time.
 */
final class Trace {

    private Trace() {}

    /** Whether the response carries a {@code vane} object. */
    static boolean wanted(ChoiceBatch batch) {
        return batch.vane().trace() || batch.attention().isPresent() || !batch.beacon().isEmpty() || !batch.planned().plan().isEmpty() || !batch.planned().enabled()
                && (batch.vane().profile() instanceof dev.vane.steering.control.ProfileChoice.Named || !batch.vane().interventions().isEmpty());
    }

    /**
     * Timings in milliseconds: the longest queue wait and the earliest first token among the
     * choices, and the request's total time since it was received.
     */
    static Optional<ObjectNode> of(ChoiceBatch batch, List<GenerationResult> results, long receivedNanos) {
        if (!wanted(batch)) return Optional.empty();
        boolean detail = batch.vane().trace();
        ObjectNode v = JsonBody.JSON.createObjectNode();
        v.put("steering", batch.planned().enabled() ? "on" : "off");
        batch.planned().profile().ifPresent(p -> v.put("profile", p));
        batch.attention().ifPresent(a -> {
            ObjectNode att = v.putObject("attention");
            att.put("kernel", a.kernel());
            att.put("algorithm", a.options().algorithm().id());
            att.putPOJO("log_n", AttentionRequest.logN(a.options()));
        });
        if (!batch.beacon().isEmpty()) v.set("beacon", beacon(batch, results));
        ArrayNode applied = v.putArray("applied");
        List<Optional<SteeringRow>> rows = batch.rows();
        for (int c = 0; c < rows.size(); c++) {
            int choice = batch.specs().get(c).index();
            rows.get(c).ifPresent(row -> {
                for (EffectTrace t : row.trace()) applied.add(entry(t, choice, detail));
            });
        }
        if (detail) {
            ObjectNode t = v.putObject("timings");
            t.put("queue_ms", results.stream().mapToLong(r -> r.timings().queueNanos()).max().orElse(0) / 1e6);
            t.put("time_to_first_token_ms", results.stream().mapToLong(r -> r.timings().firstTokenNanos())
                    .filter(n -> n > 0).min().orElse(0) / 1e6);
            t.put("total_ms", (System.nanoTime() - receivedNanos) / 1e6);
        }
        return Optional.of(v);
    }

    /**
     * {@code vane.beacon}: per compressed choice its ratio and its KV layout at the end, by segment
     * (sink, beacons of closed windows, the open window's raw tokens and beacons) beside the tokens
     * it fed, the entries it would have held uncompressed.
     */
    private static ObjectNode beacon(ChoiceBatch batch, List<GenerationResult> results) {
        ObjectNode b = JsonBody.JSON.createObjectNode();
        ChoiceBatch.AppliedBeacon any = batch.beacon().values().iterator().next();
        b.put("window", any.settings().window());
        b.put("sink", any.settings().sinkSize());
        ArrayNode choices = b.putArray("choices");
        for (int c = 0; c < Math.min(results.size(), batch.specs().size()); c++) {
            ChoiceBatch.AppliedBeacon a = batch.beacon().get(batch.specs().get(c).index());
            if (a == null) continue;
            GenerationResult r = results.get(c);
            dev.vane.engine.config.BeaconConfig.Segments s = a.at(r);
            ObjectNode e = choices.addObject();
            e.put("choice", batch.specs().get(c).index());
            e.put("ratio", a.ratio());
            e.put("tokens", r.tokensFed());
            ObjectNode seg = e.putObject("segments");
            seg.put("sink", s.sink());
            seg.put("beacons", s.beacons());
            seg.put("raw_window", s.raw());
            seg.put("window_beacons", s.windowBeacons());
            e.put("kv_entries", s.entries());
        }
        return b;
    }

    private static ObjectNode entry(EffectTrace t, int choice, boolean detail) {
        ObjectNode e = InterventionJson.write(t.entry().spec());
        e.put("choice", choice);
        e.put("source", t.source());
        ArrayNode layers = e.putArray("layers"); // the layers it acted on, not the range asked for
        t.layers().forEach(layers::add);
        e.put("positions", t.positions());
        t.controllerOutput().ifPresent(o -> {
            ObjectNode c = e.putObject("controller");
            c.put("s", o.s());
            ArrayNode w = c.putArray("w");
            for (float x : o.w()) w.add(x);
        });
        if (!t.choices().isEmpty()) {
            ObjectNode ch = e.putObject("probe_choices");
            for (Map.Entry<Integer, int[]> l : t.choices().entrySet()) {
                ArrayNode counts = ch.putArray(String.valueOf(l.getKey()));
                for (int n : l.getValue()) counts.add(n);
            }
        }
        if (t.method() == dev.vane.steering.plan.Method.LAYER_SKIP) {
            ObjectNode usage = e.putObject("layer_usage"), executed = e.putObject("layers_executed"),
                    skipped = e.putObject("layers_skipped"), ratio = e.putObject("skip_ratio");
            for (var phase : dev.vane.engine.hooks.Phase.values()) {
                String p = phase.name().toLowerCase(java.util.Locale.ROOT);
                t.layerUsage(phase).ifPresent(u -> usage.put(p, u));
                t.skipRatio(phase).ifPresent(r -> {
                    executed.put(p, t.layersExecuted(phase));
                    skipped.put(p, t.layersSkipped(phase));
                    ratio.put(p, r);
                });
            }
            t.skipSet().ifPresent(set -> {
                ArrayNode ls = e.putArray("skip_set");
                set.stream().forEach(ls::add);
            });
            if (detail) {
                ArrayNode tokens = e.putArray("token_layers");
                for (java.util.BitSet b : t.tokenLayers()) {
                    ArrayNode ls = tokens.addArray();
                    b.stream().forEach(ls::add);
                }
            }
        }
        if (detail) e.put("ms", t.nanos() / 1e6);
        return e;
    }
}
