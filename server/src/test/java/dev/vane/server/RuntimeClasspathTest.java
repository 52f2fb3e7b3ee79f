package dev.vane.server;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server's runtime class path, as the build resolves it ({@code target/runtime-classpath.txt},
 * written by the dependency plugin from the runtime scope): libraries the server runs on, and no
 * test framework, test helper or client SDK.
 */
class RuntimeClasspathTest {

    /** The runtime class path entries, from the file the build writes before the tests run. */
    static List<Path> runtimeClasspath() throws IOException {
        Path file = Path.of("target", "runtime-classpath.txt");
        assertThat(file).as("written by the build (maven-dependency-plugin build-classpath)").exists();
        return Arrays.stream(Files.readString(file).trim().split(File.pathSeparator)).map(Path::of).toList();
    }

    @Test
    void holdsRuntimeLibrariesOnly() throws IOException {
        List<String> names = runtimeClasspath().stream().map(p -> p.getFileName().toString()).toList();
        assertThat(names).isNotEmpty()
                .anyMatch(n -> n.startsWith("helidon-webserver-4"))
                .anyMatch(n -> n.startsWith("micrometer-registry-prometheus"))
                // the SLF4J provider that sends DJL's and Micrometer's logging to the JDK logger
                .anyMatch(n -> n.startsWith("slf4j-jdk14"))
                .anyMatch(n -> n.startsWith("helidon-logging-jul"));
        for (String forbidden : List.of("junit", "assertj", "opentest4j", "apiguardian", "byte-buddy", "mockito",
                "openai", "okhttp", "kotlin"))
            assertThat(names).as(forbidden).noneMatch(n -> n.contains(forbidden));
        assertThat(names).as("test jars").noneMatch(n -> n.endsWith("-tests.jar") || n.equals("test-classes"));
    }
}
