package dev.vane.steering.artifact;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.hooks.Component;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code manifest.json} of an artifact: what it is, which model it fits, where it acts, how
 * it was fitted and how well it did. The JSON is read strictly (unknown keys are errors) because a
 * misspelt key that is silently ignored would steer with default parameters.
 *
 * <pre>{@code
 * {"format": 1, "name": "genre-romance", "kind": "vector-set",
 *  "fingerprint": {"architecture": "llama", "hidden_size": 576, "num_layers": 30, "vocab_size": 49152},
 *  "site": "resid_post", "layers": [8, 9, 10],
 *  "params": {"method": "mean-diff"}, "metrics": {"valid.accuracy.best": 0.93},
 *  "provenance": {"command": "vane calibrate vectors ...", "dataset_sha256": "…",
 *                 "created": "2026-11-26T09:00:00Z", "vane_version": "0.1.0"}}
 * }</pre>
 *
 * @param layers the layers the artifact acts on, strictly ascending, each in {@code [0, num_layers)}
 * @param params method parameters, free-form per kind (a JSON object)
 * @param metrics evaluation figures, sorted by key
 */
public record Manifest(String name, ArtifactKind kind, ModelFingerprint fingerprint, Component site,
                       List<Integer> layers, ObjectNode params, Map<String, Double> metrics, Provenance provenance) {

    /** The manifest format this code writes and reads. */
    public static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Set<String> KEYS =
            Set.of("format", "name", "kind", "fingerprint", "site", "layers", "params", "metrics", "provenance");

    public Manifest {
        ArtifactRegistry.validateName(name);
        if (kind == null) throw new ArtifactException(name + ": manifest kind missing");
        if (fingerprint == null) throw new ArtifactException(name + ": manifest fingerprint missing");
        if (site == null) throw new ArtifactException(name + ": manifest site missing");
        if (layers == null) throw new ArtifactException(name + ": manifest layers missing");
        layers = List.copyOf(layers);
        for (int i = 0; i < layers.size(); i++) {
            int l = layers.get(i);
            if (l < 0 || l >= fingerprint.numLayers())
                throw new ArtifactException(name + ": layers: layer " + l + " outside [0, " + fingerprint.numLayers() + ")");
            if (i > 0 && l <= layers.get(i - 1))
                throw new ArtifactException(name + ": layers: must be strictly ascending, got " + layers);
        }
        params = params == null ? JSON.createObjectNode() : params.deepCopy();
        Map<String, Double> m = new TreeMap<>();
        if (metrics == null) metrics = Map.of();
        metrics.forEach((k, v) -> {
            if (v == null || !Double.isFinite(v)) throw new ArtifactException(name + ": metrics." + k + ": not a finite number");
            m.put(k, v);
        });
        metrics = Collections.unmodifiableMap(m);
        if (provenance == null) throw new ArtifactException(name + ": manifest provenance missing");
    }

    @Override
    public ObjectNode params() { return params.deepCopy(); }

    /** A copy under another name (import under a chosen name, rename on upload). */
    public Manifest withName(String newName) {
        return new Manifest(newName, kind, fingerprint, site, layers, params, metrics, provenance);
    }

    /** A copy with more metrics (later values win). */
    public Manifest withMetrics(Map<String, Double> more) {
        Map<String, Double> m = new TreeMap<>(metrics);
        m.putAll(more);
        return new Manifest(name, kind, fingerprint, site, layers, params, m, provenance);
    }

    /** Fails unless this artifact fits {@code model}; see {@link ModelFingerprint#check}. */
    public void checkModel(ModelFingerprint model) {
        fingerprint.check(name, model);
    }

    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("name", name);
        root.put("kind", kind.jsonName());
        ObjectNode fp = root.putObject("fingerprint");
        fp.put("architecture", ModelFingerprint.name(fingerprint.architecture()));
        fp.put("hidden_size", fingerprint.hiddenSize());
        fp.put("num_layers", fingerprint.numLayers());
        fp.put("vocab_size", fingerprint.vocabSize());
        root.put("site", site.name().toLowerCase(Locale.ROOT));
        ArrayNode ls = root.putArray("layers");
        layers.forEach(ls::add);
        root.set("params", params.deepCopy());
        ObjectNode ms = root.putObject("metrics");
        metrics.forEach(ms::put);
        ObjectNode p = root.putObject("provenance");
        p.put("command", provenance.command());
        p.put("dataset_sha256", provenance.datasetSha256());
        p.put("created", provenance.created().toString());
        p.put("vane_version", provenance.vaneVersion());
        return root;
    }

    public String toJsonString() {
        try {
            return JSON.writeValueAsString(toJson()) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses a manifest.
     *
     * @param source where the text came from (a file path), for error messages
     * @throws ArtifactException naming {@code source} and the field at fault
     */
    public static Manifest parse(String text, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ArtifactException(source + ": malformed JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new ArtifactException(source + ": manifest is not a JSON object");
        Reader r = new Reader(source);
        r.onlyKeys(root, "", KEYS);
        int format = r.integer(root, "format");
        if (format != FORMAT)
            throw new ArtifactException(source + ": format: unsupported manifest format " + format + " (this Vane reads " + FORMAT + ")");
        JsonNode fp = r.object(root, "fingerprint");
        r.onlyKeys(fp, "fingerprint.", Set.of("architecture", "hidden_size", "num_layers", "vocab_size"));
        ModelFingerprint fingerprint;
        try {
            fingerprint = new ModelFingerprint(
                    ModelFingerprint.parseArchitecture(r.text(fp, "architecture", "fingerprint."), "fingerprint.architecture"),
                    r.integer(fp, "hidden_size", "fingerprint."), r.integer(fp, "num_layers", "fingerprint."),
                    r.integer(fp, "vocab_size", "fingerprint."));
        } catch (ArtifactException e) {
            throw new ArtifactException(source + ": " + e.getMessage());
        }
        String siteName = r.text(root, "site");
        Component site;
        try {
            site = Component.valueOf(siteName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ArtifactException(source + ": site: unknown hook site '" + siteName + "'");
        }
        JsonNode ln = root.get("layers");
        if (ln == null || !ln.isArray()) throw new ArtifactException(source + ": layers: expected an array of integers");
        List<Integer> layers = new ArrayList<>();
        for (JsonNode n : ln) {
            if (!n.canConvertToInt() || !n.isIntegralNumber())
                throw new ArtifactException(source + ": layers: expected integers, got " + n);
            layers.add(n.intValue());
        }
        JsonNode params = root.get("params");
        if (params != null && !params.isObject()) throw new ArtifactException(source + ": params: expected an object");
        Map<String, Double> metrics = new TreeMap<>();
        JsonNode mn = root.get("metrics");
        if (mn != null) {
            if (!mn.isObject()) throw new ArtifactException(source + ": metrics: expected an object of numbers");
            for (Iterator<Map.Entry<String, JsonNode>> it = mn.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isNumber())
                    throw new ArtifactException(source + ": metrics." + e.getKey() + ": expected a number");
                metrics.put(e.getKey(), e.getValue().doubleValue());
            }
        }
        JsonNode pn = r.object(root, "provenance");
        r.onlyKeys(pn, "provenance.", Set.of("command", "dataset_sha256", "created", "vane_version"));
        Instant created;
        try {
            created = Instant.parse(r.text(pn, "created", "provenance."));
        } catch (DateTimeParseException e) {
            throw new ArtifactException(source + ": provenance.created: not an ISO-8601 instant: " + pn.get("created"));
        }
        try {
            Provenance provenance = new Provenance(r.text(pn, "command", "provenance."),
                    r.text(pn, "dataset_sha256", "provenance."), created, r.text(pn, "vane_version", "provenance."));
            return new Manifest(r.text(root, "name"), ArtifactKind.parse(r.text(root, "kind"), "kind"), fingerprint,
                    site, layers, (ObjectNode) params, metrics, provenance);
        } catch (ArtifactException e) {
            throw new ArtifactException(source + ": " + e.getMessage());
        }
    }

    /** Field readers whose errors name the source and the field. */
    private record Reader(String source) {
        void onlyKeys(JsonNode node, String prefix, Set<String> allowed) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!allowed.contains(k)) throw new ArtifactException(source + ": " + prefix + k + ": unknown key");
            }
        }

        JsonNode object(JsonNode parent, String field) {
            JsonNode n = parent.get(field);
            if (n == null || !n.isObject()) throw new ArtifactException(source + ": " + field + ": expected an object");
            return n;
        }

        String text(JsonNode parent, String field) { return text(parent, field, ""); }

        String text(JsonNode parent, String field, String prefix) {
            JsonNode n = parent.get(field);
            if (n == null || !n.isTextual()) throw new ArtifactException(source + ": " + prefix + field + ": expected a string");
            return n.textValue();
        }

        int integer(JsonNode parent, String field) { return integer(parent, field, ""); }

        int integer(JsonNode parent, String field, String prefix) {
            JsonNode n = parent.get(field);
            if (n == null || !n.isIntegralNumber() || !n.canConvertToInt())
                throw new ArtifactException(source + ": " + prefix + field + ": expected an integer");
            return n.intValue();
        }
    }
}
