package dev.vane.server;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ServerSettingsTest {

    @Test
    void flagsOverEnvironmentOverDefaults() {
        ServerSettings d = ServerSettings.parse(new String[0], Map.of());
        assertEquals(ServerSettings.DEFAULT_MODEL, d.model());
        assertEquals(64, d.queueLimit());
        assertEquals(256, d.prefillChunk());
        assertEquals(1 << 20, d.maxBodyBytes());
        ServerSettings s = ServerSettings.parse(new String[] {"--queue-limit", "3", "--model", "m"},
                Map.of("VANE_QUEUE_LIMIT", "9", "VANE_PREFILL_CHUNK", "32", "VANE_MAX_BODY_BYTES", "4096"));
        assertEquals(Path.of("m"), s.model());
        assertEquals(3, s.queueLimit());
        assertEquals(32, s.prefillChunk());
        assertEquals(4096, s.maxBodyBytes());
    }

    @Test
    void theDefaultDtypeIsTheCheckpointsAndTheDefaultBackendIsChosenFromIt() {
        ServerSettings d = ServerSettings.parse(new String[0], Map.of());
        assertThat(d.dtype()).isEmpty();
        assertThat(d.backend()).isEqualTo(dev.vane.engine.model.Backend.Request.AUTO);
        ServerSettings s = ServerSettings.parse(new String[] {"--dtype", "f32", "--backend", "tensor"}, Map.of());
        assertThat(s.dtype()).contains(dev.vane.engine.model.ComputeDType.F32);
        assertThat(s.backend()).isEqualTo(dev.vane.engine.model.Backend.Request.TENSOR);
        assertThatThrownBy(() -> ServerSettings.parse(new String[] {"--backend", "gpu"}, Map.of())).hasMessageContaining("backend");
        assertThatThrownBy(() -> ServerSettings.parse(new String[] {"--dtype", "f8"}, Map.of())).hasMessageContaining("dtype");
    }

    @Test
    void yamlSectionSitsUnderEnvironmentAndFlags(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path yaml = tmp.resolve("application.yaml");
        java.nio.file.Files.writeString(yaml, "vane:\n  port: 9090\n  slots: 3\n  queue-limit: 5\n  dtype: f16\n");
        Map<String, String> values = ServerSettings.yaml(yaml);
        ServerSettings s = ServerSettings.parse(new String[] {"--slots", "2"}, Map.of("VANE_QUEUE_LIMIT", "7"), values);
        assertEquals(9090, s.port());
        assertEquals(2, s.slots());
        assertEquals(7, s.queueLimit());
        assertEquals(java.util.Optional.of(dev.vane.engine.model.ComputeDType.F16), s.dtype());
        assertEquals(Map.of(), ServerSettings.yaml(tmp.resolve("absent.yaml")));
        java.nio.file.Files.writeString(yaml, "vane:\n  prot: 1\n");
        assertThatThrownBy(() -> ServerSettings.yaml(yaml)).hasMessageContaining("vane.prot");
    }

    @Test
    void theAdminApiIsOffWithoutATokenAndItsTokenNeverPrints() {
        ServerSettings d = ServerSettings.parse(new String[0], Map.of());
        assertThat(d.admin().token()).isEmpty();
        assertEquals(8081, d.admin().port());
        ServerSettings e = ServerSettings.parse(new String[] {"--admin-port", "9001"},
                Map.of("VANE_ADMIN_TOKEN", "s3cret-s3cret-s3cret", "VANE_ARTIFACTS", "/tmp/reg", "VANE_PROFILES", "/tmp/p.json"));
        assertThat(e.admin().token()).contains("s3cret-s3cret-s3cret");
        assertEquals(9001, e.admin().port());
        assertEquals(Path.of("/tmp/reg"), e.admin().artifacts());
        assertThat(e.admin().profiles()).contains(Path.of("/tmp/p.json"));
        assertThat(e.toString()).doesNotContain("s3cret");
        assertThatThrownBy(() -> ServerSettings.parse(new String[0], Map.of("VANE_ADMIN_TOKEN", "short")))
                .hasMessageContaining("admin-token");
    }

    @Test
    void rejectsBadValuesNamingTheFlag() {
        assertThatThrownBy(() -> ServerSettings.parse(new String[] {"--queue-limit", "-1"}, Map.of())).hasMessageContaining("queue-limit");
        assertThatThrownBy(() -> ServerSettings.parse(new String[] {"--prefill-chunk", "0"}, Map.of())).hasMessageContaining("prefill-chunk");
        assertThatThrownBy(() -> ServerSettings.parse(new String[0], Map.of("VANE_MAX_BODY_BYTES", "lots")))
                .hasMessageContaining("max-body-bytes");
        assertThatThrownBy(() -> ServerSettings.parse(new String[] {"--queue", "1"}, Map.of())).hasMessageContaining("--queue");
    }

    @Test
    void theAccessLogIsASwitchThatIsOffByDefault(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        assertThat(ServerSettings.parse(new String[0], Map.of()).accessLog()).isFalse();
        assertThat(ServerSettings.parse(new String[] {"--access-log"}, Map.of()).accessLog()).isTrue();
        ServerSettings s = ServerSettings.parse(new String[] {"--access-log", "--port", "9000"}, Map.of());
        assertThat(s.accessLog()).isTrue();
        assertEquals(9000, s.port());
        assertThat(ServerSettings.parse(new String[] {"--access-log", "false"}, Map.of("VANE_ACCESS_LOG", "true")).accessLog())
                .isFalse();
        assertThat(ServerSettings.parse(new String[0], Map.of("VANE_ACCESS_LOG", "true")).accessLog()).isTrue();
        Path yaml = tmp.resolve("application.yaml");
        java.nio.file.Files.writeString(yaml, "vane:\n  access-log: true\n");
        assertThat(ServerSettings.parse(new String[0], Map.of(), ServerSettings.yaml(yaml)).accessLog()).isTrue();
        assertThatThrownBy(() -> ServerSettings.parse(new String[0], Map.of("VANE_ACCESS_LOG", "yes")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("access-log");
    }
}
