package dev.sfd.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CLI stays thin: every picocli command's {@code call()} (src/main/java/dev/sfd/bench/cli/*Command.java) is at most
 * {@value #MAX_LINES} lines, counted from the line that declares it to the line of its closing brace. Logic belongs in
 * the library; printing and writing in well-named private methods.
 */
class ThinCommandsTest {
    static final int MAX_LINES = 60;
    static final Pattern CALL = Pattern.compile("\\bcall\\s*\\(\\s*\\)[^{;]*\\{");

    static Path cliSources() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            for (Path c : List.of(p.resolve("src/main/java/dev/sfd/bench/cli"), p.resolve("sfd-bench/src/main/java/dev/sfd/bench/cli"))) {
                if (Files.isDirectory(c)) return c;
            }
        }
        throw new IllegalStateException("no sfd-bench CLI sources above " + Path.of("").toAbsolutePath());
    }

    /**
     * {@code source} with comments, string, text-block and character literals blanked (newlines kept), so that braces in
     * them are not counted.
     */
    static String code(String source) {
        StringBuilder b = new StringBuilder(source.length());
        int i = 0, n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            String end = null;
            if (source.startsWith("//", i)) end = "\n";
            else if (source.startsWith("/*", i)) end = "*/";
            else if (source.startsWith("\"\"\"", i)) end = "\"\"\"";
            else if (c == '"') end = "\"";
            else if (c == '\'') end = "'";
            if (end == null) {
                b.append(c);
                i++;
                continue;
            }
            int start = i;
            i += end.equals("\"\"\"") ? 3 : end.equals("*/") || end.equals("\n") ? 2 : 1;
            while (i < n && !source.startsWith(end, i)) i += source.charAt(i) == '\\' && !end.equals("\n") && !end.equals("*/") ? 2 : 1;
            i = Math.min(n, i + (end.equals("\n") ? 0 : end.length()));
            for (int k = start; k < i; k++) b.append(source.charAt(k) == '\n' ? '\n' : ' ');
        }
        return b.toString();
    }

    /** Lines of the {@code call()} method in {@code source}, declaration to closing brace; -1 when there is none. */
    static int callLines(String source) {
        String code = code(source);
        Matcher m = CALL.matcher(code);
        if (!m.find()) return -1;
        int depth = 0;
        for (int i = m.end() - 1; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return lineOf(code, i) - lineOf(code, m.start()) + 1;
        }
        throw new IllegalStateException("call() has no closing brace");
    }

    private static int lineOf(String s, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) if (s.charAt(i) == '\n') line++;
        return line;
    }

    @Test
    void everyCommandsCallIsAtMostSixtyLines() throws IOException {
        Map<String, Integer> lines = new TreeMap<>();
        try (Stream<Path> files = Files.list(cliSources())) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith("Command.java")).toList()) {
                lines.put(f.getFileName().toString().replace(".java", ""), callLines(Files.readString(f)));
            }
        }
        assertTrue(lines.size() >= 10, "found only " + lines.keySet());
        List<String> tooLong = new ArrayList<>();
        for (Map.Entry<String, Integer> e : lines.entrySet()) {
            if (e.getValue() < 0) tooLong.add(e.getKey() + ": no call()");
            else if (e.getValue() > MAX_LINES) tooLong.add(e.getKey() + ".call() has " + e.getValue() + " lines");
        }
        assertEquals(List.of(), tooLong, "at most " + MAX_LINES + " lines per call(): move logic into the library, printing and writing "
                + "into private methods");
    }

    @Test
    void theCounterSkipsBracesInCommentsAndLiterals() {
        String src = String.join("\n",
                "class X {",
                "    @Override",
                "    public Integer call() throws IOException {",
                "        String s = \"}}} \\\" }\"; // } in a comment",
                "        char c = '}'; /* } */",
                "        if (true) {",
                "            return 1;",
                "        }",
                "        return 0;",
                "    }",
                "    void other() { }",
                "}");
        assertEquals(8, callLines(src));
        assertEquals(-1, callLines("class Y { void run() { } }"));
        assertEquals(4, callLines("class Z {\n  public Integer call() {\n    String t = \"\"\"\n }\n\"\"\"; }\n}"));
    }
}
