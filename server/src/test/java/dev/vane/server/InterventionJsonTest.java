package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.InterventionSpec.ControllerMode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The controller's JSON form: every mode by name, its squash default, and a bad mode named by its path. */
class InterventionJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static InterventionSpec.Controller controller(String json) throws Exception {
        JsonNode n = JSON.readTree(json);
        return (InterventionSpec.Controller) InterventionJson.readList(List.of(n), "vane.interventions").get(0);
    }

    @Test
    void controllerModesAndTheirSquashDefault() throws Exception {
        assertThat(controller("{\"kind\":\"controller\",\"artifact\":\"r\"}").mode()).isEqualTo(ControllerMode.PAPER);
        InterventionSpec.Controller prompt = controller("{\"kind\":\"controller\",\"artifact\":\"r\",\"mode\":\"prompt\",\"alpha\":1}");
        assertThat(prompt.mode()).isEqualTo(ControllerMode.PROMPT);
        assertThat(prompt.squash()).isTrue();
        // profiles are written back in the same form
        assertThat(InterventionJson.readList(List.of(InterventionJson.write(prompt)), "p").get(0)).isEqualTo(prompt);
        assertThat(controller("{\"kind\":\"controller\",\"artifact\":\"r\",\"mode\":\"code\"}").squash()).isFalse();
        assertThatThrownBy(() -> controller("{\"kind\":\"controller\",\"artifact\":\"r\",\"mode\":\"fast\"}"))
                .isInstanceOf(ApiError.class)
                .hasMessageContaining("mode must be code, paper or prompt")
                .extracting(e -> ((ApiError) e).param()).isEqualTo("vane.interventions[0].mode");
    }
}
