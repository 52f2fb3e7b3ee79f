import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Fails the build when a test class never ran: every concrete class under TEST_CLASSES with a
 * JUnit Jupiter test method ({@code @Test}, {@code @ParameterizedTest}, {@code @RepeatedTest},
 * {@code @TestFactory}, {@code @TestTemplate}) must appear as a {@code classname} of a test case
 * in Surefire's (or, for integration tests, Failsafe's) reports. Surefire's default includes
 * leave out, silently, a static nested class (only {@code @Nested} inner classes run with their outer class) and a class whose name does
 * not end in {@code Test}, {@code Tests} or {@code TestCase}.
 *
 * <p>Run by Maven in the {@code verify} phase of every module (see the parent pom):
 * {@code java tools/CheckTestsRan.java TEST_CLASSES SUREFIRE_REPORTS FAILSAFE_REPORTS}.
 */
public class CheckTestsRan {

    private static final Set<String> TEST_ANNOTATIONS = Set.of(
            "Lorg/junit/jupiter/api/Test;",
            "Lorg/junit/jupiter/params/ParameterizedTest;",
            "Lorg/junit/jupiter/api/RepeatedTest;",
            "Lorg/junit/jupiter/api/TestFactory;",
            "Lorg/junit/jupiter/api/TestTemplate;");
    private static final int ACC_INTERFACE = 0x0200, ACC_ABSTRACT = 0x0400;
    private static final Pattern CLASSNAME = Pattern.compile("<testcase\\b[^>]*\\bclassname=\"([^\"]+)\"");

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: java tools/CheckTestsRan.java TEST_CLASSES_DIR REPORTS_DIR...");
            System.exit(2);
        }
        Path classes = Path.of(args[0]);
        if (!Files.isDirectory(classes)) return; // a module without tests
        Set<String> expected = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                ClassInfo c = ClassInfo.read(f);
                if (c.hasTestMethods() && (c.access() & (ACC_INTERFACE | ACC_ABSTRACT)) == 0) expected.add(c.name());
            }
        }
        Set<String> ran = new TreeSet<>();
        for (int a = 1; a < args.length; a++) { // Surefire's reports, and Failsafe's for *IT classes
            Path reports = Path.of(args[a]);
            if (!Files.isDirectory(reports)) continue;
            try (Stream<Path> files = Files.list(reports)) {
                for (Path f : files.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml")).toList()) {
                    Matcher m = CLASSNAME.matcher(Files.readString(f));
                    while (m.find()) ran.add(m.group(1));
                }
            }
        }
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(ran);
        if (missing.isEmpty()) {
            System.out.println("CheckTestsRan: all " + expected.size() + " test classes ran");
            return;
        }
        System.err.println("CheckTestsRan: test classes with test methods that never ran (reports in "
                + String.join(", ", List.of(args).subList(1, args.length)) + "):");
        for (String m : missing) System.err.println("  " + m);
        System.err.println("A nested class runs only as a non-static @Nested class; a class runs only when its name"
                + " ends in Test, Tests or TestCase.");
        System.exit(1);
    }

    /** What the check needs of a class file: its name, access flags and whether its constant pool names a test annotation. */
    record ClassInfo(String name, int access, boolean hasTestMethods) {

        static ClassInfo read(Path file) throws IOException {
            try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
                if (in.readInt() != 0xCAFEBABE) throw new IOException(file + ": not a class file");
                in.readUnsignedShort(); // minor
                in.readUnsignedShort(); // major
                int count = in.readUnsignedShort();
                String[] utf8 = new String[count];
                int[] classNameIndex = new int[count];
                boolean annotated = false;
                for (int i = 1; i < count; i++) {
                    int tag = in.readUnsignedByte();
                    switch (tag) {
                        case 1 -> {
                            utf8[i] = in.readUTF();
                            annotated |= TEST_ANNOTATIONS.contains(utf8[i]);
                        }
                        case 7 -> classNameIndex[i] = in.readUnsignedShort();
                        case 8, 16, 19, 20 -> in.readUnsignedShort();
                        case 15 -> { in.readUnsignedByte(); in.readUnsignedShort(); }
                        case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
                        case 5, 6 -> { in.readLong(); i++; } // 8-byte constants take two entries
                        default -> throw new IOException(file + ": unknown constant pool tag " + tag);
                    }
                }
                int access = in.readUnsignedShort();
                int thisClass = in.readUnsignedShort();
                return new ClassInfo(utf8[classNameIndex[thisClass]].replace('/', '.'), access, annotated);
            }
        }
    }
}
