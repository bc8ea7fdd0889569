package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.node.ObjectNode;

/**
 * The real kustomize renders every kustomization of deploy/ to exactly what this module's reader
 * renders, so the other tests check what {@code kubectl apply -k} would apply. Runs where kubectl
 * is installed (it is on this project's machines); offline, no cluster involved.
 */
class KubectlKustomizeTest {
    static Path kubectl() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "kubectl");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/embedded", "overlays/redis", "overlays/postgres", "base", "monitoring"})
    void kubectlKustomizeRendersTheSameObjects(String kustomization) throws Exception {
        Path kubectl = kubectl();
        assumeTrue(kubectl != null, "kubectl is not installed");
        Path dir = Repo.DEPLOY.resolve(kustomization);
        Path out = Files.createTempFile("kustomize", ".yaml");
        try {
            Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("kubectl kustomize finished").isTrue();
            assertThat(p.exitValue()).as("kubectl kustomize " + kustomization + ": " + Files.readString(out)).isZero();
            Map<String, ObjectNode> theirs = byId(Kustomize.readAll(out));
            Map<String, ObjectNode> ours = byId(Kustomize.render(dir));
            assertThat(ours.keySet()).containsExactlyInAnyOrderElementsOf(theirs.keySet());
            for (String id : ours.keySet()) {
                assertThat(ours.get(id)).as(id).isEqualTo(theirs.get(id));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static Map<String, ObjectNode> byId(List<ObjectNode> docs) {
        Map<String, ObjectNode> out = new HashMap<>();
        docs.forEach(d -> out.put(OverlaysTest.id(d), d));
        return out;
    }
}
