package dev.vane.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.schedule.GenerationRequest;
import dev.vane.engine.schedule.GenerationService;
import dev.vane.engine.schedule.QueueFullException;
import dev.vane.engine.schedule.RequestHandle;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.control.LastTokenCapture;
import dev.vane.steering.control.MethodArtifacts;
import dev.vane.steering.gact.GactWeights;
import dev.vane.steering.gact.SoftmaxProbe;
import java.util.ArrayList;
import java.util.Map;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactException;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.Manifest;
import dev.vane.steering.control.Profile;
import dev.vane.steering.control.RegistryArtifacts;
import dev.vane.steering.control.SteeringControl;
import dev.vane.steering.gguf.ControlVectors;
import dev.vane.steering.gguf.GgufException;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.PlanException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The admin API (design.md §5), served on its own port and only when a bearer token is
 * configured: the global steering switch and default profile, profiles, artifacts (upload as a
 * Vane artifact in JSON or as a llama.cpp / repeng GGUF control vector), status. A wrong or
 * missing token gets 401; tokens are compared in constant time. Every change is logged with who
 * made it and counted in {@code vane_admin_changes_total}; it applies to requests admitted after
 * it, while running requests keep the plan they were admitted with.
 */
final class AdminService implements HttpService {

    private static final System.Logger LOG = System.getLogger("vane.admin");
    private static final Set<String> STEERING_FIELDS = Set.of("enabled", "default_profile");
    private static final Set<String> PROFILE_FIELDS = Set.of("name", "interventions");
    private static final Set<String> ARTIFACT_FIELDS = Set.of("manifest", "tensors");

    private final byte[] token;
    private final SteeringControl steering;
    private final RegistryArtifacts artifacts;
    private final GenerationService engine;
    private final ServerMetrics metrics;
    private final String modelId;
    private final long maxArtifactBytes;

    AdminService(String token, SteeringControl steering, RegistryArtifacts artifacts, GenerationService engine,
                 ServerMetrics metrics, String modelId, long maxArtifactBytes) {
        this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.steering = steering;
        this.artifacts = artifacts;
        this.engine = engine;
        this.metrics = metrics;
        this.modelId = modelId;
        this.maxArtifactBytes = maxArtifactBytes;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any("/admin", this::authenticate)
                .any("/admin/*", this::authenticate)
                .get("/admin/status", handle(this::status))
                .get("/admin/steering", handle(this::getSteering))
                .put("/admin/steering", handle(this::putSteering))
                .get("/admin/layer-skip", handle(this::getLayerSkip))
                .put("/admin/layer-skip", handle(this::putLayerSkip))
                .get("/admin/profiles", handle(this::listProfiles))
                .post("/admin/profiles", handle(this::postProfile))
                .get("/admin/profiles/{name}", handle(this::getProfile))
                .put("/admin/profiles/{name}", handle(this::putProfile))
                .delete("/admin/profiles/{name}", handle(this::deleteProfile))
                .get("/admin/artifacts", handle(this::listArtifacts))
                .get("/admin/artifacts/{name}", handle(this::getArtifact))
                .post("/admin/artifacts/{name}", handle(this::postArtifact))
                .put("/admin/artifacts/{name}", handle(this::postArtifact))
                .delete("/admin/artifacts/{name}", handle(this::deleteArtifact))
                .post("/admin/artifacts/{name}/refine", handle(this::refine));
    }

