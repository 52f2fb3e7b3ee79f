package dev.vane.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.attention.AttentionKind;
import dev.vane.engine.config.BeaconConfig;
import dev.vane.engine.model.Backend;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.Manifest;
import dev.vane.steering.control.Profile;
import dev.vane.steering.control.SteeringControl;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.Optional;

/**
 * {@code GET /v1/interventions}: what a request's {@code vane} object can ask for on this server,
 * read-only — the model's layer count, the global steering switch and default profile, the
 * default layer skipping, every profile with its interventions, every readable artifact of the
 * registry (name, kind, site, layers, default alpha), the attention options a request may
 * change and the model's Activation Beacon ratios. The playground builds its controls from it;
 * any client may. Changing any of it stays on the admin API.
 */
final class InterventionsService implements HttpService {

    private final ServerContext ctx;
    private final ArtifactRegistry registry;

    InterventionsService(ServerContext ctx, ArtifactRegistry registry) {
        this.ctx = ctx;
        this.registry = registry;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/interventions", Responses.timed(ctx.metrics(), "interventions", this::list));
    }

    private void list(ServerRequest req, ServerResponse res) {
        SteeringControl steering = ctx.steering();
        ObjectNode o = JsonBody.JSON.createObjectNode();
        o.put("model", ctx.modelId());
        o.put("layers", steering.model().numLayers());
        SteeringControl.Settings s = steering.settings();
        ObjectNode st = o.putObject("steering").put("enabled", s.enabled());
        if (s.defaultProfile().isPresent()) st.put("default_profile", s.defaultProfile().get());
        else st.putNull("default_profile");
        o.set("layer_skip", steering.layerSkip().map(InterventionJson::writeLayerSkip)
                .orElseGet(() -> JsonBody.JSON.createObjectNode().put("mode", "off")));
        ArrayNode profiles = o.putArray("profiles");
        for (Profile p : steering.profiles())
            profiles.addObject().put("name", p.name()).set("interventions", InterventionJson.writeList(p.interventions()));
        ArrayNode artifacts = o.putArray("artifacts");
        for (Manifest m : registry.list().manifests()) artifacts.add(artifact(m));
        o.set("attention", attention(ctx.attention()));
        Optional<BeaconConfig> beacon = ctx.engine().beacon();
        if (beacon.isPresent()) {
            ObjectNode b = o.putObject("beacon").put("window", beacon.get().window());
            beacon.get().ratios().forEach(b.putArray("ratios")::add);
        } else {
            o.putNull("beacon");
        }
        Responses.json(res, o);
    }

    /**
     * An artifact as a request names it: name, kind, site, the layers it holds and, where it has
     * one, its stored default {@code alpha}. Training parameters and provenance stay on the admin API.
     */
    private static ObjectNode artifact(Manifest m) {
        ObjectNode o = JsonBody.JSON.createObjectNode().put("name", m.name()).put("kind", m.kind().jsonName())
                .put("site", m.site().name().toLowerCase(java.util.Locale.ROOT));
        m.layers().forEach(o.putArray("layers")::add);
        if (m.params().path("alpha").isNumber()) o.put("alpha", m.params().get("alpha").doubleValue());
        return o;
    }

    /** The served kernel and whether a request may choose its softmax options ({@link AttentionRequest}). */
    private static ObjectNode attention(ServedAttention a) {
        ObjectNode o = JsonBody.JSON.createObjectNode();
        o.put("kind", a.kind().id());
        o.put("kernel", a.label(a.options()));
        o.put("algorithm", a.options().algorithm().id());
        Object logN = AttentionRequest.logN(a.options());
        if (logN instanceof Integer l) o.put("log_n", l);
        else o.put("log_n", false);
        o.put("per_request", a.kind() instanceof AttentionKind.Softmax && a.backend() != Backend.Kind.TENSOR);
        return o;
    }
}
