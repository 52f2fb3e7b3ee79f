package dev.vane.steering.artifact;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The registry's storage failed: the disk is full, the file system is read-only or refuses
 * access, or another I/O error. Not the caller's fault, so a transport answers it as its own
 * failure (HTTP 507 for {@link Kind#FULL}, 503 otherwise) rather than as bad input. The message
 * names the path and the operating system's reason, for the operator's log; {@link #kind()} is
 * what a client may be told.
 */
public final class StorageException extends RuntimeException {

    /** What went wrong with the storage. */
    public enum Kind {
        /** No space left on the device, or a disk quota reached. */
        FULL,
        /** A read-only file system, or permissions that forbid the write. */
        READ_ONLY,
        /** Any other I/O failure. */
        FAILED
    }

    private final Kind kind;

    public StorageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() { return kind; }

    /**
     * Classifies an I/O failure by the operating system's reason (ENOSPC, EDQUOT, EROFS, EACCES
     * as the JDK reports them), looking through wrapped causes.
     *
     * @param action what was being done, e.g. {@code "saving artifact 'x'"}
     */
    public static StorageException of(String action, Path where, IOException e) {
        return new StorageException(classify(e), action + ": " + where + ": " + describe(e), e);
    }

    static Kind classify(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AccessDeniedException) return Kind.READ_ONLY;
            String reason = t instanceof FileSystemException f && f.getReason() != null ? f.getReason() : t.getMessage();
            String r = reason == null ? "" : reason.toLowerCase(Locale.ROOT);
            if (r.contains("no space left") || r.contains("disk quota exceeded") || r.contains("not enough space"))
                return Kind.FULL;
            if (r.contains("read-only file system") || r.contains("permission denied")) return Kind.READ_ONLY;
        }
        return Kind.FAILED;
    }

    private static String describe(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