    /** 401 unless the request carries the configured bearer token (constant-time comparison). */
    private void authenticate(ServerRequest req, ServerResponse res) {
        byte[] given = req.headers().first(HeaderNames.AUTHORIZATION).orElse("").getBytes(StandardCharsets.UTF_8);
        if (MessageDigest.isEqual(given, token)) {
            res.next();
            return;
        }
        res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"vane-admin\"");
        Responses.error(res, new ApiError(401, "authentication_error", null, "invalid_api_key",
                "a valid admin bearer token is required", 0));
    }

    private interface Route {
        void handle(ServerRequest req, ServerResponse res) throws Exception;
    }

    private io.helidon.webserver.http.Handler handle(Route r) {
        return (req, res) -> {
            try {
                r.handle(req, res);
            } catch (ApiError e) {
                Responses.error(res, e);
            } catch (PlanException e) {
                Responses.error(res, ApiError.invalid(e.field(), e.getMessage()));
            } catch (Exception e) {
                LOG.log(System.Logger.Level.ERROR, "admin request failed", e);
                Responses.error(res, new ApiError(500, "server_error", null, "internal error: " + e));
            }
        };
    }

    private static String who(ServerRequest req) {
        return "admin@" + req.remotePeer().address();
    }

    /** Logs and counts an artifact change (steering and profile changes go through {@link SteeringControl}'s listener). */
    private void changed(ServerRequest req, String kind, String what) {
        LOG.log(System.Logger.Level.INFO, "admin change by " + who(req) + ": " + what);
        metrics.adminChange(kind);
    }

    /** The listener for {@link SteeringControl} changes: the same log and counter. */
    static java.util.function.Consumer<SteeringControl.Change> listener(ServerMetrics metrics) {
        return c -> {
            LOG.log(System.Logger.Level.INFO, "admin change by " + c.who() + " at " + c.when() + ": " + c.what());
            metrics.adminChange(c.kind());
        };
    }

    // --- status and steering -----------------------------------------------------------------

    private void status(ServerRequest req, ServerResponse res) {
        ObjectNode o = JsonBody.JSON.createObjectNode();
        o.put("model", modelId);
        o.put("layers", steering.model().numLayers());
        o.put("hidden_size", steering.model().hiddenSize());
        var stats = engine.stats();
        o.put("running", stats.running());
        o.put("waiting", stats.waiting());
        o.put("kv_cache_bytes", stats.kvCacheUsedBytes());
        o.set("steering", steeringJson());
        ArrayNode p = o.putArray("profiles");
        steering.profiles().forEach(x -> p.add(x.name()));
        ArrayNode a = o.putArray("artifacts");
        artifacts.registry().names().forEach(a::add);
        Responses.json(res, o);
    }

    private ObjectNode steeringJson() {
        SteeringControl.Settings s = steering.settings();
        ObjectNode o = JsonBody.JSON.createObjectNode();
        o.put("enabled", s.enabled());
        if (s.defaultProfile().isPresent()) o.put("default_profile", s.defaultProfile().get());
        else o.putNull("default_profile");
        return o;
    }

    private void getSteering(ServerRequest req, ServerResponse res) {
        Responses.json(res, steeringJson());
    }

    /** {@code {"enabled": bool, "default_profile": name | null}}; absent fields keep their value. */
    private void putSteering(ServerRequest req, ServerResponse res) {
        Fields f = Fields.of(JsonBody.read(req, maxArtifactBytes)).allowOnly(STEERING_FIELDS);
        SteeringControl.Settings now = steering.settings();
        boolean enabled = f.bool("enabled").orElse(now.enabled());
        Optional<String> def = f.present("default_profile") ? f.string("default_profile") : now.defaultProfile();
        steering.settings(new SteeringControl.Settings(enabled, def), who(req)); // logged and counted by its listener
        Responses.json(res, steeringJson());
    }

    private ObjectNode layerSkipJson() {
        return steering.layerSkip().map(InterventionJson::writeLayerSkip)
                .orElseGet(() -> JsonBody.JSON.createObjectNode().put("mode", "off"));
    }

    private void getLayerSkip(ServerRequest req, ServerResponse res) {
        Responses.json(res, layerSkipJson());
    }

    /** The default layer skipping for requests that set none: a {@code vane.layer_skip} object, or {@code {"mode": "off"}}. */
    private void putLayerSkip(ServerRequest req, ServerResponse res) {
        Fields f = Fields.of(JsonBody.read(req, maxArtifactBytes));
        Optional<InterventionSpec.LayerSkip> skip;
        if (f.string("mode").orElse("").equals("off")) {
            f.allowOnly(Set.of("mode"));
            skip = Optional.empty();
        } else {
            skip = Optional.of(InterventionJson.readLayerSkip(f));
        }
        steering.layerSkip(skip, who(req)); // logged and counted by its listener
        Responses.json(res, layerSkipJson());
    }

    // --- profiles -------------------------------------------------------------------------------

    private static ObjectNode profileJson(Profile p) {
        ObjectNode o = JsonBody.JSON.createObjectNode();
        o.put("name", p.name());
        o.set("interventions", InterventionJson.writeList(p.interventions()));
        return o;
    }

    private void listProfiles(ServerRequest req, ServerResponse res) {
        ObjectNode o = JsonBody.JSON.createObjectNode();
        ArrayNode data = o.putArray("data");
        steering.profiles().forEach(p -> data.add(profileJson(p)));
        Responses.json(res, o);
    }

    private Profile profileNamed(String name) {
        return steering.profile(name).orElseThrow(() -> new ApiError(404, "invalid_request_error", "name",
                "no profile named '" + name + "'"));
    }

    private void getProfile(ServerRequest req, ServerResponse res) {
        Responses.json(res, profileJson(profileNamed(req.path().pathParameters().get("name"))));
    }

    private void postProfile(ServerRequest req, ServerResponse res) {
        Fields f = Fields.of(JsonBody.read(req, maxArtifactBytes)).allowOnly(PROFILE_FIELDS);
        String name = f.string("name").orElseThrow(() -> ApiError.invalid("name", "name is required"));
        saveProfile(req, res, name, f);
    }

    private void putProfile(ServerRequest req, ServerResponse res) {
        Fields f = Fields.of(JsonBody.read(req, maxArtifactBytes)).allowOnly(PROFILE_FIELDS);
        String name = req.path().pathParameters().get("name");
        f.string("name").ifPresent(n -> {
            if (!n.equals(name)) throw ApiError.invalid("name", "name '" + n + "' differs from the path's '" + name + "'");
        });
        saveProfile(req, res, name, f);
    }

    private void saveProfile(ServerRequest req, ServerResponse res, String name, Fields f) {
        List<InterventionSpec> specs = InterventionJson.readList(
                f.array("interventions").orElseThrow(() -> ApiError.invalid("interventions", "interventions is required")),
                "interventions");
        Profile p = new Profile(Profile.checkName(name), specs);
        boolean created = steering.putProfile(p, who(req)); // logged and counted by its listener
        res.status(created ? Status.CREATED_201 : Status.OK_200);
        Responses.json(res, profileJson(p));
    }

    private void deleteProfile(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        Profile.checkName(name);
        if (!steering.deleteProfile(name, who(req))) // logged and counted by its listener
            throw new ApiError(404, "invalid_request_error", "name", "no profile named '" + name + "'");
        res.status(Status.NO_CONTENT_204).send();
    }

    // --- artifacts ------------------------------------------------------------------------------

    private String artifactName(ServerRequest req) {
        String name = req.path().pathParameters().get("name");
        try {
            return ArtifactRegistry.validateName(name);
        } catch (ArtifactException e) {
            throw ApiError.invalid("name", e.getMessage());
        }
    }

    private void listArtifacts(ServerRequest req, ServerResponse res) {
        ObjectNode o = JsonBody.JSON.createObjectNode();
        ArrayNode data = o.putArray("data");
        for (Manifest m : artifacts.registry().list()) data.add(m.toJson());
        Responses.json(res, o);
    }

    private void getArtifact(ServerRequest req, ServerResponse res) {
        String name = artifactName(req);
        if (!artifacts.registry().exists(name))
            throw new ApiError(404, "invalid_request_error", "name", "no artifact named '" + name + "'");
        Responses.json(res, artifacts.registry().manifest(name).toJson());
    }

    /**
     * {@code POST} creates, {@code PUT} creates or replaces. Body: {@code application/json}
     * {@code {"manifest": {...}, "tensors": base64 safetensors}} (a Vane artifact), or
     * {@code application/octet-stream} with {@code ?format=gguf} (a llama.cpp / repeng control vector).
     */
    private void postArtifact(ServerRequest req, ServerResponse res) throws IOException {
        String name = artifactName(req);
        boolean replace = req.prologue().method().text().equals("PUT");
        if (!replace && artifacts.registry().exists(name))
            throw new ApiError(409, "invalid_request_error", "name", "artifact '" + name + "' already exists (PUT replaces)");
        Path tmp = Files.createTempDirectory("vane-upload-");
        try {
            Artifact a = req.query().first("format").map(fmt -> {
                if (!fmt.equals("gguf")) throw ApiError.invalid("format", "format must be gguf (or absent for a Vane artifact)");
                return gguf(req, name, tmp);
            }).orElseGet(() -> vaneArtifact(req, name, tmp));
            artifacts.registry().save(a, replace ? ArtifactRegistry.SaveMode.REPLACE : ArtifactRegistry.SaveMode.CREATE);
            artifacts.evict(name);
            changed(req, "artifact", (replace ? "stored" : "created") + " artifact " + name + " (" + a.manifest().kind().jsonName() + ")");
            res.status(replace ? Status.OK_200 : Status.CREATED_201);
            Responses.json(res, a.manifest().toJson());
        } catch (ArtifactException | GgufException e) {
            throw ApiError.invalid("body", e.getMessage());
        } finally {
            deleteTree(tmp);
        }
    }

    private Artifact gguf(ServerRequest req, String name, Path tmp) {
        byte[] body = JsonBody.bytes(req, "application/octet-stream", maxArtifactBytes);
        Path file = tmp.resolve(name + ".gguf");
        try {
            Files.write(file, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ControlVectors.importArtifact(file, name, artifacts.fingerprint(), maxArtifactBytes,
                "admin upload by " + who(req));
    }

    private Artifact vaneArtifact(ServerRequest req, String name, Path tmp) {
        Fields f = Fields.of(JsonBody.read(req, maxArtifactBytes * 4 / 3 + 65536)).allowOnly(ARTIFACT_FIELDS);
        Fields manifest = f.object("manifest").orElseThrow(() -> ApiError.invalid("manifest", "manifest is required"));
        String tensors = f.string("tensors").orElseThrow(() -> ApiError.invalid("tensors", "tensors (base64 safetensors) is required"));
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(tensors);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid("tensors", "tensors must be base64: " + e.getMessage());
        }
        try {
            Files.writeString(tmp.resolve(Artifact.MANIFEST), manifest.node().toString());
            Files.write(tmp.resolve(Artifact.TENSORS), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Artifact a;
        try {
            a = Artifact.read(tmp, maxArtifactBytes);
        } catch (ArtifactException e) {
            throw ApiError.invalid("manifest", e.getMessage());
        }
        if (!a.name().equals(name))
            throw ApiError.invalid("manifest.name", "manifest name '" + a.name() + "' differs from the path's '" + name + "'");
        try {
            a.manifest().checkModel(artifacts.fingerprint());
        } catch (ArtifactException e) {
            throw ApiError.invalid("manifest.fingerprint", e.getMessage());
        }
        return a;
    }

    private void deleteArtifact(ServerRequest req, ServerResponse res) {
        String name = artifactName(req);
        List<String> users = steering.profilesUsing(name);
        if (!users.isEmpty())
            throw new ApiError(409, "invalid_request_error", "name", "artifact '" + name + "' is used by profiles " + users);
        if (!artifacts.registry().delete(name))
            throw new ApiError(404, "invalid_request_error", "name", "no artifact named '" + name + "'");
        artifacts.evict(name);
        changed(req, "artifact", "deleted artifact " + name);
        res.status(Status.NO_CONTENT_204).send();
    }

    private static final Set<String> REFINE_FIELDS = Set.of("examples", "steps", "lr");
    private static final Set<String> EXAMPLE_FIELDS = Set.of("prompt", "cluster");

    /**
     * Online refinement of a G-ACT artifact's probes from labelled feedback (methods.md §2 step 5):
     * {@code {"examples": [{"prompt": text, "cluster": c}], "steps": 10, "lr": 0.5}}. Each prompt
     * runs through the scheduler with a read-only capture of its last-token residual at the
     * artifact's layers; a few SGD steps then move each layer's probe (never the model) and the
     * artifact is stored again. Requests admitted afterwards use the refined probes.
     */
    private void refine(ServerRequest req, ServerResponse res) throws Exception {
        String name = artifactName(req);
        byte[] raw = JsonBody.bytes(req, "application/json", maxArtifactBytes);
        Fields f = Fields.of(JsonBody.parseObject(raw)).allowOnly(REFINE_FIELDS);
        int steps = f.integer("steps", 1, 1000).orElse(10);
        double lr = f.number("lr").orElse(0.5);
        if (!(lr > 0 && lr <= 10)) throw ApiError.invalid("lr", "lr must be in (0, 10], got " + lr);
        if (!artifacts.registry().exists(name))
            throw new ApiError(404, "invalid_request_error", "name", "no artifact named '" + name + "'");
        Artifact artifact;
        GactWeights weights;
        try {
            artifact = artifacts.registry().load(name, artifacts.fingerprint());
            weights = MethodArtifacts.gact(artifact);
        } catch (ArtifactException e) {
            throw ApiError.invalid("name", e.getMessage());
        }
        List<JsonNode> items = f.array("examples").orElseThrow(() -> ApiError.invalid("examples", "examples is required"));
        if (items.isEmpty()) throw ApiError.invalid("examples", "examples must not be empty");
        int[] layers = weights.layers().keySet().stream().mapToInt(Integer::intValue).toArray();
        List<LastTokenCapture> captures = new ArrayList<>();
        List<RequestHandle> handles = new ArrayList<>();
        int[] y = new int[items.size()];
        for (int i = 0; i < items.size(); i++) {
            String p = "examples[" + i + "]";
            if (!items.get(i).isObject()) throw ApiError.invalid(p, p + " must be an object");
            Fields e = new Fields((ObjectNode) items.get(i), p + ".").allowOnly(EXAMPLE_FIELDS);
            String prompt = e.string("prompt").orElseThrow(() -> ApiError.invalid(e.param("prompt"), e.param("prompt") + " is required"));
            y[i] = e.integer("cluster", 0, weights.clusters() - 1)
                    .orElseThrow(() -> ApiError.invalid(e.param("cluster"), e.param("cluster") + " is required"));
            int[] ids = engine.tokenizer().encode(prompt, true);
            if (ids.length == 0 || ids.length >= engine.contextLength())
                throw ApiError.invalid(e.param("prompt"), e.param("prompt") + " must have 1.." + (engine.contextLength() - 1) + " tokens");
            captures.add(new LastTokenCapture(steering.model().numLayers(), layers));
        }
        try {
            for (int i = 0; i < items.size(); i++) {
                int[] ids = engine.tokenizer().encode(items.get(i).get("prompt").textValue(), true);
                handles.add(engine.submit(GenerationRequest.of(ids, SamplingParams.greedy(1)).withHooks(captures.get(i)),
                        TokenListener.NONE));
            }
            for (RequestHandle h : handles) h.result().get();
        } catch (QueueFullException e) {
            handles.forEach(RequestHandle::cancel);
            throw ApiError.queueFull(e.getMessage(), e.retryAfterSeconds());
        }
        ObjectNode out = JsonBody.JSON.createObjectNode();
        ObjectNode perLayer = out.putObject("layers");
        GactWeights refined = weights;
        for (int l : layers) {
            float[][] a = new float[items.size()][];
            for (int i = 0; i < a.length; i++) a[i] = captures.get(i).at(l);
            SoftmaxProbe before = refined.layers().get(l).probe();
            SoftmaxProbe after = before.refine(a, y, steps, lr);
            refined = refined.withProbe(l, after);
            perLayer.putObject(String.valueOf(l)).put("accuracy_before", before.accuracy(a, y)).put("accuracy_after", after.accuracy(a, y));
        }
        Manifest m = artifact.manifest();
        Map<String, Double> metrics = new java.util.TreeMap<>(m.metrics());
        metrics.merge("refined_examples", (double) items.size(), Double::sum);
        Manifest nm = new Manifest(m.name(), m.kind(), m.fingerprint(), m.site(), m.layers(), m.params(), metrics,
                Provenance.now("admin refine by " + who(req) + " (" + items.size() + " examples, " + steps + " steps, lr " + lr + ")",
                        java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw))));
        artifacts.registry().save(new Artifact(nm, MethodArtifacts.tensors(refined.tensors(), refined.shapes())),
                ArtifactRegistry.SaveMode.REPLACE);
        artifacts.evict(name);
        changed(req, "artifact", "refined G-ACT probes of " + name + " with " + items.size() + " examples");
        out.put("examples", items.size());
        Responses.json(res, out);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary upload folder; the OS cleans what remains
        }
    }
}
