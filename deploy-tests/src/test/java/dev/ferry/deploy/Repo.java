package dev.ferry.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.databind.node.ObjectNode;

/** Paths of the repository and facts read from its documentation. */
final class Repo {
    static final Path ROOT = Path.of(System.getProperty("ferry.root", "..")).toAbsolutePath().normalize();
    static final Path DEPLOY = ROOT.resolve("deploy");
    static final List<String> OVERLAYS = List.of("embedded", "redis", "postgres");
    /** A metric name in an expression (not a recording rule's {@code ferry:...}, not a label value). */
    static final Pattern METRIC = Pattern.compile("(?<![\\w:\"])(ferry_[a-z0-9_]+)");
    private static final Pattern DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+)s)?(?:(\\d+)ms)?");

    private Repo() {
    }

    static Path overlay(String name) {
        return DEPLOY.resolve("overlays").resolve(name);
    }

    static List<ObjectNode> render(String overlay) {
        return Kustomize.render(overlay(overlay));
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The documents of deploy/keda/: alternative ScaledObjects, the ScaledJob, TriggerAuthentications. */
    static List<ObjectNode> kedaExamples() {
        try (Stream<Path> s = Files.list(DEPLOY.resolve("keda"))) {
            List<ObjectNode> out = new ArrayList<>();
            s.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(p -> out.addAll(Kustomize.readAll(p)));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The metric names docs/metrics.md documents: the first column of its tables. A histogram's
     * series ({@code _bucket}, {@code _count}, {@code _sum}) count as documented with it.
     */
    static Set<String> documentedMetrics() {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?m)^\\| `(ferry_[a-z0-9_]+)` \\|([^|]*)\\|").matcher(read(ROOT.resolve("docs/metrics.md")));
        while (m.find()) {
            names.add(m.group(1));
            if (m.group(2).contains("histogram")) {
                names.add(m.group(1) + "_bucket");
                names.add(m.group(1) + "_count");
                names.add(m.group(1) + "_sum");
            }
        }
        if (names.size() < 10) {
            throw new IllegalStateException("docs/metrics.md: found only " + names + "; did its tables change shape?");
        }
        return names;
    }

    /** The Ferry metric names an expression uses. */
    static Set<String> metricsIn(String expr) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 250ms} (the CLI's short form). */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (text.isBlank() || !m.matches()) {
            throw new IllegalArgumentException("not a duration: " + text);
        }
        Duration d = Duration.ZERO;
        if (m.group(1) != null) {
            d = d.plusHours(Long.parseLong(m.group(1)));
        }
        if (m.group(2) != null) {
            d = d.plusMinutes(Long.parseLong(m.group(2)));
        }
        if (m.group(3) != null) {
            d = d.plusSeconds(Long.parseLong(m.group(3)));
        }
        if (m.group(4) != null) {
            d = d.plusMillis(Long.parseLong(m.group(4)));
        }
        return d;
    }
}
