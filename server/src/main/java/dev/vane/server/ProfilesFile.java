package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.steering.control.Profile;
import dev.vane.steering.control.SteeringControl;
import dev.vane.steering.plan.PlanException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Steering profiles defined in configuration ({@code --profiles FILE}): the same JSON as the
 * admin API, {@code {"profiles": [{"name", "interventions"}], "default_profile": name,
 * "enabled": bool}}, checked against the registry and the model at start; a bad file stops the
 * server with a message naming the file and field. A model's bundled file ({@link Mode#BUNDLED})
 * is read leniently instead: a profile whose artifacts do not resolve in this registry (a copy
 * that could not be installed, an artifact of that name kept from elsewhere) is left out with a
 * warning, and so is a default profile that names it.
 */
final class ProfilesFile {

    private ProfilesFile() {}

    private static final Set<String> KEYS = Set.of("profiles", "default_profile", "enabled");

    /** How a file's problems are taken: {@code --profiles} stops the start, a bundled file warns. */
    enum Mode { STRICT, BUNDLED }

    private static final System.Logger LOG = System.getLogger(ProfilesFile.class.getName());

    static void load(Path file, SteeringControl steering) {
        load(file, steering, Mode.STRICT);
    }

    static void load(Path file, SteeringControl steering, Mode mode) {
        String who = "config " + file;
        try {
            JsonNode root = JsonBody.JSON.readTree(Files.readAllBytes(file));
            if (root == null || !root.isObject()) throw ApiError.malformed("the file must hold a JSON object");
            Fields f = Fields.of((ObjectNode) root).allowOnly(KEYS);
            List<JsonNode> items = f.array("profiles").orElse(List.of());
            for (int i = 0; i < items.size(); i++) {
                String p = "profiles[" + i + "]";
                if (!items.get(i).isObject()) throw ApiError.invalid(p, p + " must be an object");
                Fields pf = new Fields((ObjectNode) items.get(i), p + ".").allowOnly(Set.of("name", "interventions", "description", "example"));
                pf.string("description"); // for people and vane try: a string when present
                pf.string("example");
                String name = pf.string("name").orElseThrow(() -> ApiError.invalid(pf.param("name"), pf.param("name") + " is required"));
                var specs = InterventionJson.readList(pf.array("interventions")
                        .orElseThrow(() -> ApiError.invalid(pf.param("interventions"), pf.param("interventions") + " is required")),
                        pf.param("interventions"));
                try {
                    steering.putProfile(new Profile(Profile.checkName(name), specs), who);
                } catch (PlanException e) {
                    if (mode == Mode.STRICT) throw ApiError.invalid(p + "." + e.field(), e.getMessage());
                    LOG.log(System.Logger.Level.WARNING, file + ": bundled profile " + name + " left out: " + e.getMessage());
                }
            }
            Optional<String> def = f.string("default_profile");
            boolean enabled = f.bool("enabled").orElse(true);
            try {
                steering.settings(new SteeringControl.Settings(enabled, def), who);
            } catch (PlanException e) {
                if (mode == Mode.STRICT) throw ApiError.invalid("default_profile", e.getMessage());
                LOG.log(System.Logger.Level.WARNING, file + ": bundled default profile left out: " + e.getMessage());
                steering.settings(new SteeringControl.Settings(enabled, Optional.empty()), who);
            }
        } catch (ApiError e) {
            throw new IllegalArgumentException(file + ": " + (e.param() == null ? "" : e.param() + ": ") + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read profiles: " + e.getMessage(), e);
        }
    }
}
