package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.Ferry;
import dev.ferry.Task;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

class EnqueueCommandTest {
    @TempDir
    Path dir;

    private Cli cli() {
        return new Cli(dir);
    }

    private static JsonNode queue(Cli.Result queuesJson, String name) {
        JsonNode doc = Json.MAPPER.readTree(queuesJson.out());
        for (JsonNode q : doc.get("queues")) {
            if (q.get("queue").stringValue().equals(name)) {
                return q;
            }
        }
        throw new AssertionError("no queue " + name + " in " + queuesJson.out());
    }

    @Test
    void enqueuedTasksShowInQueuesJson() {
        Cli cli = cli();
        Cli.Result a = cli.run("enqueue", "emails", "demo.echo", "--payload", "{\"to\":\"a@b.c\"}");
        assertThat(a.code()).as(a.toString()).isZero();
        assertThat(a.out().strip()).isNotBlank().doesNotContain(" ");
        assertThat(cli.run("enqueue", "emails", "demo.echo", "--payload", "{}", "--priority", "5").code()).isZero();
        assertThat(cli.run("enqueue", "emails", "demo.sleep", "--payload", "{\"ms\":1}", "--delay", "1h").code()).isZero();

        Cli.Result queues = cli.run("queues", "--json");
        assertThat(queues.code()).as(queues.toString()).isZero();
        JsonNode emails = queue(queues, "emails");
        assertThat(emails.get("pending").longValue()).isEqualTo(2);
        assertThat(emails.get("scheduled").longValue()).isEqualTo(1);
        assertThat(emails.get("active").longValue()).isZero();
        assertThat(emails.get("dead").longValue()).isZero();
        assertThat(emails.get("processed").longValue()).isZero();
        assertThat(emails.get("failed").longValue()).isZero();
        assertThat(emails.get("paused").booleanValue()).isFalse();
        assertThat(emails.get("oldestPendingAt").isString()).isTrue();

        Cli.Result table = cli.run("queues");
        assertThat(table.out()).contains("QUEUE", "PENDING", "SCHEDULED", "OLDEST PENDING").containsPattern("emails\\s+2\\s+1\\s+0");
    }

