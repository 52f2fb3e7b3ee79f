package dev.vane.cli;

import dev.vane.server.ServerSettings;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The values of {@code serve}'s flags that the command line does not give: {@code VANE_<FLAG>},
 * then the {@code vane:} section of the settings file, then the built-in default
 * ({@link ServerSettings#configured}). The file is read the first time a value is asked for.
 */
final class ServeDefaults implements IDefaultValueProvider {

    private final Map<String, String> env;
    private final Path config;
    private Map<String, String> yaml;
    private final Map<String, String> origins = new HashMap<>();

    ServeDefaults(Map<String, String> env, Path config) {
        this.env = env;
        this.config = config;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec o) || o.usageHelp()) return null;
        String name = o.longestName().substring(2);
        if (yaml == null) {
            try {
                yaml = ServerSettings.yaml(config);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(arg.command().commandLine(), e.getMessage());
            }
        }
        return ServerSettings.configured(name, env, yaml).map(c -> {
            origins.put(o.longestName(), c.origin());
            return c.value();
        }).orElse(null);
    }

    /** Where the value of a flag not on the command line came from, for error messages: {@code VANE_PORT}, ... */
    String origin(String flag) {
        return origins.getOrDefault(flag, "default");
    }
}
