package dev.vane.engine.constrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Schemas that would make the matcher loop forever or follow exponentially many readings are refused. */
class GrammarLimitsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode schema(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void aReferenceThatIsItsOwnValueIsRefusedNamingIt() throws Exception {
        assertThatThrownBy(() -> Grammar.jsonSchema(schema("{\"anyOf\": [{\"$ref\": \"#\"}, {\"type\": \"null\"}]}"), false))
                .isInstanceOfSatisfying(SchemaException.class, e -> assertThat(e.path()).endsWith("$ref"));
        assertThatThrownBy(() -> Grammar.jsonSchema(schema("{\"type\": \"object\", \"properties\": {\"x\": {\"anyOf\":"
                + " [{\"$ref\": \"#/properties/x\"}, {\"type\": \"integer\"}]}}}"), false))
                .isInstanceOf(SchemaException.class);
        // a recursion that reads a byte first is fine
        MatchState s = Grammar.jsonSchema(schema("{\"anyOf\": [{\"type\": \"array\", \"items\": {\"$ref\": \"#\"}}, {\"type\": \"null\"}]}"),
                false).initial();
        for (byte b : "[[null]]".getBytes()) s = s.next(b);
        assertThat(s.accepting()).isTrue();
    }

    @Test
    void overlappingAlternativesStopAtABoundedNumberOfReadings() throws Exception {
        Grammar g = Grammar.jsonSchema(schema("{\"anyOf\": [{\"type\": \"array\", \"items\": {\"$ref\": \"#\"}},"
                + " {\"type\": \"array\", \"maxItems\": 5, \"items\": {\"$ref\": \"#\"}}]}"), false);
        assertThatThrownBy(() -> {
            MatchState s = g.initial();
            for (int i = 0; i < 12; i++) s = s.next('[');
        }).isInstanceOf(AmbiguousGrammarException.class).hasMessageContaining("anyOf");
        // a few levels stay within the bound
        MatchState s = g.initial();
        for (int i = 0; i < 4; i++) s = s.next('[');
        assertThat(s).isNotNull();
    }
}
