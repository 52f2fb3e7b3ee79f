package dev.vane.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Compares ChatTemplate output with golden renders made by Python jinja2 exactly as HF transformers
 * renders chat templates (see src/test/resources/tokenizers/render_golden.py, which wrote the files).
 */
class ChatTemplateGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> llama3() throws IOException {
        return fromModel("llama3");
    }

    @TestFactory
    Stream<DynamicTest> qwen3() throws IOException {
        return fromModel("qwen3");
    }

    @TestFactory
    Stream<DynamicTest> synthetic() throws IOException {
        JsonNode golden = read(TestResources.dir("tokenizers").resolve("synthetic_golden.json"));
        Clock clock = fixedClock(golden);
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : golden.get("cases")) {
            ChatTemplate t = ChatTemplate.compile(c.get("template").asText()).withClock(clock);
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> check(t, c)));
        }
        return tests.stream();
    }

    private Stream<DynamicTest> fromModel(String model) throws IOException {
        Path dir = TestResources.dir("tokenizers/" + model);
        JsonNode golden = read(dir.resolve("chat_template_golden.json"));
        JsonNode config = read(dir.resolve("tokenizer_config.json"));
        @SuppressWarnings("unchecked")
        Map<String, Object> specials = JSON.convertValue(golden.get("special_tokens"), LinkedHashMap.class);
        ChatTemplate t = ChatTemplate.compile(config.get("chat_template").asText(), specials)
                .withClock(fixedClock(golden));
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : golden.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> check(t, c)));
        }
        return tests.stream();
    }

    @SuppressWarnings("unchecked")
    private static void check(ChatTemplate t, JsonNode c) {
        List<Map<String, Object>> messages = JSON.convertValue(c.get("messages"), List.class);
        Map<String, Object> extra = JSON.convertValue(c.get("extra"), LinkedHashMap.class);
        boolean gen = c.get("add_generation_prompt").asBoolean();
        if (c.has("expected_error")) {
            ChatTemplateException e = assertThrows(ChatTemplateException.class,
                    () -> t.renderMessages(messages, gen, extra));
            assertEquals(c.get("expected_error").asText(), e.getMessage());
        } else {
            assertEquals(c.get("expected").asText(), t.renderMessages(messages, gen, extra));
        }
    }

    private static Clock fixedClock(JsonNode golden) {
        LocalDateTime now = LocalDateTime.parse(golden.get("fixed_now").asText());
        return Clock.fixed(now.toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
    }

    private static JsonNode read(Path p) throws IOException {
        return JSON.readTree(Files.readString(p));
    }
}
