package dev.vane.cli;

import dev.vane.server.ServerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code vane serve}'s settings: flags (picocli) over {@code VANE_*} environment variables over the
 * {@code vane:} section of the settings file over the built-in defaults.
 */
class ServeCommandTest {

    @TempDir
    Path tmp;

    /** The settings {@code vane serve ARGS} would start with, in {@code env} and with the settings file {@code config}. */
    private static ServerSettings settings(Map<String, String> env, Path config, String... args) {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        CommandLine cl = Cli.commandLine(new Context(sink, sink, env, config));
        String[] withServe = new String[args.length + 1];
        withServe[0] = "serve";
        System.arraycopy(args, 0, withServe, 1, args.length);
        CommandLine.ParseResult r = cl.parseArgs(withServe);
        return ((ServeCommand) r.subcommand().commandSpec().userObject()).settings();
    }

    private ServerSettings settings(Map<String, String> env, String... args) {
        return settings(env, tmp.resolve("absent.yaml"), args);
    }

    @Test
    void flagsOverEnvironmentOverDefaults() {
        ServerSettings d = settings(Map.of());
        assertEquals(ServerSettings.DEFAULT_MODEL, d.model());
        assertEquals(64, d.queueLimit());
        assertEquals(256, d.prefillChunk());
        assertEquals(1 << 20, d.maxBodyBytes());
        assertEquals(ServerSettings.defaults(ServerSettings.DEFAULT_MODEL), d);
        ServerSettings s = settings(Map.of("VANE_QUEUE_LIMIT", "9", "VANE_PREFILL_CHUNK", "32", "VANE_MAX_BODY_BYTES", "4096"),
                "--queue-limit", "3", "--model", "m");
        assertEquals(Path.of("m"), s.model());
        assertEquals(3, s.queueLimit());
        assertEquals(32, s.prefillChunk());
        assertEquals(4096, s.maxBodyBytes());
        assertEquals(5, settings(Map.of(), "--queue-limit=5").queueLimit());
    }

    @Test
    void yamlSectionSitsUnderEnvironmentAndFlags() throws Exception {
        Path yaml = tmp.resolve("application.yaml");
        Files.writeString(yaml, "vane:\n  port: 9090\n  slots: 3\n  queue-limit: 5\n  dtype: f16\n");
        ServerSettings s = settings(Map.of("VANE_QUEUE_LIMIT", "7"), yaml, "--slots", "2");
        assertEquals(9090, s.port());
        assertEquals(2, s.slots());
        assertEquals(7, s.queueLimit());
        assertEquals(java.util.Optional.of(dev.vane.engine.model.ComputeDType.F16), s.dtype());
        assertEquals(Map.of(), ServerSettings.yaml(tmp.resolve("absent.yaml")));
        Files.writeString(yaml, "vane:\n  prot: 1\n");
        assertThatThrownBy(() -> ServerSettings.yaml(yaml)).hasMessageContaining("vane.prot");
        assertThatThrownBy(() -> settings(Map.of(), yaml)).hasMessageContaining("vane.prot");
    }

    @Test
    void theAdminApiIsOffWithoutATokenAndItsTokenNeverPrints() {
        ServerSettings d = settings(Map.of());
        assertThat(d.admin().token()).isEmpty();
        assertEquals(8081, d.admin().port());
        ServerSettings e = settings(Map.of("VANE_ADMIN_TOKEN", "s3cret-s3cret-s3cret", "VANE_ARTIFACTS", "/tmp/reg",
                "VANE_PROFILES", "/tmp/p.json"), "--admin-port", "9001");
        assertThat(e.admin().token()).contains("s3cret-s3cret-s3cret");
        assertEquals(9001, e.admin().port());
        assertEquals(Path.of("/tmp/reg"), e.admin().artifacts());
        assertThat(e.admin().profiles()).contains(Path.of("/tmp/p.json"));
        assertThat(e.toString()).doesNotContain("s3cret");
        assertThatThrownBy(() -> settings(Map.of("VANE_ADMIN_TOKEN", "short"))).hasMessageContaining("admin-token");
        // nor does the help, which shows the other settings' values
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        int status = Cli.execute(new Context(ps, ps, Map.of("VANE_ADMIN_TOKEN", "s3cret-s3cret-s3cret", "VANE_PORT", "9123"),
                tmp.resolve("absent.yaml")), "serve", "--help");
        assertEquals(0, status);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--admin-token TOKEN", "(9123)").doesNotContain("s3cret");
    }

