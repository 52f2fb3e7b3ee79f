package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.steering.DemoModelDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Steer your first request": its three requests, sent to the server on the bundled
 * model with no flags, answer what the README shows (greedy, so exactly) with the interventions it
 * names.
 */
class ReadmeFirstRequestsTest {

    @TempDir
    Path tmp;

    private static final Pattern BODY = Pattern.compile("-d '(\\{.*})'");
    private static final Pattern TEXT = Pattern.compile("^ {4}\"text\": (\".*\")$");

    @Test
    void theThreeFirstRequestsAnswerAsTheReadmeShows() throws Exception {
        List<String> lines = Files.readAllLines(DemoModelDir.path().resolve("../../README.md").normalize());
        int start = lines.indexOf("## Steer your first request");
        assertThat(start).as("the README's section").isPositive();
        List<String> bodies = new ArrayList<>(), texts = new ArrayList<>();
        for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
            Matcher b = BODY.matcher(lines.get(i)), t = TEXT.matcher(lines.get(i));
            if (b.find()) bodies.add(b.group(1));
            if (t.matches()) texts.add(TestServer.read("{\"t\": " + t.group(1) + "}").get("t").asText());
        }
        assertThat(bodies).hasSize(3);
        assertThat(texts).hasSize(3);
        ServerSettings s = TestServer.demo(tmp.resolve("registry"));
        String[] kinds = {"vector", "layer_skip", "task"};
        try (VaneServer server = Main.start(s)) {
            TestServer t = TestServer.wrap(server, s);
            for (int i = 0; i < 3; i++) {
                JsonNode r = t.ok("/v1/completions", bodies.get(i));
                assertThat(r.get("choices").get(0).get("text").asText()).as("request %d", i + 1).isEqualTo(texts.get(i));
                assertThat(r.get("vane").get("applied").get(0).get("kind").asText()).isEqualTo(kinds[i]);
            }
        }
    }
}
