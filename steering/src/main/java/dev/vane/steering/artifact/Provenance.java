package dev.vane.steering.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * How an artifact was made, so a number in a report can be traced back to the exact command and
 * data: the command line, the SHA-256 of the input dataset (or imported file), the creation time
 * and the Vane version.
 */
public record Provenance(String command, String datasetSha256, Instant created, String vaneVersion) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public Provenance {
        if (command == null || command.isBlank()) throw new ArtifactException("provenance.command: missing");
        if (datasetSha256 == null || !SHA256.matcher(datasetSha256).matches())
            throw new ArtifactException("provenance.dataset_sha256: expected 64 lower-case hex digits, got '"
                    + datasetSha256 + "'");
        if (created == null) throw new ArtifactException("provenance.created: missing");
        if (vaneVersion == null || vaneVersion.isBlank()) throw new ArtifactException("provenance.vane_version: missing");
        created = created.truncatedTo(ChronoUnit.SECONDS);
    }

    /** Provenance stamped now with this build's version. */
    public static Provenance now(String command, String datasetSha256) {
        return new Provenance(command, datasetSha256, Instant.now(), VERSION);
    }

    /** This build's version, from the Maven project version. */
    public static final String VERSION = readVersion();

    private static String readVersion() {
        try (InputStream in = Provenance.class.getResourceAsStream("vane-version.properties")) {
            if (in == null) throw new IllegalStateException("vane-version.properties missing from the steering jar");
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lower-case hex SHA-256 of a file's bytes. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read for hashing: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
