package dev.vane.lab.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlagsTest {

    private static final Set<String> VALUED = Set.of("--data", "--target", "--prompts", "--alpha", "--header", "--name");

    private static Flags parse(String... args) {
        return Flags.parse(List.of(args), VALUED, Set.of("--chat"));
    }

    @Test
    void readsValuesSwitchesAndRepeats() {
        Flags f = parse("--data", "d", "--target", "a", "--chat", "--target", "b", "--prompts", "7", "--header", "true");
        assertThat(f.path("--data")).isEqualTo(Path.of("d"));
        assertThat(f.all("--target")).containsExactly("a", "b");
        assertThat(f.on("--chat")).isTrue();
        assertThat(f.atLeast("--prompts", 40, 1)).isEqualTo(7);
        assertThat(f.atLeast("--alpha", 3, 1)).isEqualTo(3);
        assertThat(f.bool("--header", false)).isTrue();
        assertThat(f.opt("--name")).isEmpty();
        assertThat(f.get("--name")).isNull();
        assertThat(f.path("--name", "models/demo")).isEqualTo(Path.of("models/demo"));
    }

    @Test
    void everyErrorNamesTheFlag() {
        assertThatThrownBy(() -> parse("--outt", "x")).hasMessageContaining("unknown flag '--outt'").hasMessageContaining("--data");
        assertThatThrownBy(() -> parse("--data")).hasMessage("--data: missing value");
        assertThatThrownBy(() -> parse("stray")).hasMessageContaining("unexpected argument 'stray'");
        assertThatThrownBy(() -> parse("--target", "a", "--target", "b").require("--target")).hasMessage("--target: given 2 times");
        assertThatThrownBy(() -> parse().require("--data")).hasMessage("--data: required");
        assertThatThrownBy(() -> Flags.parse(List.of("--data", "d"), VALUED, Set.of(), List.of("--data", "--name")))
                .hasMessage("--name: required");
        assertThatThrownBy(() -> parse("--prompts", "0").atLeast("--prompts", 40, 1)).hasMessage("--prompts: must be >= 1, got 0");
        assertThatThrownBy(() -> parse("--prompts", "many").atLeast("--prompts", 40, 1)).hasMessage("--prompts: not a number: 'many'");
        assertThatThrownBy(() -> parse("--alpha", "NaN").number("--alpha", 4)).hasMessageContaining("--alpha: must be a finite number");
        assertThatThrownBy(() -> parse("--alpha", "1.5").fraction("--alpha", 0.5)).hasMessageContaining("--alpha: must be in (0, 1)");
        assertThatThrownBy(() -> parse("--header", "yes").bool("--header", false)).hasMessageContaining("--header: must be true or false");
        assertThatThrownBy(() -> parse("--name", "../x").name()).hasMessageContaining("--name");
    }
}
