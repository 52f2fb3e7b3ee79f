package dev.vane.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official OpenAI Node SDK, unmodified, against the real server (src/test/node/sdk-check.mjs).
 * {@code ./vane test} installs the SDK from the lock file first; a missing install fails here
 * rather than skipping.
 */
class OpenAiSdkTest {

    private static final Path NODE_DIR = Path.of("src/test/node");

    @Test
    void officialNodeSdkWorksUnmodified() throws IOException, InterruptedException {
        assertTrue(Files.isDirectory(NODE_DIR.resolve("node_modules/openai")),
                "the OpenAI SDK is not installed: run 'npm ci --prefix server/src/test/node' (./vane test does)");
        TestServer s = TestServer.shared();
        Process p = new ProcessBuilder("node", "sdk-check.mjs", "http://127.0.0.1:" + s.server.port() + "/v1", s.modelId)
                .directory(NODE_DIR.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the SDK check finished in time");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertThat(out).contains("all checks passed");
    }
}
