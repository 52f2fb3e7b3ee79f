package dev.vane.server;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

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
    void rejectsBadValuesNamingTheFlag() {
        assertThatThrownBy(() -> ServerSettings.parse(new String[] {"--queue-limit", "-1"}, Map.of())).hasMessageContaining("queue-limit");
        assertThatThrownBy(() -> ServerSettings.parse(new String[] {"--prefill-chunk", "0"}, Map.of())).hasMessageContaining("prefill-chunk");
        assertThatThrownBy(() -> ServerSettings.parse(new String[0], Map.of("VANE_MAX_BODY_BYTES", "lots")))
                .hasMessageContaining("max-body-bytes");
        assertThatThrownBy(() -> ServerSettings.parse(new String[] {"--queue", "1"}, Map.of())).hasMessageContaining("--queue");
    }
}
