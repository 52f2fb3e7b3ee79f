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
    void everySettingButTheTokenAndProfilesHasADefault() {
        assertThat(ServerSettings.defaultValues().keySet()).containsExactlyInAnyOrderElementsOf(
                ServerSettings.NAMES.stream().filter(n -> !n.equals("admin-token") && !n.equals("profiles")).toList());
        ServerSettings d = ServerSettings.defaults(ServerSettings.DEFAULT_MODEL);
        assertEquals("1048576", ServerSettings.defaultValues().get("max-body-bytes"));
        assertEquals(String.valueOf(d.threads()), ServerSettings.defaultValues().get("threads"));
        assertEquals("f32", ServerSettings.defaultValues().get("dtype"));
    }
}
