package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every object deploy/ produces (each overlay as rendered, deploy/monitoring, deploy/keda and the
 * PrometheusRule) validates against its OpenAPI schema: Kubernetes' own (npm kubernetes-models),
 * KEDA's CRDs (@kubernetes-models/keda) and prometheus-operator's (@kubernetes-models/prometheus-operator).
 * Offline once the packages are installed; they come from the npm registry on first run into
 * target/, with the machine's Node.js.
 */
class SchemaValidationTest {
    static final Path SCHEMA = Repo.ROOT.resolve("deploy-tests/schema");
    static final Path WORK = Repo.ROOT.resolve("deploy-tests/target/schema-check");

    @Test
    void everyObjectMatchesItsSchema() throws Exception {
        // On a developer machine with only a JDK this check needs Node.js it may not have; CI
        // (CI=true, where .ci/run installs Node.js) always runs it.
        if (!"true".equalsIgnoreCase(System.getenv("CI"))) {
            org.junit.jupiter.api.Assumptions.assumeTrue(onPath("node") && onPath("npm"),
                    "Node.js is not installed: the schema check runs in CI");
        }
        List<Map<String, Object>> input = new ArrayList<>();
        for (String overlay : Repo.OVERLAYS) {
            Repo.render(overlay).forEach(o -> input.add(entry("overlays/" + overlay, o)));
        }
        Kustomize.render(Repo.DEPLOY.resolve("monitoring")).forEach(o -> input.add(entry("monitoring", o)));
        Repo.kedaExamples().forEach(o -> input.add(entry("keda", o)));
        Kustomize.readAll(Repo.DEPLOY.resolve("prometheus-rules.yaml")).forEach(o -> input.add(entry("prometheus-rules.yaml", o)));

        Files.createDirectories(WORK);
        for (String f : List.of("package.json", "validate.mjs")) {
            Files.copy(SCHEMA.resolve(f), WORK.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        // One retry: a registry hiccup should not fail the build, a missing package still does.
        String log = "";
        for (int attempt = 0; attempt < 2 && !Files.isDirectory(WORK.resolve("node_modules/@kubernetes-models/keda")); attempt++) {
            log = run(List.of(tool("npm"), "install", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error"), 300);
        }
        assertThat(Files.isDirectory(WORK.resolve("node_modules/@kubernetes-models/keda"))).as("npm install: " + log).isTrue();
        Path objects = WORK.resolve("objects.json");
        new JsonMapper().writeValue(objects.toFile(), input);
        String out = run(List.of(tool("node"), "validate.mjs", objects.toString()), 120);
        assertThat(out.lines().filter(l -> l.startsWith("INVALID"))).as(out).isEmpty();
        assertThat(out.lines().filter(l -> l.startsWith("ok "))).as(out).hasSize(input.size());
    }

    static Map<String, Object> entry(String where, ObjectNode object) {
        return Map.of("where", where, "object", object);
    }

    static boolean onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    static String tool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        throw new AssertionError(name + " is not on the PATH: install Node.js (Debian: nodejs, npm)");
    }

    static String run(List<String> command, int timeoutSeconds) throws Exception {
        Path log = Files.createTempFile(WORK, "run", ".log");
        Process p = new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s: " + Files.readString(log));
        }
        String out = Files.readString(log);
        Files.delete(log);
        return out;
    }
}
