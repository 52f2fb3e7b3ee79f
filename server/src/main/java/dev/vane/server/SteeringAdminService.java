package dev.vane.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.schedule.GenerationService;
import dev.vane.engine.text.Snippet;
import dev.vane.steering.control.ArtifactAdmin;
import dev.vane.steering.control.Profile;
import dev.vane.steering.control.SkipChoice;
import dev.vane.steering.control.SteeringControl;
import dev.vane.steering.plan.InterventionSpec;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.vane.server.AdminRoutes.handle;
import static dev.vane.server.AdminRoutes.who;

/**
 * The admin API's steering routes (design.md §5): the global switch and default profile, the
 * default layer skipping, profiles, and the server's status. JSON in and out only; the state and
 * its checks are {@link SteeringControl}'s, which logs and counts every change. A change applies
 * to requests admitted after it, while running requests keep the plan they were admitted with.
 */
final class SteeringAdminService implements HttpService {

    static final Set<String> STEERING_FIELDS = Set.of("enabled", "default_profile");
    static final Set<String> PROFILE_FIELDS = Set.of("name", "interventions");

    private final SteeringControl steering;
    private final ArtifactAdmin artifacts;
    private final GenerationService engine;
    private final String modelId;
    private final long maxBodyBytes;

    SteeringAdminService(SteeringControl steering, ArtifactAdmin artifacts, GenerationService engine, String modelId,
                         long maxBodyBytes) {
        this.steering = steering;
        this.artifacts = artifacts;
        this.engine = engine;
        this.modelId = modelId;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/admin/status", handle(this::status))
                .get("/admin/steering", handle(this::getSteering))
                .put("/admin/steering", handle(this::putSteering))
                .get("/admin/layer-skip", handle(this::getLayerSkip))
                .put("/admin/layer-skip", handle(this::putLayerSkip))
                .get("/admin/profiles", handle(this::listProfiles))
                .post("/admin/profiles", handle(this::postProfile))
                .get("/admin/profiles/{name}", handle(this::getProfile))
                .put("/admin/profiles/{name}", handle(this::putProfile))
                .delete("/admin/profiles/{name}", handle(this::deleteProfile));
    }

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
        o.set("layer_skip", layerSkipJson());
        ArrayNode p = o.putArray("profiles");
        steering.profiles().forEach(x -> p.add(x.name()));
        ArrayNode a = o.putArray("artifacts");
        artifacts.names().forEach(a::add);
        Responses.json(res, o);
    }

    // --- the switch and the default profile ------------------------------------------------------

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
        Fields f = Fields.of(JsonBody.read(req, maxBodyBytes)).allowOnly(STEERING_FIELDS);
        SteeringControl.Settings now = steering.settings();
        boolean enabled = f.bool("enabled").orElse(now.enabled());
        Optional<String> def = f.present("default_profile") ? f.string("default_profile") : now.defaultProfile();
        steering.settings(new SteeringControl.Settings(enabled, def), who(req));
        Responses.json(res, steeringJson());
    }

    // --- default layer skipping ------------------------------------------------------------------

    private ObjectNode layerSkipJson() {
        return steering.layerSkip().map(InterventionJson::writeLayerSkip)
                .orElseGet(() -> JsonBody.JSON.createObjectNode().put("mode", "off"));
    }

    private void getLayerSkip(ServerRequest req, ServerResponse res) {
        Responses.json(res, layerSkipJson());
    }

    /** The default layer skipping for requests that set none: a {@code vane.layer_skip} object, or {@code {"mode": "off"}}. */
    private void putLayerSkip(ServerRequest req, ServerResponse res) {
        Fields f = Fields.of(JsonBody.read(req, maxBodyBytes));
        Optional<InterventionSpec.LayerSkip> skip = switch (InterventionJson.readSkipChoice(f)) {
            case SkipChoice.Given g -> Optional.of(g.skip());
            case SkipChoice.Off o -> Optional.empty();
            case SkipChoice.Default d -> throw new IllegalStateException("a JSON layer_skip object always chooses");
        };
        steering.layerSkip(skip, who(req));
        Responses.json(res, layerSkipJson());
    }

    // --- profiles --------------------------------------------------------------------------------

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

    private void getProfile(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        Profile p = steering.profile(name).orElseThrow(() -> new ApiError(404, "invalid_request_error", "name",
                "no profile named '" + Snippet.of(name) + "'"));
        Responses.json(res, profileJson(p));
    }

    private void postProfile(ServerRequest req, ServerResponse res) {
        Fields f = Fields.of(JsonBody.read(req, maxBodyBytes)).allowOnly(PROFILE_FIELDS);
        String name = f.string("name").orElseThrow(() -> ApiError.invalid("name", "name is required"));
        saveProfile(req, res, name, f);
    }

    private void putProfile(ServerRequest req, ServerResponse res) {
        Fields f = Fields.of(JsonBody.read(req, maxBodyBytes)).allowOnly(PROFILE_FIELDS);
        String name = req.path().pathParameters().get("name");
        f.string("name").ifPresent(n -> {
            if (!n.equals(name))
                throw ApiError.invalid("name", "name '" + Snippet.of(n) + "' differs from the path's '" + Snippet.of(name) + "'");
        });
        saveProfile(req, res, name, f);
    }

    private void saveProfile(ServerRequest req, ServerResponse res, String name, Fields f) {
        List<InterventionSpec> specs = InterventionJson.readList(
                f.array("interventions").orElseThrow(() -> ApiError.invalid("interventions", "interventions is required")),
                "interventions");
        Profile p = new Profile(Profile.checkName(name), specs);
        boolean created = steering.putProfile(p, who(req));
        res.status(created ? Status.CREATED_201 : Status.OK_200);
        Responses.json(res, profileJson(p));
    }

    private void deleteProfile(ServerRequest req, ServerResponse res) {
        String name = Profile.checkName(req.path().pathParameters().get("name"));
        if (!steering.deleteProfile(name, who(req)))
            throw new ApiError(404, "invalid_request_error", "name", "no profile named '" + name + "'");
        res.status(Status.NO_CONTENT_204).send();
    }
}
