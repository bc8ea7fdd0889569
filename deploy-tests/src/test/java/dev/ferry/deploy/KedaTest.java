package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every KEDA trigger in deploy/ (the overlays' ScaledObjects and deploy/keda's alternatives and
 * ScaledJob) carries the metadata its scaler requires, with values of the right shape, and its
 * credentials resolve to a TriggerAuthentication that supplies what the scaler reads.
 */
class KedaTest {
    static final Pattern READY_LIST = Pattern.compile("ferry:\\{([a-z0-9._-]+)}:ready");
    static final Pattern SCALE_URL = Pattern.compile("https?://[a-z0-9.-]+(:\\d+)?/api/v1/queues/([a-z0-9._-]+)/scale");
    /** The metadata each scaler cannot work without (KEDA's scaler documentation). */
    static final Map<String, List<String>> REQUIRED = Map.of(
            "redis", List.of("address", "listName", "listLength"),
            "postgresql", List.of("query", "targetQueryValue"),
            "prometheus", List.of("serverAddress", "query", "threshold"),
            "metrics-api", List.of("url", "valueLocation", "targetValue"));
    static final Set<String> NUMERIC = Set.of("listLength", "activationListLength", "targetQueryValue",
            "activationTargetQueryValue", "threshold", "activationThreshold", "targetValue", "activationTargetValue", "port");

    record Trigger(String where, String type, JsonNode metadata, String authRef, List<ObjectNode> authentications) {
    }

    static List<Trigger> triggers() {
        List<Trigger> out = new ArrayList<>();
        List<ObjectNode> examples = Repo.kedaExamples();
        for (String overlay : Repo.OVERLAYS) {
            List<ObjectNode> docs = Repo.render(overlay);
            List<ObjectNode> auths = new ArrayList<>(OverlaysTest.of(docs, Set.of("TriggerAuthentication")));
            collect(overlay, docs, auths, out);
        }
        List<ObjectNode> auths = new ArrayList<>(OverlaysTest.of(examples, Set.of("TriggerAuthentication")));
        // deploy/keda's objects are applied next to an overlay: its TriggerAuthentications count too.
        for (String overlay : Repo.OVERLAYS) {
            auths.addAll(OverlaysTest.of(Repo.render(overlay), Set.of("TriggerAuthentication")));
        }
        collect("deploy/keda", examples, auths, out);
        return out;
    }

    private static void collect(String where, List<ObjectNode> docs, List<ObjectNode> auths, List<Trigger> out) {
        for (ObjectNode so : OverlaysTest.of(docs, Set.of("ScaledObject", "ScaledJob"))) {
            assertThat(Kustomize.text(so, "apiVersion")).isEqualTo("keda.sh/v1alpha1");
            for (JsonNode t : so.path("spec").path("triggers")) {
                out.add(new Trigger(where + " " + OverlaysTest.id(so), t.path("type").asString(), t.path("metadata"),
                        t.path("authenticationRef").path("name").asString(null), auths));
            }
        }
    }

    @Test
    void everyScalerTypeIsUsedAndEveryTriggerHasItsRequiredMetadata() {
        List<Trigger> all = triggers();
        Set<String> types = new HashSet<>();
        for (Trigger t : all) {
            types.add(t.type());
            assertThat(REQUIRED).as(t.where() + ": a scaler type this project documents").containsKey(t.type());
            for (String key : REQUIRED.get(t.type())) {
                assertThat(t.metadata().path(key).asString("")).as(t.where() + " " + t.type() + " needs " + key).isNotBlank();
            }
            for (String key : NUMERIC) {
                if (t.metadata().has(key)) {
                    assertThat(t.metadata().get(key).isString()).as(t.where() + ": " + key + " is a quoted string, as KEDA's metadata must be").isTrue();
                    assertThat(Double.parseDouble(t.metadata().get(key).asString())).as(t.where() + " " + key).isNotNegative();
                }
            }
        }
        assertThat(types).as("a trigger of each kind the issue asks for").containsExactlyInAnyOrderElementsOf(REQUIRED.keySet());
    }

    @Test
    void redisTriggersReadAQueuesReadyList() {
        for (Trigger t : ofType("redis")) {
            assertThat(t.metadata().get("listName").asString()).as(t.where()).matches(READY_LIST);
            assertThat(t.metadata().get("address").asString()).as(t.where()).matches("[a-z0-9.-]+:\\d+");
            assertThat(t.authRef()).as(t.where() + " authenticates").isNotNull();
            assertThat(parameters(t)).as(t.where() + ": the TriggerAuthentication gives the Redis password").contains("password");
        }
    }