    @Test
    void dtypeBackendAndTheAccessLogSwitch() {
        ServerSettings d = settings(Map.of());
        assertThat(d.dtype()).isEmpty();
        assertThat(d.backend()).isEqualTo(dev.vane.engine.model.Backend.Request.AUTO);
        assertThat(d.accessLog()).isFalse();
        ServerSettings s = settings(Map.of(), "--dtype", "f16", "--backend=tensor", "--access-log", "--port", "9000");
        assertThat(s.dtype()).contains(dev.vane.engine.model.ComputeDType.F16);
        assertThat(s.backend()).isEqualTo(dev.vane.engine.model.Backend.Request.TENSOR);
        assertThat(s.accessLog()).isTrue();
        assertEquals(9000, s.port());
        assertThat(settings(Map.of("VANE_ACCESS_LOG", "true"), "--access-log", "false").accessLog()).isFalse();
        assertThat(settings(Map.of("VANE_ACCESS_LOG", "true")).accessLog()).isTrue();
        assertThatThrownBy(() -> settings(Map.of(), "--backend", "gpu")).hasMessageContaining("--backend");
        assertThatThrownBy(() -> settings(Map.of(), "--dtype", "f8")).hasMessageContaining("dtype");
    }

    @Test
    void theRequestTimeoutFlagOverTheEnvironment() {
        assertThat(settings(Map.of()).requestTimeout()).isEmpty();
        assertThat(settings(Map.of("VANE_REQUEST_TIMEOUT", "120")).requestTimeout()).contains(java.time.Duration.ofSeconds(120));
        assertThat(settings(Map.of("VANE_REQUEST_TIMEOUT", "120"), "--request-timeout", "15").requestTimeout())
                .contains(java.time.Duration.ofSeconds(15));
        assertThat(settings(Map.of("VANE_REQUEST_TIMEOUT", "120"), "--request-timeout=0").requestTimeout()).isEmpty();
        assertThatThrownBy(() -> settings(Map.of(), "--request-timeout", "-1")).hasMessageContaining("request-timeout");
        assertThatThrownBy(() -> settings(Map.of(), "--request-timeout", "soon")).hasMessageContaining("--request-timeout");
    }

    @Test
    void rejectsBadValuesNamingTheFlag() {
        assertThatThrownBy(() -> settings(Map.of(), "--queue-limit", "-1")).hasMessageContaining("queue-limit");
        assertThatThrownBy(() -> settings(Map.of(), "--prefill-chunk", "0")).hasMessageContaining("prefill-chunk");
        assertThatThrownBy(() -> settings(Map.of("VANE_MAX_BODY_BYTES", "lots"))).hasMessageContaining("max-body-bytes");
        assertThatThrownBy(() -> settings(Map.of(), "--queue", "1")).hasMessageContaining("--queue");
    }

    @Test
    void badSettingsAreUsageErrorsWithOneLineNamingTheFlagAndWhereItCameFrom() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
        Context env = new Context(ps, ps, Map.of("VANE_MAX_BODY_BYTES", "lots"), tmp.resolve("absent.yaml"));
        assertEquals(2, Cli.execute(env));
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("vane serve: --max-body-bytes: not a number: 'lots' (from VANE_MAX_BODY_BYTES)\n")
                .contains("usage: vane serve").doesNotContain("Exception");
        err.reset();
        Context clean = new Context(ps, ps, Map.of(), tmp.resolve("absent.yaml"));
        assertEquals(2, Cli.execute(clean, "--port", "http"));
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("vane serve: --port: not a number: 'http'\n");
        err.reset();
        assertEquals(2, Cli.execute(clean, "--model", tmp.resolve("none").toString()));
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("vane serve: --model: neither a checkpoint directory nor a .gguf file: ");
    }
    /** --slots 64 --context 65536 on the demo model with an f32 KV cache: 24 GiB, more than the tests' 8 GiB heap. */
    @Test
    void aKvCacheBeyondTheHeapIsAUsageErrorNamingTheFlagsAndTheNumbers() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
        Context clean = new Context(ps, ps, Map.of(), tmp.resolve("absent.yaml"));
        assertEquals(2, Cli.execute(clean, "serve", "--model", Path.of("..", "models", "demo").toString(), "--port", "0",
                "--slots", "64", "--context", "65536", "--kv-dtype", "f32"));
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("vane serve: --slots 64 × --context 65536: a KV cache of 64 slots × 65536 positions needs 24.0 GiB of Java heap, but ")
                .contains("lower --slots or --context").contains("usage: vane serve").doesNotContain("Exception");
        err.reset(); // the Java decoder's own f16 cache: half of that, still too large
        assertEquals(2, Cli.execute(clean, "serve", "--model", Path.of("..", "models", "demo").toString(), "--port", "0",
                "--slots", "64", "--context", "65536"));
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("needs 12.0 GiB of Java heap");
        err.reset();
        assertEquals(2, Cli.execute(clean, "serve", "--model", Path.of("..", "models", "demo").toString(), "--port", "0",
                "--kv-dtype", "f8"));
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("kv-dtype must be auto, f16 or f32, got 'f8'").doesNotContain("Exception");
    }
}
