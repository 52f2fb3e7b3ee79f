package dev.vane.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.model.ComputeDType;
import dev.vane.server.Main;
import dev.vane.server.ServerSettings;
import dev.vane.server.VaneServer;
import dev.vane.steering.DemoModelDir;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.artifact.VectorSet;
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

/** {@code vane artifacts push} against a running server's admin API (loopback). */
class ArtifactsPushTest {

    private static final String TOKEN = "push-test-token-0123456789";

    @TempDir
    Path tmp;

    private record Run(int status, String out, String err) {}

    private Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Cli.execute(new Context(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env, tmp.resolve("absent.yaml")), CliRun.concat(new String[] {"artifacts", "push"}, args));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aVaneArtifactDirectoryIsUploadedCreatedThenReplaced() throws Exception {
        ModelFingerprint fp = ModelFingerprint.of(HfConfig.read(DemoModelDir.path()));
        float[][] dirs = new float[fp.numLayers()][];
        dirs[2] = new float[fp.hiddenSize()];
        for (int i = 0; i < dirs[2].length; i++) dirs[2][i] = (float) Math.sin(i);
        Path dir = tmp.resolve("art").resolve("tilt");
        new VectorSet(Component.RESID_POST, fp.hiddenSize(), dirs).toArtifact("tilt", fp, JsonNodeFactory.instance.objectNode(), Map.of(),
                Provenance.now("test", "0".repeat(64))).write(dir);
        ServerSettings settings = ServerSettings.defaults(DemoModelDir.path()).withPort(0).withEngine(ComputeDType.F16, 1, 1, 64)
                .withAdmin(new ServerSettings.Admin(tmp.resolve("registry"), 0, Optional.of(TOKEN), 64L << 20, Optional.empty()));
        try (VaneServer server = Main.start(settings)) {
            String url = "http://127.0.0.1:" + server.adminPort().orElseThrow();
            Run pushed = run(Map.of("VANE_ADMIN_TOKEN", TOKEN), "--server", url, "--artifact", dir.toString());
            assertThat(pushed.status()).as(pushed.err()).isZero();
            assertThat(pushed.out()).contains("pushed tilt (vector-set, layers [2]) to " + url);
            assertThat(Files.isDirectory(tmp.resolve("registry").resolve("tilt"))).isTrue();

            Run again = run(Map.of(), "--server", url, "--artifact", dir.toString(), "--admin-token", TOKEN);
            assertThat(again.status()).isEqualTo(1);
            assertThat(again.err()).contains("409").contains("PUT replaces");
            Run replaced = run(Map.of(), "--server", url + "/admin/", "--artifact", dir.toString(), "--admin-token", TOKEN, "--replace", "--name", "tilt");
            assertThat(replaced.status()).as(replaced.err()).isZero();
            assertThat(replaced.out()).startsWith("replaced tilt");

            Run renamed = run(Map.of(), "--server", url, "--artifact", dir.toString(), "--admin-token", TOKEN, "--name", "other");
            assertThat(renamed.status()).isEqualTo(2);
            assertThat(renamed.err()).contains("--name: a Vane artifact keeps its manifest's name 'tilt'");
            Run withQuery = run(Map.of(), "--server", url + "?x=1", "--artifact", dir.toString(), "--admin-token", TOKEN);
            assertThat(withQuery.status()).isEqualTo(2);
            Run wrongToken = run(Map.of(), "--server", url, "--artifact", dir.toString(), "--admin-token", TOKEN + "x");
            assertThat(wrongToken.status()).isEqualTo(1);
            assertThat(wrongToken.err()).contains("401");
            Run noToken = run(Map.of(), "--server", url, "--artifact", dir.toString());
            assertThat(noToken.status()).isEqualTo(2);
            assertThat(noToken.err()).contains("--admin-token: required");
            Run notAnArtifact = run(Map.of(), "--server", url, "--artifact", tmp.toString(), "--admin-token", TOKEN);
            assertThat(notAnArtifact.status()).isEqualTo(2);
            assertThat(notAnArtifact.err()).contains("--artifact: neither an artifact directory");
        }
    }
}