    @Test
    void postgresqlTriggersRunTheDocumentedQueryWithCredentials() {
        String documented = documentedPostgresQuery();
        for (Trigger t : ofType("postgresql")) {
            String query = t.metadata().get("query").asString();
            Matcher q = Pattern.compile("WHERE queue = '([a-z0-9._-]+)'").matcher(query);
            assertThat(q.find()).as(t.where() + " names its queue").isTrue();
            assertThat(normalize(query)).as(t.where() + ": the query of docs/postgres.md for queue " + q.group(1))
                    .isEqualTo(normalize(documented.replace("'default'", "'" + q.group(1) + "'")));
            boolean connection = t.metadata().has("connectionFromEnv")
                    || (t.metadata().has("host") && t.metadata().has("userName") && t.metadata().has("dbName"));
            assertThat(connection).as(t.where() + ": says where to connect").isTrue();
            boolean password = t.metadata().has("passwordFromEnv") || (t.authRef() != null
                    && (parameters(t).contains("password") || parameters(t).contains("connection")));
            assertThat(password).as(t.where() + ": has a password (TriggerAuthentication)").isTrue();
        }
    }

    @Test
    void prometheusTriggersQueryDocumentedMetrics() {
        Set<String> documented = Repo.documentedMetrics();
        for (Trigger t : ofType("prometheus")) {
            assertThat(t.metadata().get("serverAddress").asString()).as(t.where()).startsWith("http");
            Set<String> used = Repo.metricsIn(t.metadata().get("query").asString());
            assertThat(used).as(t.where() + " queries a Ferry metric").isNotEmpty();
            assertThat(documented).as(t.where() + ": every metric it queries is in docs/metrics.md").containsAll(used);
            if (t.metadata().path("authModes").asString("").contains("bearer")) {
                assertThat(parameters(t)).contains("bearerToken");
            }
        }
    }

    @Test
    void metricsApiTriggersReadTheServersScaleEndpointWithAViewerToken() {
        for (Trigger t : ofType("metrics-api")) {
            assertThat(t.metadata().get("url").asString()).as(t.where()).matches(SCALE_URL);
            assertThat(t.metadata().get("valueLocation").asString()).isEqualTo("ready");
            assertThat(t.metadata().path("format").asString("json")).isEqualTo("json");
            assertThat(t.metadata().path("authMode").asString()).as(t.where() + ": the server requires credentials").isEqualTo("bearer");
            assertThat(parameters(t)).as(t.where()).contains("token");
        }
    }

    @Test
    void theBatchScaledJobRunsJobsThatEndAndDrain() {
        ObjectNode job = OverlaysTest.byName(Repo.kedaExamples(), "ScaledJob", "ferry-reports");
        JsonNode template = job.path("spec").path("jobTargetRef").path("template").path("spec");
        assertThat(template.path("restartPolicy").asString()).isIn("Never", "OnFailure");
        assertThat(template.path("terminationGracePeriodSeconds").asInt()).isGreaterThan(30);
        assertThat(job.path("spec").path("maxReplicaCount").asInt()).isPositive();
    }

    @Test
    void triggerAuthenticationsReadDocumentedSecrets() {
        String operations = Repo.read(Repo.ROOT.resolve("docs/operations.md"));
        for (ObjectNode ta : OverlaysTest.of(Repo.kedaExamples(), Set.of("TriggerAuthentication"))) {
            for (JsonNode ref : ta.path("spec").path("secretTargetRef")) {
                OverlaysTest.assertSecretDocumented(operations, ref.get("name").asString(), ref.get("key").asString(), OverlaysTest.id(ta));
            }
        }
    }

    /** The query of docs/postgres.md's "Autoscaling with KEDA" section, for queue 'default'. */
    static String documentedPostgresQuery() {
        String doc = Repo.read(Repo.ROOT.resolve("docs/postgres.md"));
        Matcher m = Pattern.compile("query: >-\\n((?: {8}.*\\n)+)").matcher(doc);
        assertThat(m.find()).as("docs/postgres.md shows the KEDA query").isTrue();
        return m.group(1);
    }

    static String normalize(String sql) {
        return sql.trim().replaceAll("\\s+", " ");
    }

    private static List<Trigger> ofType(String type) {
        List<Trigger> out = triggers().stream().filter(t -> t.type().equals(type)).toList();
        assertThat(out).as("some " + type + " trigger").isNotEmpty();
        return out;
    }

    /** The parameters the trigger's TriggerAuthentication supplies. */
    private static Set<String> parameters(Trigger t) {
        Set<String> out = new HashSet<>();
        for (ObjectNode ta : t.authentications()) {
            if (OverlaysTest.name(ta).equals(t.authRef())) {
                for (String source : List.of("secretTargetRef", "env", "boundServiceAccountToken")) {
                    ta.path("spec").path(source).forEach(p -> out.add(p.path("parameter").asString()));
                }
                return out;
            }
        }
        throw new AssertionError(t.where() + ": authenticationRef " + t.authRef() + " names no TriggerAuthentication");
    }
}
