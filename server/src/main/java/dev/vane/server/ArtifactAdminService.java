package dev.vane.server;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.text.Snippet;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.ArtifactRegistry.SaveMode;
import dev.vane.steering.artifact.Manifest;
import dev.vane.steering.artifact.StorageException;
import dev.vane.steering.control.ArtifactAdmin;
import dev.vane.steering.control.ArtifactUpload;
import dev.vane.steering.control.ControlException;
import dev.vane.steering.control.ProbeRefinement;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import static dev.vane.server.AdminRoutes.handle;
import static dev.vane.server.AdminRoutes.who;

/**
 * The admin API's artifact routes (design.md §5): list, read, upload (a Vane artifact in JSON or
 * a llama.cpp / repeng GGUF control vector), delete, and G-ACT probe refinement. This class maps
 * JSON and bytes to {@link ArtifactAdmin} and {@link ProbeRefinement} calls, which check, store,
 * evict and report every change.
 */
final class ArtifactAdminService implements HttpService {

    private static final System.Logger LOG = System.getLogger("vane.admin");
    static final Set<String> ARTIFACT_FIELDS = Set.of("manifest", "tensors");
    static final Set<String> REFINE_FIELDS = Set.of("examples", "held_out", "steps", "lr");
    static final Set<String> EXAMPLE_FIELDS = Set.of("prompt", "cluster");

    private final ArtifactAdmin artifacts;
    private final ProbeRefinement refinement;
    private final long maxArtifactBytes;
    private final ObjectMapper uploads;

    ArtifactAdminService(ArtifactAdmin artifacts, ProbeRefinement refinement, long maxArtifactBytes) {
        this.artifacts = artifacts;
        this.refinement = refinement;
        this.maxArtifactBytes = maxArtifactBytes;
        // the base64 tensors are one JSON string: let it be as long as the largest upload
        this.uploads = JsonBody.mapper((int) Math.min(Integer.MAX_VALUE - 8,
                Math.max(StreamReadConstraints.DEFAULT_MAX_STRING_LEN, maxUploadBytes())));
    }

    /** The largest JSON upload: base64 makes the tensors a third larger; the manifest needs a little room too. */
    private long maxUploadBytes() {
        return maxArtifactBytes / 3 * 4 + 4 + 65536;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/admin/artifacts", handle(this::list))
                .get("/admin/artifacts/{name}", handle(this::get))
                .post("/admin/artifacts/{name}", handle(this::upload))
                .put("/admin/artifacts/{name}", handle(this::upload))
                .delete("/admin/artifacts/{name}", handle(this::delete))
                .post("/admin/artifacts/{name}/refine", handle(this::refine));
    }

    /** The path's artifact name, checked before the body is read. */
    private static String name(ServerRequest req) {
        return ArtifactAdmin.checkName(req.path().pathParameters().get("name"));
    }

    /**
     * Every readable manifest under {@code data}; an artifact that cannot be read is left out,
     * logged, and named under {@code problems} with the reason.
     */
    private void list(ServerRequest req, ServerResponse res) {
        ArtifactRegistry.Listing listing = artifacts.list();
        ObjectNode o = JsonBody.JSON.createObjectNode();
        ArrayNode data = o.putArray("data");
        for (Manifest m : listing.manifests()) data.add(m.toJson());
        ArrayNode problems = o.putArray("problems");
        for (ArtifactRegistry.Problem p : listing.problems()) {
            LOG.log(System.Logger.Level.WARNING, "artifact registry: skipped unreadable artifact " + p.name() + ": " + p.message());
            problems.addObject().put("name", p.name()).put("message", p.message());
        }
        Responses.json(res, o);
    }

    /**
     * Repairs the registry at start ({@link ArtifactRegistry#recover}) and logs what it did. A
     * registry that cannot be repaired (read-only) is logged and served as it is.
     */
    static void recover(ArtifactRegistry registry) {
        try {
            ArtifactRegistry.Recovery r = registry.recover();
            for (String name : r.completed())
                LOG.log(System.Logger.Level.WARNING, "artifact registry: finished the interrupted replace of " + name);
            if (!r.removed().isEmpty())
                LOG.log(System.Logger.Level.INFO, "artifact registry: removed " + r.removed().size()
                        + " leftover(s) of interrupted writes: " + r.removed());
        } catch (StorageException e) {
            LOG.log(System.Logger.Level.WARNING, "artifact registry: cannot clean up at start: " + e.getMessage());
        }
    }

    private void get(ServerRequest req, ServerResponse res) {
        Responses.json(res, artifacts.manifest(name(req)).toJson());
    }

