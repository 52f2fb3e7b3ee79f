package dev.vane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.server.ServerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code vane try}: the same prompt through a running server unsteered ({@code "profile": "none"})
 * and with each named profile of a profiles file, greedy with the same repetition penalty,
 * printed one under the other. A profile
 * with an {@code example} prompt in the file is tried on that prompt instead (a task embedding
 * needs its task's zero-shot form).
 */
@Command(name = "try", sortOptions = false,
        description = {"Send one prompt through a running server unsteered and with each steering profile, side by side.",
                "Start the server first (./vane serve); the profiles are those the model bundles unless --profiles names a file."})
final class TryCommand extends Leaf {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--server", defaultValue = "http://127.0.0.1:8080", paramLabel = "URL", description = "the server (${DEFAULT-VALUE})")
    URI server;
    @Option(names = "--prompt", defaultValue = "The old town was quiet that evening, and", paramLabel = "TEXT",
            description = "the prompt, for profiles without an example of their own (${DEFAULT-VALUE})")
    String prompt;
    @Option(names = "--profiles", paramLabel = "FILE",
            description = "the profiles file (default: steering/profiles.json of the model serve would serve: VANE_MODEL, application.yaml, models/demo)")
    Path profiles;
    @Option(names = "--max-tokens", defaultValue = "32", paramLabel = "N", description = "tokens per answer (${DEFAULT-VALUE})")
    int maxTokens;
    @Option(names = "--repetition-penalty", defaultValue = "1.3", paramLabel = "X",
            description = "applied to both answers alike: a small model's greedy text loops without it (${DEFAULT-VALUE})")
    double repetitionPenalty;
    @Option(names = "--api-key", paramLabel = "KEY", description = "the public API's key, when the server needs one (default: VANE_API_KEY)")
    String apiKey;

    /** A profile to try: its name, what it does, and the prompt it is tried on. */
    private record Trial(String name, String description, String prompt) {}

    @Override
    public Integer call() throws Exception {
        if (maxTokens < 1 || maxTokens > 1024) throw usage("--max-tokens: must be in 1..1024, got " + maxTokens);
        Path file = profiles != null ? profiles : servedModel().resolve("steering").resolve("profiles.json");
        if (!Files.isRegularFile(file)) throw usage("--profiles: no profiles file at " + file);
        List<Trial> trials = trials(file);
        if (trials.isEmpty()) throw usage("--profiles: " + file + " names no profile");
        String key = apiKey != null ? apiKey : context().env().get("VANE_API_KEY");
        String base = server.toString().replaceAll("/+$", "");
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            for (Trial t : trials) {
                String plain = complete(http, base, key, t.prompt(), "none"), steered = complete(http, base, key, t.prompt(), t.name());
                out().println("== " + t.name() + (t.description().isEmpty() ? "" : ": " + t.description()));
                out().println("   prompt     " + oneLine(t.prompt()));
                out().println("   unsteered  " + oneLine(plain));
                out().println("   steered    " + oneLine(steered));
                out().println();
            }
        } catch (IOException e) {
            err().println("vane try: cannot reach " + base + " (" + e.getMessage() + "); start it with ./vane serve");
            return 1;
        } catch (RefusedException e) {
            err().println("vane try: " + e.getMessage());
            return 1;
        }
        return 0;
    }

    /** The model {@code serve} would serve without flags: its setting from the environment, the settings file or the default. */
    private Path servedModel() {
        Map<String, String> yaml = options(() -> ServerSettings.yaml(context().config()));
        return Path.of(ServerSettings.configured("model", context().env(), yaml).map(ServerSettings.Configured::value)
                .orElse(ServerSettings.DEFAULT_MODEL.toString()));
    }

    private List<Trial> trials(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw usage("--profiles: cannot read " + file + ": " + e.getMessage());
        }
        List<Trial> out = new ArrayList<>();
        for (JsonNode p : root.path("profiles"))
            out.add(new Trial(p.path("name").asText(), p.path("description").asText(""), p.path("example").asText(prompt)));
        return out;
    }

    private static final class RefusedException extends Exception {
        RefusedException(String message) { super(message); }
    }

    /** The greedy completion of {@code text} under {@code profile} ({@code none}: unsteered). */
    private String complete(HttpClient http, String base, String key, String text, String profile) throws IOException, InterruptedException, RefusedException {
        ObjectNode body = JSON.createObjectNode().put("prompt", text).put("max_tokens", maxTokens).put("temperature", 0)
                .put("repetition_penalty", repetitionPenalty);
        body.putObject("vane").put("profile", profile);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/completions")).timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (key != null && !key.isEmpty()) b.header("Authorization", "Bearer " + key);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json;
        try {
            json = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new RefusedException("profile " + profile + ": " + r.statusCode() + " with a body that is not JSON: " + oneLine(
                    r.body().length() > 200 ? r.body().substring(0, 200) + "…" : r.body()));
        }
        if (r.statusCode() != 200)
            throw new RefusedException("profile " + profile + ": " + r.statusCode() + " " + json.path("error").path("message").asText(r.body()));
        return json.path("choices").path(0).path("text").asText();
    }

    private static String oneLine(String s) {
        return s.replace("\n", " ⏎ ");
    }
}
