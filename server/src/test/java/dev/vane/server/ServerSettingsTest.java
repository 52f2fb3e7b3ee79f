package dev.vane.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The layers under the command line's flags: environment over the YAML file over the defaults (flags: cli's ServeCommandTest). */
class ServerSettingsTest {

    @Test
    void theDefaultDtypeIsTheCheckpointsAndTheDefaultBackendIsChosenFromIt() {
        ServerSettings d = ServerSettings.configured(Map.of(), Map.of());
        assertThat(d.dtype()).isEmpty();
        assertThat(d.backend()).isEqualTo(dev.vane.engine.model.Backend.Request.AUTO);
        assertThat(d.accessLog()).isFalse();
        ServerSettings s = ServerSettings.configured(Map.of("VANE_DTYPE", "f32", "VANE_BACKEND", "tensor", "VANE_ACCESS_LOG", "true"), Map.of());
        assertThat(s.dtype()).contains(dev.vane.engine.model.ComputeDType.F32);
        assertThat(s.backend()).isEqualTo(dev.vane.engine.model.Backend.Request.TENSOR);
        assertThat(s.accessLog()).isTrue();
        assertThatThrownBy(() -> ServerSettings.configured(Map.of("VANE_BACKEND", "gpu"), Map.of())).hasMessageContaining("backend");
        assertThatThrownBy(() -> ServerSettings.dtype("f8")).hasMessageContaining("dtype");
    }

    @Test
    void environmentOverYamlOverDefaults(@TempDir Path tmp) throws Exception {
        Path yaml = tmp.resolve("application.yaml");
        Files.writeString(yaml, "vane:\n  port: 9090\n  queue-limit: 5\n  dtype: f16\n");
        Map<String, String> values = ServerSettings.yaml(yaml);
        Map<String, String> env = Map.of("VANE_QUEUE_LIMIT", "7", "VANE_ADMIN_TOKEN", "t");
        assertEquals(new ServerSettings.Configured("7", "VANE_QUEUE_LIMIT"), ServerSettings.configured("queue-limit", env, values).orElseThrow());
        assertEquals(new ServerSettings.Configured("9090", "vane.port"), ServerSettings.configured("port", env, values).orElseThrow());
        assertEquals(new ServerSettings.Configured("8", "default"), ServerSettings.configured("slots", env, values).orElseThrow());
        assertEquals(Optional.of(new ServerSettings.Configured("t", "VANE_ADMIN_TOKEN")), ServerSettings.configured("admin-token", env, values));
        assertThat(ServerSettings.configured("profiles", env, values)).isEmpty();
        assertThatThrownBy(() -> ServerSettings.configured("prot", env, values)).hasMessageContaining("prot");
    }

    @Test
    void everySettingButTheTokensAndProfilesHasADefault() {
        assertThat(ServerSettings.defaultValues().keySet()).containsExactlyInAnyOrderElementsOf(
                ServerSettings.NAMES.stream().filter(n -> !n.equals("admin-token") && !n.equals("api-key") && !n.equals("profiles")).toList());
        ServerSettings d = ServerSettings.defaults(ServerSettings.DEFAULT_MODEL);
        assertEquals("1048576", ServerSettings.defaultValues().get("max-body-bytes"));
        assertEquals(String.valueOf(d.threads()), ServerSettings.defaultValues().get("threads"));
        assertEquals("auto", ServerSettings.defaultValues().get("dtype"));
        assertEquals("auto", ServerSettings.defaultValues().get("backend"));
        assertEquals("false", ServerSettings.defaultValues().get("access-log"));
    }

    @Test
    void theRequestTimeoutIsWholeSecondsZeroForNone(@TempDir Path tmp) throws Exception {
        assertThat(ServerSettings.configured(Map.of(), Map.of()).requestTimeout()).isEmpty();
        assertEquals("0", ServerSettings.defaultValues().get("request-timeout"));
        assertThat(ServerSettings.configured(Map.of("VANE_REQUEST_TIMEOUT", "90"), Map.of()).requestTimeout())
                .contains(java.time.Duration.ofSeconds(90));
        Path yaml = tmp.resolve("application.yaml");
        Files.writeString(yaml, "vane:\n  request-timeout: 30\n");
        assertThat(ServerSettings.configured(Map.of(), ServerSettings.yaml(yaml)).requestTimeout())
                .contains(java.time.Duration.ofSeconds(30));
        assertThat(ServerSettings.configured(Map.of("VANE_REQUEST_TIMEOUT", "0"), ServerSettings.yaml(yaml)).requestTimeout()).isEmpty();
        assertThatThrownBy(() -> ServerSettings.configured(Map.of("VANE_REQUEST_TIMEOUT", "-5"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("request-timeout");
        assertThatThrownBy(() -> ServerSettings.configured(Map.of("VANE_REQUEST_TIMEOUT", "soon"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("request-timeout");
    }

    @Test
    void aRequestMayShortenTheServersDeadlineButNotLengthenIt() {
        java.time.Duration server = java.time.Duration.ofSeconds(60);
        ServerContext capped = new ServerContext(null, "m", null, 1, 1, null, Optional.of(server), ConnectionWatch.system(),
                dev.vane.engine.generate.GenerationDefaults.NONE, null);
        ServerContext open = new ServerContext(null, "m", null, 1, 1, null, Optional.empty(), ConnectionWatch.system(),
                dev.vane.engine.generate.GenerationDefaults.NONE, null);
        VaneOptions none = VaneOptions.NONE;
        VaneOptions shorter = new VaneOptions(dev.vane.steering.control.ProfileChoice.DEFAULT, java.util.List.of(), dev.vane.steering.control.SkipChoice.DEFAULT, BeaconRequest.OFF, AttentionRequest.NONE, false,
                Optional.of(java.time.Duration.ofSeconds(5)));
        VaneOptions longer = new VaneOptions(dev.vane.steering.control.ProfileChoice.DEFAULT, java.util.List.of(), dev.vane.steering.control.SkipChoice.DEFAULT, BeaconRequest.OFF, AttentionRequest.NONE, false,
                Optional.of(java.time.Duration.ofSeconds(600)));
        assertThat(capped.deadline(none)).contains(server);
        assertThat(capped.deadline(shorter)).contains(java.time.Duration.ofSeconds(5));
        assertThat(capped.deadline(longer)).contains(server);
        assertThat(open.deadline(none)).isEmpty();
        assertThat(open.deadline(longer)).contains(java.time.Duration.ofSeconds(600));
    }

    @Test
    void theAccessLogIsOffByDefaultAndSwitchedOnByTheEnvironmentOrTheFile(@TempDir Path tmp) throws Exception {
        assertThat(ServerSettings.configured(Map.of(), Map.of()).accessLog()).isFalse();
        assertThat(ServerSettings.configured(Map.of("VANE_ACCESS_LOG", "true"), Map.of()).accessLog()).isTrue();
        Path yaml = tmp.resolve("application.yaml");
        Files.writeString(yaml, "vane:\n  access-log: true\n");
        assertThat(ServerSettings.configured(Map.of(), ServerSettings.yaml(yaml)).accessLog()).isTrue();
        assertThat(ServerSettings.configured(Map.of("VANE_ACCESS_LOG", "false"), ServerSettings.yaml(yaml)).accessLog()).isFalse();
        assertThatThrownBy(() -> ServerSettings.configured(Map.of("VANE_ACCESS_LOG", "yes"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("access-log");
    }
}
