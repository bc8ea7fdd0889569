package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.Ferry;
import dev.ferry.QueueStats;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
    @TempDir
    Path dir;

    private static long figure(String out, String label) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(label) + "\\s+(\\d+)").matcher(out);
        assertThat(m.find()).as("'%s' in:%n%s", label, out).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void theDemoChargesEveryGoodOrderOnceAndDeadLettersThePoisonOne() {
        Cli.Result r = new Cli(dir).raw("demo", "--orders", "12");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).contains("\r", "orders done 12/12");
        String out = r.out();
        assertThat(figure(out, "orders")).isEqualTo(12);
        assertThat(figure(out, "orders completed")).isEqualTo(11);
        assertThat(figure(out, "dead")).isEqualTo(1);
        assertThat(figure(out, "real charges")).isEqualTo(11);
        assertThat(out).contains("orders charged twice: 0", "wf.ord-0006.charge", "latency p50", "latency p99", "11 completed, 1 failed");
        // orders 3, 9 and 12 (every third but the poison 6) fail once after charging: retried, not charged again
        assertThat(figure(out, "retried")).isEqualTo(3 + 2);
        assertThat(figure(out, "finalize runs")).isEqualTo(11);
        // validate 12, charge 11, finalize 11, notify 11; inventory 11 or 12 (the poison order's
        // runs in parallel with its failing charge, unless the workflow's cancel comes first)
        assertThat(figure(out, "tasks processed")).isBetween(12L + 11 + 11 + 11 + 11, 12L + 11 + 12 + 11 + 11);
    }

    @Test
    void onAGivenStoreTheOutcomeStaysForInspection() {
        Cli cli = new Cli(dir);
        Cli.Result r = cli.run("demo", "--orders", "10");
        assertThat(r.code()).as(r.toString()).isZero();
        try (Ferry ferry = Ferry.open(cli.broker)) {
            List<TaskInfo> dead = ferry.inspector().tasks(null, TaskState.DEAD, 0, 100).tasks();
            assertThat(dead).singleElement().satisfies(t -> {
                assertThat(t.type()).isEqualTo(OrderDemo.CHARGE);
                assertThat(t.id()).startsWith("wf.ord-").endsWith("-0005.charge");
                assertThat(t.attempt()).isEqualTo(OrderDemo.MAX_ATTEMPTS);
                assertThat(t.errors()).hasSize(OrderDemo.MAX_ATTEMPTS);
            });
            long completed = ferry.inspector().queues().stream().mapToLong(q -> q.count(TaskState.COMPLETED)).sum();
            assertThat(completed).isBetween(10L + 9 + 9 + 9 + 9, 10L + 9 + 10 + 9 + 9);
            assertThat(ferry.inspector().workflow(dead.get(0).headers().get("ferry-wf")).orElseThrow().status())
                    .isEqualTo(dev.ferry.workflow.WorkflowInfo.Status.FAILED);
            assertThat(ferry.inspector().queues()).extracting(QueueStats::queue).containsExactly("critical", "default", "low");
        }
        assertThat(r.out()).contains("ferry task wf.ord-");
    }

    @Test
    void ordersOutOfRangeAreBadUsage() {
        Cli.Result r = new Cli(dir).raw("demo", "--orders", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().contains("--orders");
    }
}
