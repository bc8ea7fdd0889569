package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.fail;

import dev.ferry.cli.FerryCli;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Renders each overlay of deploy/overlays (as {@code kubectl kustomize} would) and checks what
 * makes it deployable and correct: well-formed objects, selectors that select, a worker grace
 * period that covers its tasks, probes on real ports and paths, command lines the real CLI
 * accepts, config and secrets that resolve.
 */
class OverlaysTest {
    static final List<String> OVERLAYS = Repo.OVERLAYS;
    static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet");
    /** The server's unauthenticated health routes (docs/server.md); ServerEndpointsTest checks they answer. */
    static final Set<String> HEALTH_PATHS = Set.of("/healthz", "/readyz");
    private static final Pattern VAR = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyDocumentIsAWellFormedObject(String overlay) {
        List<ObjectNode> docs = Repo.render(overlay);
        assertThat(docs).isNotEmpty();
        for (ObjectNode doc : docs) {
            String id = id(doc);
            assertThat(Kustomize.text(doc, "apiVersion")).as(id + " apiVersion").isNotBlank();
            assertThat(Kustomize.text(doc, "kind")).as(id + " kind").isNotBlank();
            String name = doc.path("metadata").path("name").asString("");
            assertThat(name).as(id + " metadata.name").isNotBlank().hasSizeLessThanOrEqualTo(63).matches(DNS_NAME);
            assertThat(doc.path("metadata").path("labels").path("app.kubernetes.io/name").asString(""))
                    .as(id + " carries app.kubernetes.io/name=ferry").isEqualTo("ferry");
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void selectorsSelectPodsAndServicesReachDeclaredPorts(String overlay) {
        List<ObjectNode> docs = Repo.render(overlay);
        List<ObjectNode> workloads = of(docs, WORKLOADS);
        assertThat(workloads).isNotEmpty();
        for (ObjectNode w : workloads) {
            Map<String, String> selector = labels(w.path("spec").path("selector").path("matchLabels"));
            assertThat(selector).as(id(w) + " has a selector").isNotEmpty();
            assertThat(podLabels(w)).as(id(w) + ": the pod template carries the selector's labels").containsAllEntriesOf(selector);
            assertThat(w.path("spec").path("selector").has("matchExpressions")).isFalse();
        }
        for (ObjectNode svc : of(docs, Set.of("Service"))) {
            Map<String, String> selector = labels(svc.path("spec").path("selector"));
            List<ObjectNode> selected = workloads.stream().filter(w -> podLabels(w).entrySet().containsAll(selector.entrySet())).toList();
            assertThat(selector).as(id(svc) + " selector").isNotEmpty();
            assertThat(selected).as(id(svc) + " selects the pods of exactly one workload").hasSize(1);
            for (JsonNode port : svc.path("spec").path("ports")) {
                JsonNode target = port.has("targetPort") ? port.get("targetPort") : port.get("port");
                assertThat(containerPorts(selected.getFirst()))
                        .as(id(svc) + ": targetPort " + target + " is a port the pods declare").contains(target.asString());
            }
        }
        for (ObjectNode pdb : of(docs, Set.of("PodDisruptionBudget"))) {
            Map<String, String> selector = labels(pdb.path("spec").path("selector").path("matchLabels"));
            assertThat(workloads).as(id(pdb) + " selects some workload's pods")
                    .anyMatch(w -> podLabels(w).entrySet().containsAll(selector.entrySet()));
            assertThat(pdb.path("spec").has("minAvailable") ^ pdb.path("spec").has("maxUnavailable")).isTrue();
        }
        for (ObjectNode w : workloads) {
            int replicas = w.path("spec").path("replicas").asInt(1);
            boolean scaled = of(docs, Set.of("ScaledObject")).stream()
                    .anyMatch(so -> so.path("spec").path("scaleTargetRef").path("name").asString("").equals(name(w)));
            boolean covered = of(docs, Set.of("PodDisruptionBudget")).stream().anyMatch(pdb -> podLabels(w).entrySet()
                    .containsAll(labels(pdb.path("spec").path("selector").path("matchLabels")).entrySet()));
            if (replicas > 1 || scaled) {
                assertThat(covered).as(id(w) + " runs several replicas: a PodDisruptionBudget covers it").isTrue();
            }
        }
        for (ObjectNode so : of(docs, Set.of("ScaledObject"))) {
            String target = so.path("spec").path("scaleTargetRef").path("name").asString("");
            assertThat(of(docs, Set.of("Deployment"))).as(id(so) + " scales a Deployment of the overlay")
                    .anyMatch(d -> name(d).equals(target));
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void workersGetMoreTerminationGraceThanTheirLongestTaskPlusTheShutdownGrace(String overlay) {
        List<ObjectNode> docs = Repo.render(overlay);
        int workers = 0;
        for (ObjectNode w : of(docs, WORKLOADS)) {
            for (ObjectNode c : containers(w)) {
                List<String> args = resolvedArgs(docs, c);
                if (args.isEmpty() || !args.getFirst().equals("worker")) {
                    continue;
                }
                workers++;
                String timeout = w.path("metadata").path("annotations").path("ferry.dev/longest-task-timeout").asString("");
                assertThat(timeout).as(id(w) + " states its longest task timeout (annotation ferry.dev/longest-task-timeout)").isNotBlank();
                int i = args.indexOf("--shutdown-grace");
                assertThat(i).as(id(w) + " sets --shutdown-grace explicitly").isPositive();
                Duration grace = Repo.duration(args.get(i + 1));
                Duration needed = Repo.duration(timeout).plus(grace);
                long period = w.path("spec").path("template").path("spec").path("terminationGracePeriodSeconds").asLong(30);
                assertThat(Duration.ofSeconds(period)).as(id(w) + ": terminationGracePeriodSeconds > longest task timeout ("
                        + timeout + ") + shutdown grace (" + args.get(i + 1) + ")").isGreaterThan(needed);
                assertThat(grace).as(id(w) + ": the shutdown grace lets the longest task finish on a rollout or scale-down")
                        .isGreaterThanOrEqualTo(Repo.duration(timeout));
                assertThat(c.has("lifecycle")).as(id(w) + ": no preStop sleep; SIGTERM reaches the JVM directly").isFalse();
            }
        }
        assertThat(workers).as("the overlay runs workers").isPositive();
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void probesPointAtDeclaredPortsAndTheServersHealthRoutes(String overlay) {
        List<ObjectNode> docs = Repo.render(overlay);
        int servers = 0;
        for (ObjectNode w : of(docs, WORKLOADS)) {
            for (ObjectNode c : containers(w)) {
                List<String> args = resolvedArgs(docs, c);
                Set<String> ports = containerPorts(c);
                if (!ports.isEmpty()) {
                    assertThat(c.has("livenessProbe") && c.has("readinessProbe"))
                            .as(id(w) + "/" + c.path("name").asString() + " serves a port: it has liveness and readiness probes").isTrue();
                }
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    if (!c.has(probe)) {
                        continue;
                    }
                    JsonNode http = c.get(probe).path("httpGet");
                    assertThat(http.isObject()).as(id(w) + " " + probe + " is an HTTP probe").isTrue();
                    assertThat(ports).as(id(w) + " " + probe + " port").contains(http.path("port").asString());
                    assertThat(http.path("path").asString()).as(id(w) + " " + probe + " path").isIn(HEALTH_PATHS);
                }
                if (!args.isEmpty() && args.getFirst().equals("server")) {
                    servers++;
                    assertThat(c.path("livenessProbe").path("httpGet").path("path").asString()).isEqualTo("/healthz");
                    assertThat(c.path("readinessProbe").path("httpGet").path("path").asString()).isEqualTo("/readyz");
                    String port = args.get(args.indexOf("--port") + 1);
                    assertThat(numericPorts(c)).as(id(w) + ": the container declares the port the server listens on").contains(port);
                    assertThat(args.get(args.indexOf("--host") + 1)).isEqualTo("0.0.0.0");
                    assertThat(envNames(c)).as(id(w) + ": a non-loopback server needs credentials")
                            .contains("FERRY_SERVER_TOKEN", "FERRY_SERVER_VIEWER_TOKEN");
                }
            }
        }
        assertThat(servers).as("the overlay runs a server").isEqualTo(1);
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyCommandLineParsesWithTheRealCli(String overlay) {
        List<ObjectNode> docs = Repo.render(overlay);
        for (ObjectNode w : of(docs, WORKLOADS)) {
            for (ObjectNode c : containers(w)) {
                assertThat(c.has("command")).as(id(w) + ": the image's ENTRYPOINT (java -jar ferry.jar) stays").isFalse();
                List<String> args = resolvedArgs(docs, c);
                for (String a : args) {
                    assertThat(VAR.matcher(a).find()).as(id(w) + ": " + a + " refers to a variable the container defines").isFalse();
                }
                StringWriter out = new StringWriter();
                CommandLine cli = FerryCli.commandLine(new ByteArrayInputStream(new byte[0]), new PrintWriter(out), new PrintWriter(out), Map.of());
                assertThatCode(() -> cli.parseArgs(args.toArray(String[]::new)))
                        .as(id(w) + "/" + c.path("name").asString() + ": ferry " + String.join(" ", args)).doesNotThrowAnyException();
                assertThat(envNames(c)).as(id(w) + " sets the broker").contains("FERRY_BROKER");
            }
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void configMapsExistAndSecretsAreTheDocumentedOnes(String overlay) {
        List<ObjectNode> docs = Repo.render(overlay);
        Set<String> configMaps = new java.util.HashSet<>();
        of(docs, Set.of("ConfigMap")).forEach(cm -> configMaps.add(name(cm)));
        String operations = Repo.read(Repo.ROOT.resolve("docs/operations.md"));
        for (ObjectNode w : of(docs, WORKLOADS)) {
            for (ObjectNode c : containers(w)) {
                for (JsonNode from : c.path("envFrom")) {
                    if (from.has("configMapRef")) {
                        assertThat(configMaps).as(id(w) + " envFrom").contains(from.get("configMapRef").get("name").asString());
                    }
                    assertThat(from.has("secretRef")).as("secrets are referenced key by key").isFalse();
                }
                for (JsonNode env : c.path("env")) {
                    JsonNode ref = env.path("valueFrom").path("secretKeyRef");
                    if (ref.isObject()) {
                        assertSecretDocumented(operations, ref.get("name").asString(), ref.get("key").asString(), id(w));
                    }
                    JsonNode cmRef = env.path("valueFrom").path("configMapKeyRef");
                    if (cmRef.isObject()) {
                        assertThat(configMaps).contains(cmRef.get("name").asString());
                    }
                }
            }
        }
        for (ObjectNode ta : of(docs, Set.of("TriggerAuthentication"))) {
            for (JsonNode ref : ta.path("spec").path("secretTargetRef")) {
                assertSecretDocumented(operations, ref.get("name").asString(), ref.get("key").asString(), id(ta));
            }
        }
    }

    static void assertSecretDocumented(String operations, String secret, String key, String who) {
        assertThat(operations).as(who + " reads Secret " + secret + " key " + key + ": docs/operations.md lists it in its Secrets table")
                .containsPattern("(?m)^\\| `" + Pattern.quote(secret) + "` \\| `" + Pattern.quote(key) + "` \\|");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void containersAreBoundedAndLockedDown(String overlay) {
        for (ObjectNode w : of(Repo.render(overlay), WORKLOADS)) {
            JsonNode pod = w.path("spec").path("template").path("spec");
            assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean(false)).as(id(w) + " runAsNonRoot").isTrue();
            assertThat(pod.path("securityContext").path("runAsUser").asInt(0)).as(id(w) + " runAsUser").isPositive();
            for (ObjectNode c : containers(w)) {
                String who = id(w) + "/" + c.path("name").asString();
                JsonNode res = c.path("resources");
                assertThat(res.path("requests").path("cpu").asString("")).as(who + " cpu request").isNotBlank();
                assertThat(res.path("requests").path("memory").asString("")).as(who + " memory request").isNotBlank();
                assertThat(res.path("limits").path("memory").asString("")).as(who + " memory limit").isNotBlank();
                JsonNode sc = c.path("securityContext");
                assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).as(who).isFalse();
                assertThat(sc.path("readOnlyRootFilesystem").asBoolean(false)).as(who).isTrue();
                assertThat(c.path("volumeMounts").findValuesAsString("mountPath"))
                        .as(who + ": a writable /tmp (the JVM and sqlite-jdbc's native library)").contains("/tmp");
                assertThat(c.path("image").asString()).as(who + ": the overlay's images entry set the registry and tag")
                        .doesNotStartWith("ferry:").matches("[a-z0-9.-]+(:\\d+)?/[a-z0-9./_-]+:[\\w.-]+");
            }
        }
    }

    @Test
    void theEmbeddedOverlayIsOnePodOnOneVolume() {
        List<ObjectNode> docs = Repo.render("embedded");
        List<ObjectNode> workloads = of(docs, WORKLOADS);
        assertThat(workloads).hasSize(1);
        ObjectNode w = workloads.getFirst();
        assertThat(w.path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(w.path("spec").path("strategy").path("type").asString()).as("never two pods on the file").isEqualTo("Recreate");
        assertThat(of(docs, Set.of("ScaledObject", "ScaledJob", "PodDisruptionBudget"))).isEmpty();
        String claim = of(docs, Set.of("PersistentVolumeClaim")).getFirst().path("metadata").path("name").asString();
        String volume = null;
        for (JsonNode v : w.path("spec").path("template").path("spec").path("volumes")) {
            if (v.path("persistentVolumeClaim").path("claimName").asString("").equals(claim)) {
                volume = v.get("name").asString();
            }
        }
        assertThat(volume).as("the pod mounts the claim").isNotNull();
        for (ObjectNode c : containers(w)) {
            String mount = null;
            for (JsonNode m : c.path("volumeMounts")) {
                if (m.get("name").asString().equals(volume)) {
                    mount = m.get("mountPath").asString();
                }
            }
            assertThat(mount).as(c.path("name").asString() + " mounts the data volume").isNotNull();
            assertThat(envValue(docs, c, "FERRY_BROKER")).as("the store is a file on the volume").startsWith("sqlite:" + mount + "/");
        }
        assertThat(containers(w)).extracting(c -> resolvedArgs(docs, c).getFirst()).contains("server", "worker");
    }

    @ParameterizedTest
    @FieldSource("dist")
    void distributedOverlaysScaleWorkersWithKedaAndKeepTheSchedulerUp(String overlay) {
        List<ObjectNode> docs = Repo.render(overlay);
        ObjectNode worker = byName(docs, "Deployment", "ferry-worker");
        ObjectNode scheduler = byName(docs, "Deployment", "ferry-scheduler");
        List<ObjectNode> scaled = of(docs, Set.of("ScaledObject"));
        assertThat(scaled).hasSize(1);
        assertThat(scaled.getFirst().path("spec").path("scaleTargetRef").path("name").asString()).isEqualTo("ferry-worker");
        assertThat(worker.path("spec").has("replicas")).as("KEDA owns the worker count; apply must not reset it").isFalse();
        assertThat(scheduler.path("spec").path("replicas").asInt()).as("the scheduler is always on").isGreaterThanOrEqualTo(1);
        assertThat(resolvedArgs(docs, containers(scheduler).getFirst())).first().isEqualTo("scheduler");
        // Scale-to-zero is safe only if every queue the workers serve wakes them up.
        List<String> args = resolvedArgs(docs, containers(worker).getFirst());
        String spec = args.get(args.indexOf("--queues") + 1);
        List<String> queues = new ArrayList<>();
        for (String part : spec.split(",")) {
            queues.add(part.split(":")[0]);
        }
        String triggers = scaled.getFirst().path("spec").path("triggers").toString();
        for (String q : queues) {
            assertThat(triggers).as("a trigger watches queue " + q).containsAnyOf("{" + q + "}", "'" + q + "'");
        }
        assertThat(scaled.getFirst().path("spec").path("minReplicaCount").asInt(1)).isZero();
    }

    static final List<String> dist = List.of("redis", "postgres");

    // ---- helpers shared with the other tests

    static List<ObjectNode> of(List<ObjectNode> docs, Set<String> kinds) {
        return docs.stream().filter(d -> kinds.contains(Kustomize.text(d, "kind"))).toList();
    }

    static ObjectNode byName(List<ObjectNode> docs, String kind, String name) {
        return docs.stream().filter(d -> Kustomize.text(d, "kind").equals(kind) && name(d).equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + "/" + name));
    }

    static String name(JsonNode doc) {
        return doc.path("metadata").path("name").asString("");
    }

    static String id(JsonNode doc) {
        return Kustomize.text(doc, "kind") + "/" + name(doc);
    }

    static List<ObjectNode> containers(ObjectNode workload) {
        List<ObjectNode> out = new ArrayList<>();
        workload.path("spec").path("template").path("spec").path("containers").forEach(c -> out.add((ObjectNode) c));
        return out;
    }

    static Map<String, String> labels(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asString()));
        return out;
    }

    static Map<String, String> podLabels(ObjectNode workload) {
        return labels(workload.path("spec").path("template").path("metadata").path("labels"));
    }

    /** Port names and numbers the pod's containers declare, as strings. */
    static Set<String> containerPorts(ObjectNode workloadOrContainer) {
        Set<String> out = new java.util.HashSet<>();
        List<ObjectNode> cs = workloadOrContainer.has("spec") ? containers(workloadOrContainer) : List.of(workloadOrContainer);
        for (ObjectNode c : cs) {
            for (JsonNode p : c.path("ports")) {
                out.add(p.path("containerPort").asString());
                if (p.has("name")) {
                    out.add(p.get("name").asString());
                }
            }
        }
        return out;
    }

    static Set<String> numericPorts(ObjectNode container) {
        Set<String> out = new java.util.HashSet<>();
        container.path("ports").forEach(p -> out.add(p.path("containerPort").asString()));
        return out;
    }

    static List<String> envNames(ObjectNode container) {
        return container.path("env").findValuesAsString("name");
    }

    /** The container's environment as Kubernetes builds it: envFrom ConfigMaps, then env values. */
    static Map<String, String> environment(List<ObjectNode> docs, ObjectNode container) {
        Map<String, String> env = new HashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            if (from.has("configMapRef")) {
                byName(docs, "ConfigMap", from.get("configMapRef").get("name").asString())
                        .path("data").properties().forEach(e -> env.put(e.getKey(), e.getValue().asString()));
            }
        }
        for (JsonNode e : container.path("env")) {
            env.put(e.get("name").asString(), e.has("value") ? e.get("value").asString() : "<from " + e.path("valueFrom").propertyNames().iterator().next() + ">");
        }
        return env;
    }

    static String envValue(List<ObjectNode> docs, ObjectNode container, String name) {
        String v = environment(docs, container).get(name);
        if (v == null) {
            fail(container.path("name").asString() + " has no " + name);
        }
        return v;
    }

    /** The container's args with $(VAR) references expanded as the kubelet does. */
    static List<String> resolvedArgs(List<ObjectNode> docs, ObjectNode container) {
        Map<String, String> env = environment(docs, container);
        List<String> out = new ArrayList<>();
        for (JsonNode a : container.path("args")) {
            Matcher m = VAR.matcher(a.asString());
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String v = env.get(m.group(1));
                m.appendReplacement(sb, Matcher.quoteReplacement(v != null ? v : m.group()));
            }
            m.appendTail(sb);
            out.add(sb.toString());
        }
        return out;
    }
}
