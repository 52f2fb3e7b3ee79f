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
 * The official OpenAI Python SDK, unmodified, against the real server (src/test/python/sdk_check.py):
 * models, completions (single and list prompts, logprobs, streaming with usage), chat (n = 2,
 * top logprobs, streaming, the async client) and the SDK's typed errors for 400 and 404.
 * {@code ./vane test} installs the pinned SDK into src/test/python/.venv first; a missing install
 * fails here rather than skipping.
 */
class OpenAiPythonSdkTest {

    private static final Path PYTHON_DIR = Path.of("src/test/python");
    private static final Path PYTHON = PYTHON_DIR.resolve(".venv/bin/python");

    @Test
    void officialPythonSdkWorksUnmodified() throws IOException, InterruptedException {
        assertTrue(Files.isExecutable(PYTHON),
                "the OpenAI Python SDK is not installed: run './vane test' (it creates server/src/test/python/.venv)");
        TestServer s = TestServer.shared();
        Process p = new ProcessBuilder(PYTHON.toAbsolutePath().toString(), "sdk_check.py",
                "http://127.0.0.1:" + s.server.port() + "/v1", s.modelId)
                .directory(PYTHON_DIR.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the SDK check finished in time");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertThat(out).contains("openai-python").contains("all checks passed");
    }
}