    /**
     * {@code POST} creates, {@code PUT} creates or replaces. Body: {@code application/json}
     * {@code {"manifest": {...}, "tensors": base64 safetensors}} (a Vane artifact), or
     * {@code application/octet-stream} with {@code ?format=gguf} (a llama.cpp / repeng control vector).
     */
    private void upload(ServerRequest req, ServerResponse res) {
        String name = name(req);
        boolean replace = req.prologue().method().text().equals("PUT");
        ArtifactUpload upload = req.query().first("format").map(fmt -> {
            if (!fmt.equals("gguf")) throw ApiError.invalid("format", "format must be gguf (or absent for a Vane artifact)");
            return (ArtifactUpload) new ArtifactUpload.Gguf(JsonBody.bytes(req, "application/octet-stream", maxArtifactBytes));
        }).orElseGet(() -> vaneArtifact(req));
        Manifest stored;
        try {
            stored = artifacts.store(name, upload, replace ? SaveMode.REPLACE : SaveMode.CREATE, who(req));
        } catch (ControlException e) {
            if (e.problem() == ControlException.Problem.CONFLICT)
                throw new ApiError(409, "invalid_request_error", "name", e.getMessage() + " (PUT replaces)");
            throw AdminRoutes.error(e, "body");
        }
        res.status(replace ? Status.OK_200 : Status.CREATED_201);
        Responses.json(res, stored.toJson());
    }

    private ArtifactUpload vaneArtifact(ServerRequest req) {
        Fields f = Fields.of(JsonBody.read(req, maxUploadBytes(), uploads)).allowOnly(ARTIFACT_FIELDS);
        Fields manifest = f.object("manifest").orElseThrow(() -> ApiError.invalid("manifest", "manifest is required"));
        String tensors = f.string("tensors").orElseThrow(() -> ApiError.invalid("tensors", "tensors (base64 safetensors) is required"));
        try {
            return new ArtifactUpload.Vane(manifest.node().toString(), Base64.getDecoder().decode(tensors));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid("tensors", "tensors must be base64: " + Snippet.of(e.getMessage(), 80));
        }
    }

    private void delete(ServerRequest req, ServerResponse res) {
        artifacts.delete(name(req), who(req));
        res.status(Status.NO_CONTENT_204).send();
    }

    /**
     * Online refinement of a G-ACT artifact's probes (methods.md §2 step 5):
     * {@code {"examples": [{"prompt": text, "cluster": c}], "held_out": [...], "steps": 10, "lr": 0.5}};
     * answers each refined layer's probe accuracy on the examples, and on the held-out ones, before
     * and after.
     */
    /** {@code field}'s items as examples; errors name {@code field[i].prompt} or {@code .cluster}. */
    private static List<ProbeRefinement.Example> examples(List<JsonNode> items, String field) {
        List<ProbeRefinement.Example> examples = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String p = field + "[" + i + "]";
            if (!items.get(i).isObject()) throw ApiError.invalid(p, p + " must be an object");
            Fields e = new Fields((ObjectNode) items.get(i), p + ".").allowOnly(EXAMPLE_FIELDS);
            String prompt = e.string("prompt").orElseThrow(() -> ApiError.invalid(e.param("prompt"), e.param("prompt") + " is required"));
            int cluster = e.integer("cluster").orElseThrow(() -> ApiError.invalid(e.param("cluster"), e.param("cluster") + " is required"));
            examples.add(new ProbeRefinement.Example(prompt, cluster));
        }
        return examples;
    }

    private void refine(ServerRequest req, ServerResponse res) {
        String name = name(req);
        Fields f = Fields.of(JsonBody.parseObject(JsonBody.bytes(req, "application/json", maxArtifactBytes)))
                .allowOnly(REFINE_FIELDS);
        ProbeRefinement.Options options = new ProbeRefinement.Options(
                f.integer("steps").orElse(ProbeRefinement.Options.DEFAULT.steps()),
                f.number("lr").orElse(ProbeRefinement.Options.DEFAULT.lr()));
        List<ProbeRefinement.Example> examples = examples(f.array("examples")
                .orElseThrow(() -> ApiError.invalid("examples", "examples is required")), "examples");
        List<ProbeRefinement.Example> heldOut = examples(f.array("held_out").orElse(List.of()), "held_out");
        ProbeRefinement.Result r = refinement.refine(name, examples, heldOut, options, who(req));
        ObjectNode out = JsonBody.JSON.createObjectNode();
        ObjectNode layers = out.putObject("layers");
        r.layers().forEach((l, a) -> {
            ObjectNode layer = layers.putObject(String.valueOf(l)).put("accuracy_before", a.before()).put("accuracy_after", a.after());
            ProbeRefinement.Accuracy h = r.heldOut().get(l);
            if (h != null) layer.put("held_out_before", h.before()).put("held_out_after", h.after());
        });
        out.put("examples", r.examples());
        out.put("held_out", heldOut.size());
        out.put("encoding", r.encoding().jsonName());
        Responses.json(res, out);
    }
}
