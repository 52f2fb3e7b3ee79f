package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.InterventionSpec.ControllerMode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JSON form of interventions: controller modes and defaults, and every number's range, named by its path. */
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
    private static ApiError refused(String json) {
        try {
            InterventionJson.readList(List.of(JSON.readTree(json)), "vane.interventions");
        } catch (ApiError e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("accepted: " + json);
    }

    @Test
    void everyStrengthHasAFiniteRangeAndAnOutOfRangeOneIsNamedByItsPath() throws Exception {
        String v = "{\"kind\":\"vector\",\"artifact\":\"v\",\"scale\":";
        for (String bad : new String[] {"1e300", "1e400", "-1e400", "1000.5", "-1001"}) {
            ApiError e = refused(v + bad + "}");
            assertThat(e.param()).as(bad).isEqualTo("vane.interventions[0].scale");
            assertThat(e.getMessage()).contains("scale must be a number in [-1000, 1000]");
        }
        for (String ok : new String[] {"1000", "-1000", "0", "2.5"})
            assertThat(InterventionJson.readList(List.of(JSON.readTree(v + ok + "}")), "p")).hasSize(1);
        for (String kind : new String[] {"controller", "gact"}) {
            ApiError e = refused("{\"kind\":\"" + kind + "\",\"artifact\":\"a\",\"alpha\":1e41}");
            assertThat(e.param()).isEqualTo("vane.interventions[0].alpha");
            assertThat(e.getMessage()).contains("alpha must be a number in [-100, 100]");
            assertThat(InterventionJson.readList(List.of(JSON.readTree("{\"kind\":\"" + kind + "\",\"artifact\":\"a\",\"alpha\":-100}")),
                    "p")).hasSize(1);
        }
        Fields skip = Fields.of((com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(
                "{\"layer_skip\": {\"mode\": \"exit\", \"q\": 1e300}}")).object("layer_skip").orElseThrow();
        assertThatThrownBy(() -> InterventionJson.readSkipChoice(skip)).isInstanceOf(ApiError.class)
                .extracting(e -> ((ApiError) e).param()).isEqualTo("layer_skip.q");
        Fields bad = Fields.of((com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(
                "{\"layer_skip\": {\"mode\": \"fast\"}}")).object("layer_skip").orElseThrow();
        assertThatThrownBy(() -> InterventionJson.readSkipChoice(bad)).isInstanceOf(ApiError.class)
                .hasMessageContaining("must be off, trace, readout, exit or skip-set, got 'fast'")
                .extracting(e -> ((ApiError) e).param()).isEqualTo("layer_skip.mode");
        Fields off = Fields.of((com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(
                "{\"layer_skip\": {\"mode\": \"off\"}}")).object("layer_skip").orElseThrow();
        assertThat(InterventionJson.readSkipChoice(off)).isEqualTo(dev.vane.steering.control.SkipChoice.OFF);
        Fields offWithMore = Fields.of((com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(
                "{\"layer_skip\": {\"mode\": \"off\", \"alpha\": 2}}")).object("layer_skip").orElseThrow();
        assertThatThrownBy(() -> InterventionJson.readSkipChoice(offWithMore)).isInstanceOf(ApiError.class)
                .extracting(e -> ((ApiError) e).param()).isEqualTo("layer_skip.alpha");
    }
}
