package dev.ferry.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Runs {@code ferry} in-process against one SQLite file, capturing stdout and stderr. */
final class Cli {
    /** What one run printed and returned. */
    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    final Path db;
    final String broker;
    private final Map<String, String> env = new HashMap<>();

    Cli(Path dir) {
        this.db = dir.resolve("ferry.db");
        this.broker = "sqlite:" + db;
    }

    Cli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** A fresh command line with captured streams; the caller executes it (for example on a thread). */
    static CommandLine commandLine(StringWriter out, StringWriter err, String stdin, Map<String, String> env) {
        return FerryCli.commandLine(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true), env);
    }

    /** Runs exactly these arguments. */
    Result raw(String... args) {
        return rawWithStdin("", args);
    }

    Result rawWithStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = commandLine(out, err, stdin, env).execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Runs the arguments with {@code --broker} set to this test's store. */
    Result run(String... args) {
        return rawWithStdin("", withBroker(args));
    }

    Result runWithStdin(String stdin, String... args) {
        return rawWithStdin(stdin, withBroker(args));
    }

    String[] withBroker(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--broker");
        all.add(broker);
        return all.toArray(String[]::new);
    }
}
