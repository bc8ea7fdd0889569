package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * deploy/Dockerfile cannot be built here (no Docker engine), so this reads it: a JDK 25 build stage
 * that packages the same shaded jar CI tests, a Java 21+ runtime stage running it as a non-root
 * user, and an exec-form ENTRYPOINT so SIGTERM reaches the JVM.
 */
class DockerfileTest {
    static final String DOCKERFILE = Repo.read(Repo.DEPLOY.resolve("Dockerfile"));

    /** Instructions with continuation lines joined and comments dropped. */
    static List<String> instructions() {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : DOCKERFILE.split("\n")) {
            if (line.stripLeading().startsWith("#") || line.isBlank()) {
                continue;
            }
            current.append(line.strip());
            if (line.endsWith("\\")) {
                current.setLength(current.length() - 1);
                current.append(' ');
            } else {
                out.add(current.toString());
                current.setLength(0);
            }
        }
        return out;
    }

    static String arg(String name) {
        Matcher m = Pattern.compile("(?m)^ARG " + name + "=(\\S+)$").matcher(DOCKERFILE);
        assertThat(m.find()).as("ARG " + name).isTrue();
        return m.group(1);
    }

    @Test
    void buildsWithJdk25AndRunsOnAJava21PlusRuntime() {
        List<String> from = instructions().stream().filter(i -> i.startsWith("FROM ")).toList();
        assertThat(from).hasSize(2);
        assertThat(from.get(0)).isEqualTo("FROM ${BUILD_IMAGE} AS build");
        assertThat(from.get(1)).isEqualTo("FROM ${RUNTIME_IMAGE}");
        assertThat(arg("BUILD_IMAGE")).matches("eclipse-temurin:25-jdk.*");
        Matcher runtime = Pattern.compile("eclipse-temurin:(\\d+)-jre.*").matcher(arg("RUNTIME_IMAGE"));
        assertThat(runtime.matches()).as("a JRE image").isTrue();
        assertThat(Integer.parseInt(runtime.group(1))).isGreaterThanOrEqualTo(21);
        // --release 21 comes from the build itself, as in CI.
        assertThat(Repo.read(Repo.ROOT.resolve("pom.xml"))).contains("<maven.compiler.release>21</maven.compiler.release>");
    }

    @Test
    void packagesAndCopiesTheShadedJarCiTests() {
        String run = instructions().stream().filter(i -> i.startsWith("RUN ") && i.contains("mvnw")).findFirst().orElseThrow();
        assertThat(run).contains("./mvnw").contains("-pl ferry-cli").contains("-am").contains(" package")
                .contains("cp ferry-cli/target/ferry.jar /ferry.jar");
        assertThat(Repo.read(Repo.ROOT.resolve("ferry-cli/pom.xml")))
                .as("the shade plugin writes the jar the image copies (and FerryJarIT runs)")
                .contains("<outputFile>${project.build.directory}/ferry.jar</outputFile>");
        assertThat(instructions()).anyMatch(i -> i.matches("COPY --from=build .*/ferry\\.jar /app/ferry\\.jar"));
        String ignore = Repo.read(Repo.DEPLOY.resolve("Dockerfile.dockerignore"));
        assertThat(ignore.lines().toList()).contains(".git", "**/target");
    }

    @Test
    void runsTheJarAsANonRootUserWithSignalsReachingTheJvm() {
        List<String> ins = instructions();
        int lastFrom = 0;
        for (int i = 0; i < ins.size(); i++) {
            if (ins.get(i).startsWith("FROM ")) {
                lastFrom = i;
            }
        }
        List<String> runtime = ins.subList(lastFrom, ins.size());
        String user = runtime.stream().filter(i -> i.startsWith("USER ")).findFirst().orElseThrow();
        assertThat(user).as("a numeric non-root user, so runAsNonRoot can check it").matches("USER [1-9]\\d*(:[1-9]\\d*)?");
        assertThat(user).contains("10001");
        String entrypoint = runtime.stream().filter(i -> i.startsWith("ENTRYPOINT ")).findFirst().orElseThrow();
        JsonNode exec = new JsonMapper().readTree(entrypoint.substring("ENTRYPOINT ".length()));
        assertThat(exec.isArray()).as("exec form: the JVM is PID 1, no shell between it and SIGTERM").isTrue();
        assertThat(exec.findValuesAsString("")).isEmpty();
        List<String> words = new ArrayList<>();
        exec.forEach(w -> words.add(w.asString()));
        assertThat(words).containsExactly("java", "-jar", "/app/ferry.jar");
        String cmd = runtime.stream().filter(i -> i.startsWith("CMD ")).findFirst().orElseThrow();
        assertThat(new JsonMapper().readTree(cmd.substring(4)).isArray()).isTrue();
        assertThat(DOCKERFILE).doesNotContain("sh -c").doesNotContain("preStop");
    }
}
