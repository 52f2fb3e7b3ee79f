package dev.vane.steering;

import java.nio.file.Files;
import java.nio.file.Path;

/** The bundled demo model directory ({@code models/demo} at the repository root), for tests on a real model. */
public final class DemoModelDir {

    private DemoModelDir() {}

    public static Path path() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("models/demo"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("models/demo not found above " + Path.of("").toAbsolutePath());
        return p.resolve("models/demo");
    }
}
