package dev.vane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.server.Main;
import dev.vane.server.ServerSettings;
import dev.vane.server.VaneServer;
import dev.vane.steering.DemoModelDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vane try} against the server on the bundled model: a block per bundled profile, unsteered and steered. */
class TryCommandTest {

    @TempDir
    Path tmp;

    @Test
    void everyBundledProfileGetsABlockWithBothAnswers() throws Exception {
        Path profiles = DemoModelDir.path().resolve("steering").resolve("profiles.json");
        JsonNode file = new ObjectMapper().readTree(Files.readString(profiles));
        ServerSettings s = ServerSettings.defaults(DemoModelDir.path()).withPort(0)
                .withAdmin(new ServerSettings.Admin(tmp.resolve("registry"), 0, Optional.empty(), 64L << 20, Optional.empty()));
        try (VaneServer server = Main.start(s)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            int status = Cli.execute(new Context(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                    Map.of("VANE_MODEL", DemoModelDir.path().toString()), tmp.resolve("absent.yaml")),
                    "try", "--server", "http://127.0.0.1:" + server.port(), "--max-tokens", "6");
            String text = out.toString(StandardCharsets.UTF_8);
            assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
            for (JsonNode p : file.get("profiles")) assertThat(text).contains("== " + p.get("name").asText() + ": ");
            assertThat(text.split("\n   unsteered  ", -1)).hasSize(file.get("profiles").size() + 1);
            assertThat(text.split("\n   steered    ", -1)).hasSize(file.get("profiles").size() + 1);
        }
        // no server there: a clear failure, not a stack trace
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
        int status = Cli.execute(new Context(ps, ps, Map.of(), tmp.resolve("absent.yaml")),
                "try", "--server", "http://127.0.0.1:9", "--profiles", profiles.toString());
        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot reach http://127.0.0.1:9").doesNotContain("Exception");
    }
}