    @Test
    void everyOptionReachesTheStoredTask() throws Exception {
        Cli cli = cli();
        Instant at = Instant.parse("2031-05-06T07:08:09Z");
        Cli.Result r = cli.run("enqueue", "reports", "demo.echo", "--payload", "{\"n\":1}", "--priority", "7", "--at", at.toString(),
                "--max-attempts", "5", "--timeout", "90s", "--unique-key", "report:1", "--unique-for", "24h", "--id", "report-1",
                "--tenant", "acme", "--key", "customer-7");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out().strip()).isEqualTo("report-1");
        try (Ferry ferry = Ferry.open(cli.broker)) {
            TaskInfo t = ferry.inspector().task("report-1").orElseThrow();
            assertThat(t.queue()).isEqualTo("reports");
            assertThat(t.type()).isEqualTo("demo.echo");
            assertThat(Json.MAPPER.readTree(t.payloadJson()).get("n").intValue()).isEqualTo(1);
            assertThat(t.priority()).isEqualTo(7);
            assertThat(t.state()).isEqualTo(TaskState.SCHEDULED);
            assertThat(t.runAt()).isEqualTo(at);
            assertThat(t.maxAttempts()).isEqualTo(5);
            assertThat(t.timeout()).isEqualTo(Duration.ofSeconds(90));
            assertThat(t.uniqueKey()).isEqualTo("report:1");
            assertThat(t.headers()).containsEntry(Task.TENANT_HEADER, "acme").containsEntry(Task.KEY_HEADER, "customer-7");
        }
    }

    @Test
    void aDuplicatePrintsTheExistingIdAndSaysSoOnStderr() {
        Cli cli = cli();
        assertThat(cli.run("enqueue", "default", "demo.echo", "--id", "same").code()).isZero();
        Cli.Result again = cli.run("enqueue", "default", "demo.echo", "--id", "same");
        assertThat(again.code()).isZero();
        assertThat(again.out().strip()).isEqualTo("same");
        assertThat(again.errLines()).singleElement().asString().contains("duplicate", "same", "nothing stored");

        Cli.Result first = cli.run("enqueue", "default", "demo.echo", "--unique-key", "k", "--unique-for", "10m");
        Cli.Result second = cli.run("enqueue", "default", "demo.echo", "--unique-key", "k", "--unique-for", "10m");
        assertThat(second.code()).isZero();
        assertThat(second.out().strip()).isEqualTo(first.out().strip());
        assertThat(second.errLines()).singleElement().asString().contains("unique key 'k'", first.out().strip());
        assertThat(queue(cli.run("queues", "--json"), "default").get("pending").longValue()).isEqualTo(2);
    }

    static Stream<Arguments> badInput() {
        String big = "{\"blob\":\"" + "x".repeat((1 << 20) + 10) + "\"}";
        return Stream.of(
                Arguments.of("invalid queue name", new String[] {"enqueue", "bad queue!", "demo.echo"}, "queue"),
                Arguments.of("negative delay", new String[] {"enqueue", "default", "demo.echo", "--delay", "-5s"}, "--delay"),
                Arguments.of("not a duration", new String[] {"enqueue", "default", "demo.echo", "--delay", "soon"}, "--delay"),
                Arguments.of("bad timeout", new String[] {"enqueue", "default", "demo.echo", "--timeout", "0s"}, "--timeout"),
                Arguments.of("priority out of range", new String[] {"enqueue", "default", "demo.echo", "--priority", "500"}, "--priority"),
                Arguments.of("payload not JSON", new String[] {"enqueue", "default", "demo.echo", "--payload", "{nope"}, "--payload"),
                Arguments.of("payload over the limit", new String[] {"enqueue", "default", "demo.echo", "--payload", big}, "--payload"),
                Arguments.of("max attempts zero", new String[] {"enqueue", "default", "demo.echo", "--max-attempts", "0"}, "--max-attempts"),
                Arguments.of("unique key without ttl", new String[] {"enqueue", "default", "demo.echo", "--unique-key", "k"}, "--unique-for"),
                Arguments.of("time without offset", new String[] {"enqueue", "default", "demo.echo", "--at", "2030-01-01T00:00"}, "--at"),
                Arguments.of("delay and at", new String[] {"enqueue", "default", "demo.echo", "--delay", "1s", "--at", "2030-01-01T00:00:00Z"}, "--delay"),
                Arguments.of("invalid id", new String[] {"enqueue", "default", "demo.echo", "--id", "has space"}, "--id"),
                Arguments.of("missing type", new String[] {"enqueue", "default"}, "TYPE"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInput")
    void badInputExits2WithOneLineNamingTheFieldAndStoresNothing(String what, String[] args, String named) {
        Cli cli = cli();
        Cli.Result r = cli.run(args);
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.errLines()).as(r.toString()).singleElement().asString().startsWith("ferry: ").contains(named);
        assertThat(r.err()).doesNotContain("\tat ", "Exception");
        assertThat(r.out()).isEmpty();
        assertThat(cli.run("queues", "--json").out()).contains("\"queues\" : [ ]");
    }

    @Test
    void theBrokerComesFromTheEnvironmentWhenNotGiven() {
        Cli cli = cli().env("FERRY_BROKER", "sqlite:" + dir.resolve("from-env.db"));
        assertThat(cli.raw("enqueue", "default", "demo.echo").code()).isZero();
        assertThat(dir.resolve("from-env.db")).exists();
        assertThat(cli.raw("queues", "--broker", cli.broker).out()).contains("no queues yet");
        assertThat(cli.raw("queues").out()).contains("default");
    }

    @Test
    void anUnknownBrokerSchemeIsBadInput() {
        Cli.Result r = cli().raw("queues", "--broker", "nosuch://host");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().contains("--broker", "nosuch");
    }
}
