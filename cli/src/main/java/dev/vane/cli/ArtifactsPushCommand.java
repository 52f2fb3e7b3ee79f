package dev.vane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.steering.artifact.Artifact;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code vane artifacts push}: uploads an artifact to a running server's admin API
 * ({@code POST /admin/artifacts/NAME}, {@code PUT} with {@code --replace}): a Vane artifact
 * directory as its JSON body ({@code {"manifest": ..., "tensors": base64}}), a {@code .gguf}
 * control-vector file as {@code ?format=gguf}.
 */
@Command(name = "push", sortOptions = false, description = "Upload an artifact to a running server's admin API.")
final class ArtifactsPushCommand extends Leaf {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--server", required = true, paramLabel = "URL", description = "the admin API, e.g. http://127.0.0.1:8081")
    URI server;
    @Option(names = "--artifact", required = true, paramLabel = "DIR|FILE.gguf",
            description = "a Vane artifact directory (manifest.json, tensors.safetensors) or a llama.cpp control-vector file")
    Path artifact;
    @Option(names = "--name", paramLabel = "NAME",
            description = "its name on the server (default: a directory's manifest name, a .gguf file's name; a Vane artifact keeps its manifest's)")
    String name;
    @Option(names = "--admin-token", paramLabel = "TOKEN", description = "the admin API's bearer token (default: VANE_ADMIN_TOKEN)")
    String token;
    @Option(names = "--replace", description = "replace an artifact of that name (PUT)")
    boolean replace;

    @Override
    public Integer call() throws Exception {
        String bearer = Optional.ofNullable(token).or(() -> Optional.ofNullable(context().env().get("VANE_ADMIN_TOKEN")))
                .filter(t -> !t.isEmpty()).orElseThrow(() -> usage("--admin-token: required (or set VANE_ADMIN_TOKEN)"));
        if (!"http".equalsIgnoreCase(server.getScheme()) && !"https".equalsIgnoreCase(server.getScheme())
                || server.getRawQuery() != null || server.getRawFragment() != null)
            throw usage("--server: an http:// or https:// URL without a query, got '" + server + "'");
        boolean gguf = Files.isRegularFile(artifact) && artifact.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf");
        if (!gguf && !Files.isRegularFile(artifact.resolve(Artifact.MANIFEST)))
            throw usage("--artifact: neither an artifact directory (no " + Artifact.MANIFEST + " in " + artifact + ") nor a .gguf file");
        String target;
        if (gguf) {
            target = name != null ? name : artifact.getFileName().toString().replaceFirst("(?i)\\.gguf$", "");
        } else { // the server stores a Vane artifact under its manifest's name
            String own = JSON.readTree(Files.readString(artifact.resolve(Artifact.MANIFEST))).path("name").asText("");
            if (name != null && !name.equals(own))
                throw usage("--name: a Vane artifact keeps its manifest's name '" + own + "', got '" + name + "'");
            target = own;
        }
        HttpRequest.BodyPublisher body = gguf ? HttpRequest.BodyPublishers.ofFile(artifact) : HttpRequest.BodyPublishers.ofString(json(artifact));
        String base = server.toString().replaceAll("/+$", "").replaceFirst("/admin$", ""); // the admin port's root, or the API's own path
        URI uri = URI.create(base + "/admin/artifacts/" + URLEncoder.encode(target, StandardCharsets.UTF_8) + (gguf ? "?format=gguf" : ""));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
                .header("Authorization", "Bearer " + bearer)
                .header("Content-Type", gguf ? "application/octet-stream" : "application/json")
                .method(replace ? "PUT" : "POST", body).build();
        HttpResponse<String> response;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            err().println("vane artifacts push: cannot reach " + base + " (" + e.getMessage() + ")");
            return 1;
        }
        if (response.statusCode() / 100 != 2) {
            err().println("vane artifacts push: " + response.statusCode() + " " + message(response.body()));
            return 1;
        }
        JsonNode m = JSON.readTree(response.body());
        out().println((replace ? "replaced " : "pushed ") + target + " (" + m.path("kind").asText() + ", layers " + m.path("layers") + ") to " + base);
        return 0;
    }

    /** A Vane artifact directory as the upload's JSON body. */
    private static String json(Path dir) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.set("manifest", JSON.readTree(Files.readString(dir.resolve(Artifact.MANIFEST))));
        o.put("tensors", Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve(Artifact.TENSORS))));
        return JSON.writeValueAsString(o);
    }

    /** The server's error message ({@code {"error": {"message", "param"}}}), else the body. */
    private static String message(String body) {
        try {
            JsonNode e = JSON.readTree(body).path("error");
            if (e.has("message")) return e.get("message").asText() + (e.hasNonNull("param") ? " (" + e.get("param").asText() + ")" : "");
        } catch (IOException ignored) {
            // not JSON: shown as it is
        }
        return body;
    }
}
