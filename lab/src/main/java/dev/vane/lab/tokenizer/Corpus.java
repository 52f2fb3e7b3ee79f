package dev.vane.lab.tokenizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/** Training text from files: each file is one text, read as strict UTF-8 when iterated. */
public final class Corpus {
    private Corpus() {}

    /**
     * Resolves inputs to the list of files to read: a file stands for itself (whatever its name), a
     * directory for every regular {@code *.txt} file below it, sorted by path; inputs keep their order.
     *
     * @throws TokenizerTrainingException if an input does not exist or a directory holds no {@code *.txt} file
     */
    public static List<Path> files(List<Path> inputs) {
        List<Path> files = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isRegularFile(in)) {
                files.add(in);
            } else if (Files.isDirectory(in)) {
                List<Path> found;
                try (Stream<Path> walk = Files.walk(in)) {
                    found = walk.filter(p -> p.getFileName().toString().endsWith(".txt") && Files.isRegularFile(p))
                            .sorted()
                            .toList();
                } catch (IOException | java.io.UncheckedIOException e) {
                    throw new TokenizerTrainingException("Cannot list input directory " + in + ": " + e.getMessage(), e);
                }
                if (found.isEmpty()) {
                    throw new TokenizerTrainingException("No *.txt files under input directory " + in);
                }
                files.addAll(found);
            } else if (Files.exists(in)) {
                throw new TokenizerTrainingException("Input is neither a file nor a directory: " + in);
            } else {
                throw new TokenizerTrainingException("Input not found: " + in);
            }
        }
        return List.copyOf(files);
    }

    /**
     * @return the files' contents, one text per file, read lazily in order
     * @throws TokenizerTrainingException (from the iterator) if a file cannot be read or is not valid UTF-8
     */
    public static Iterable<String> texts(List<Path> files) {
        List<Path> copy = List.copyOf(files);
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < copy.size();
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return read(copy.get(next++));
            }
        };
    }

    /** @return the file's text, a leading byte-order mark removed */
    static String read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TokenizerTrainingException("Input not found: " + file, e);
        } catch (IOException e) {
            throw new TokenizerTrainingException("Cannot read " + file + ": " + e, e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new TokenizerTrainingException("Not valid UTF-8: " + file + " (" + e.getMessage() + ")", e);
        }
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }
}
