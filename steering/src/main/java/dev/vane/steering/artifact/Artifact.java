package dev.vane.steering.artifact;

import dev.vane.engine.weights.CheckpointException;
import dev.vane.engine.weights.FileDType;
import dev.vane.engine.weights.SafetensorsFile;
import dev.vane.engine.weights.SafetensorsWriter;
import dev.vane.engine.weights.TensorInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A manifest plus named f32 tensors, stored as a directory holding {@code manifest.json} and
 * {@code tensors.safetensors} (design.md §4). Use {@link ArtifactRegistry} to store artifacts
 * under a name; this class only converts between the record and the two files.
 */
public record Artifact(Manifest manifest, Map<String, FloatTensor> tensors) {

    public static final String MANIFEST = "manifest.json";
    public static final String TENSORS = "tensors.safetensors";

    public Artifact {
        if (manifest == null) throw new ArtifactException("artifact without a manifest");
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        for (String n : tensors.keySet())
            if (n.isEmpty() || n.equals("__metadata__"))
                throw new ArtifactException(manifest.name() + ": invalid tensor name '" + n + "'");
    }

    public String name() { return manifest.name(); }

    /** @throws ArtifactException naming the artifact and the tensor when it is absent */
    public FloatTensor tensor(String name) {
        FloatTensor t = tensors.get(name);
        if (t == null) throw new ArtifactException(manifest.name() + ": tensor '" + name + "' missing (has "
                + tensors.keySet() + ")");
        return t;
    }

    /** Bytes the two files will take, roughly (tensor data plus the manifest). */
    public long byteSize() {
        long n = manifest.toJsonString().length();
        for (FloatTensor t : tensors.values()) n += 4L * t.data().length;
        return n;
    }

    /**
     * Writes the two files into {@code dir} (created if needed). Not atomic: see the registry.
     *
     * @throws StorageException when a file cannot be written (disk full, read-only, I/O error)
     */
    public void write(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(MANIFEST), manifest.toJsonString(), StandardCharsets.UTF_8);
            try (SafetensorsWriter w = new SafetensorsWriter(dir.resolve(TENSORS))) {
                w.metadata("format", "vane-artifact").metadata("kind", manifest.kind().jsonName());
                tensors.forEach((n, t) -> w.declare(n, FileDType.F32, toLong(t.shape())));
                for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) w.write(e.getKey(), e.getValue().data());
            }
        } catch (IOException e) {
            throw StorageException.of("writing artifact '" + name() + "'", dir, e);
        }
    }

    /**
     * Reads an artifact directory.
     *
     * @param maxBytes the most bytes the two files may hold together (a guard for uploaded files)
     * @throws ArtifactException naming the file and field or tensor at fault
     */
    public static Artifact read(Path dir, long maxBytes) {
        Path mf = dir.resolve(MANIFEST), tf = dir.resolve(TENSORS);
        long size = size(mf) + size(tf);
        if (size > maxBytes)
            throw new ArtifactException(dir + ": artifact holds " + size + " bytes, more than the limit of " + maxBytes);
        Manifest manifest;
        try {
            manifest = Manifest.parse(Files.readString(mf, StandardCharsets.UTF_8), mf.toString());
        } catch (IOException e) {
            throw new ArtifactException(mf + ": cannot read: " + e.getMessage(), e);
        }
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(tf)) {
            for (TensorInfo info : f.tensors().values()) {
                if (info.dtype() != FileDType.F32)
                    throw new ArtifactException(tf + ": tensor '" + info.name() + "': dtype " + info.dtype().tag()
                            + ", artifacts hold F32");
                int[] shape = new int[info.shape().length];
                for (int i = 0; i < shape.length; i++) shape[i] = Math.toIntExact(info.shape()[i]);
                float[] data = new float[Math.toIntExact(info.elementCount())];
                f.map(info).asFloatBuffer().get(data);
                tensors.put(info.name(), new FloatTensor(shape, data));
            }
        } catch (CheckpointException e) {
            throw new ArtifactException(e.getMessage(), e);
        }
        return new Artifact(manifest, tensors);
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (NoSuchFileException e) {
            throw new ArtifactException(p + ": file not found");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long[] toLong(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = shape[i];
        return s;
    }
}
