package dev.ferry.server;

import static dev.ferry.server.Html.esc;
import static dev.ferry.server.Html.pathSegment;
import static dev.ferry.server.Route.Access.OPERATOR;
import static dev.ferry.server.Route.Access.VIEWER;
import static dev.ferry.server.Route.Kind.PAGE;

import dev.ferry.CronSchedules;
import dev.ferry.Explanation;
import dev.ferry.Inspector;
import dev.ferry.QueueStats;
import dev.ferry.StoredSchedule;
import dev.ferry.TaskError;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.WorkerInfo;
import dev.ferry.spi.TaskPage;
import dev.ferry.workflow.WorkflowInfo;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The web dashboard: server-rendered pages, and the form posts their buttons send (each answered
 * with a redirect back to a page, so a reload never repeats an action). Live parts — counts and
 * charts on the overview — are filled in by {@code /static/ferry.js} from the JSON API. Every
 * page costs a bounded number of broker reads: the maintained counters and one page of tasks,
 * never a scan over all tasks.
 */
final class Dashboard {
    static final int PAGE_SIZE = 50;
    /** The states shown as columns, in lifecycle order. */
    static final List<TaskState> STATES = List.of(TaskState.SCHEDULED, TaskState.PENDING, TaskState.ACTIVE, TaskState.RETRYING,
            TaskState.WAITING, TaskState.COMPLETED, TaskState.DEAD, TaskState.CANCELLED);
    /** Outcome messages a redirect may ask for: fixed texts, so the query cannot inject any. */
    private static final Map<String, String> DONE = Map.ofEntries(
            Map.entry("retried", "Task sent back to pending."),
            Map.entry("retried-many", "Tasks sent back to pending: "),
            Map.entry("cancelled", "Cancel requested."),
            Map.entry("deleted", "Task deleted."),
            Map.entry("paused", "Queue paused: workers no longer claim from it."),
            Map.entry("resumed", "Queue resumed."),
            Map.entry("purged", "Tasks purged: "),
            Map.entry("replayed", "Dead tasks sent back to pending: "),
            Map.entry("cron-removed", "Schedule removed: schedulers stop firing it at their next round."));
    /** The task header that names a workflow step's workflow (set by the core's workflow engine). */
    static final String WORKFLOW_HEADER = "ferry-wf";

    private final Inspector inspector;
    private final CronSchedules cron;
    private final String defaultQueue;
    private final StatsSampler sampler;
    private final Clock clock;
    private final Duration refresh;

    Dashboard(Inspector inspector, CronSchedules cron, String defaultQueue, StatsSampler sampler, Clock clock, Duration refresh) {
        this.inspector = inspector;
        this.cron = cron;
        this.defaultQueue = defaultQueue;
        this.sampler = sampler;
        this.clock = clock;
        this.refresh = refresh;
    }

    void register(Router r) {
        r.add("GET", "/", VIEWER, PAGE, this::overview);
        r.add("GET", "/queues/{queue}", VIEWER, PAGE, this::queuePage);
        r.add("GET", "/tasks/{id}", VIEWER, PAGE, this::taskPage);
        r.add("GET", "/dead", VIEWER, PAGE, this::deadPage);
        r.add("GET", "/workers", VIEWER, PAGE, this::workersPage);
        r.add("GET", "/cron", VIEWER, PAGE, this::cronPage);
        r.add("GET", "/workflows/{id}", VIEWER, PAGE, this::workflowPage);

        r.add("POST", "/ui/tasks/{id}/retry", OPERATOR, PAGE, c -> taskAction(c, "retried"));
        r.add("POST", "/ui/tasks/{id}/cancel", OPERATOR, PAGE, c -> taskAction(c, "cancelled"));
        r.add("POST", "/ui/tasks/{id}/delete", OPERATOR, PAGE, c -> taskAction(c, "deleted"));
        r.add("POST", "/ui/tasks/retry", OPERATOR, PAGE, this::retrySelected);
        r.add("POST", "/ui/queues/{queue}/pause", OPERATOR, PAGE, c -> pause(c, true));
        r.add("POST", "/ui/queues/{queue}/resume", OPERATOR, PAGE, c -> pause(c, false));
        r.add("POST", "/ui/queues/{queue}/purge", OPERATOR, PAGE, this::purge);
        r.add("POST", "/ui/queues/{queue}/replay", OPERATOR, PAGE, c -> {
            long n = inspector.replayDead(c.param("queue"));
            c.redirect("/queues/" + pathSegment(c.param("queue")) + "?state=pending&done=replayed&n=" + n);
        });
        r.add("POST", "/ui/dead/replay", OPERATOR, PAGE, c -> c.redirect("/dead?done=replayed&n=" + inspector.replayDead()));
        r.add("POST", "/ui/cron/{name}/remove", OPERATOR, PAGE, this::removeSchedule);
    }

    private static boolean operator(Call c) {
        return c.principal() != null && c.principal().role().allows(Role.OPERATOR);
    }

    private static String flash(Call c) {
        String done = c.query("done");
        String text = done == null ? null : DONE.get(done);
        if (text == null) {
            return "";
        }
        String n = c.query("n");
        if (text.endsWith(": ")) {
            text = text + (n != null && n.matches("\\d{1,12}") ? n : "?");
        }
        return "<p class=\"flash\" role=\"status\">" + esc(text) + "</p>";
    }

    // ---------------------------------------------------------------- overview

    private void overview(Call c) throws IOException {
        Instant now = clock.instant();
        List<QueueStats> queues = inspector.queues();
        List<WorkerInfo> workers = inspector.workers();
        long depth = 0;
        long dead = 0;
        double perSecond = 0;
        for (QueueStats q : queues) {
            depth += Json.depth(q);
            dead += q.count(TaskState.DEAD);
            perSecond += sampler.throughput(q.queue(), Duration.ofMinutes(1)).perSecond();
        }
        StringBuilder b = new StringBuilder();
        b.append("<h1>Queues</h1>").append(flash(c));
        b.append("<section class=\"cards\">")
                .append(card("depth", "Depth (not finished)", Long.toString(depth)))
                .append(card("throughput", "Processed / s (1 min)", String.format(java.util.Locale.ROOT, "%.2f", perSecond)))
                .append(card("dead", "Dead", Long.toString(dead)))
                .append(card("workers", "Workers alive", Integer.toString(workers.size())))
                .append("</section>");
        b.append("<section class=\"charts\" id=\"charts\" data-series=\"/api/v1/series?minutes=5\" data-interval=\"")
                .append(refresh.toMillis()).append("\">")
                .append("<figure><figcaption>Depth</figcaption><div class=\"chart\" data-metric=\"depth\" data-unit=\"tasks\"></div></figure>")
                .append("<figure><figcaption>Throughput (processed / s)</figcaption><div class=\"chart\" data-metric=\"processedPerSecond\" data-unit=\"/s\"></div></figure>")
                .append("<figure><figcaption>Latency (oldest pending, s)</figcaption><div class=\"chart\" data-metric=\"latencySeconds\" data-unit=\"s\"></div></figure>")
                .append("</section>");
        b.append("<table id=\"queues\" class=\"grid\" data-poll=\"/api/v1/queues\" data-interval=\"").append(refresh.toMillis())
                .append("\"><thead><tr><th>Queue</th>");
        for (TaskState s : STATES) {
            b.append("<th class=\"num\">").append(esc(Json.lower(s))).append("</th>");
        }
        b.append("<th class=\"num\">latency</th><th class=\"num\">/s (1m)</th></tr></thead><tbody>");
        for (QueueStats q : queues) {
            String name = q.queue();
            b.append("<tr data-queue=\"").append(esc(name)).append("\"><td><a href=\"/queues/").append(esc(pathSegment(name))).append("\">")
                    .append(esc(name)).append("</a>")
                    .append(q.paused() ? " <span class=\"badge paused\" data-field=\"paused\">paused</span>" : " <span class=\"badge paused\" data-field=\"paused\" hidden>paused</span>")
                    .append("</td>");
            for (TaskState s : STATES) {
                b.append("<td class=\"num\" data-field=\"").append(Json.lower(s)).append("\">").append(q.count(s)).append("</td>");
            }
            double age = q.oldestPendingAt() == null ? 0 : Math.max(0, Duration.between(q.oldestPendingAt(), now).toMillis()) / 1000.0;
            b.append("<td class=\"num\" data-field=\"latency\">").append(esc(String.format(java.util.Locale.ROOT, "%.1fs", age))).append("</td>")
                    .append("<td class=\"num\" data-field=\"throughput\">")
                    .append(esc(String.format(java.util.Locale.ROOT, "%.2f", sampler.throughput(name, Duration.ofMinutes(1)).perSecond())))
                    .append("</td></tr>");
        }
        b.append("</tbody></table>");
        if (queues.isEmpty()) {
            b.append("<p class=\"empty\" id=\"no-queues\">No queues yet: enqueue a task (<code>POST /api/v1/queues/{queue}/tasks</code>).</p>");
        }
        c.html(200, Html.page("Overview", "/", c.csrfToken(), b.toString(), true));
    }

    private static String card(String id, String label, String value) {
        return "<div class=\"card\"><div class=\"label\">" + esc(label) + "</div><div class=\"value\" data-card=\"" + esc(id) + "\">"
                + esc(value) + "</div></div>";
    }

    // ---------------------------------------------------------------- queue page

    private void queuePage(Call c) throws IOException {
        String queue = c.param("queue");
        QueueStats q = inspector.queue(queue);
        String stateText = c.query("state");
        TaskState state = stateText == null || stateText.isEmpty() ? TaskState.PENDING : TaskState.parse(stateText);
        int offset = c.intQuery("offset", 0, 0, ApiRoutes.MAX_OFFSET);
        TaskPage page = inspector.tasks(queue, state, offset, PAGE_SIZE);
        String base = "/queues/" + pathSegment(queue);
        String token = c.csrfToken();
        StringBuilder b = new StringBuilder();
        b.append("<h1>Queue <span class=\"name\">").append(esc(queue)).append("</span>")
                .append(q.paused() ? " <span class=\"badge paused\">paused</span>" : "").append("</h1>").append(flash(c));
        if (operator(c)) {
            b.append("<div class=\"actions\">");
            b.append(q.paused() ? Html.button("/ui" + base + "/resume", "Resume", token, "primary", null)
                    : Html.button("/ui" + base + "/pause", "Pause", token, "", null));
            if (q.count(TaskState.DEAD) > 0) {
                b.append(Html.button("/ui" + base + "/replay", "Replay " + q.count(TaskState.DEAD) + " dead", token, "", null));
            }
            b.append("<form method=\"post\" action=\"").append(esc("/ui" + base + "/purge")).append("\" class=\"inline\" data-confirm=\"Delete these tasks for good?\">")
                    .append(Html.csrfField(token)).append("<select name=\"state\" aria-label=\"state to purge\">");
            for (TaskState s : List.of(TaskState.COMPLETED, TaskState.DEAD, TaskState.CANCELLED, TaskState.PENDING, TaskState.SCHEDULED, TaskState.RETRYING)) {
                b.append("<option value=\"").append(Json.lower(s)).append("\">").append(Json.lower(s)).append("</option>");
            }
            b.append("</select><button type=\"submit\" class=\"danger\">Purge</button></form>");
            b.append("</div>");
        }
        b.append("<nav class=\"tabs\">");
        for (TaskState s : STATES) {
            b.append("<a href=\"").append(esc(base + "?state=" + Json.lower(s))).append('"')
                    .append(s == state ? " class=\"active\" aria-current=\"page\"" : "").append('>')
                    .append(esc(Json.lower(s))).append(" <span class=\"count\">").append(q.count(s)).append("</span></a>");
        }
        b.append("</nav>");
        taskTable(b, page.tasks(), false, null, state);
        pager(b, base + "?state=" + Json.lower(state), offset, page.hasMore(), page.tasks().size());
        c.html(200, Html.page("Queue " + queue, "", token, b.toString(), false));
    }

    private void taskTable(StringBuilder b, List<TaskInfo> tasks, boolean showQueue, String selectToken, TaskState state) {
        if (tasks.isEmpty()) {
            b.append("<p class=\"empty\">No ").append(esc(Json.lower(state))).append(" tasks here.</p>");
            return;
        }
        Instant now = clock.instant();
        b.append("<table class=\"grid tasks\"><thead><tr>");
        if (selectToken != null) {
            b.append("<th><input type=\"checkbox\" id=\"select-all\" aria-label=\"select all\"></th>");
        }
        b.append("<th>Task</th><th>Type</th>");
        if (showQueue) {
            b.append("<th>Queue</th>");
        }
        b.append("<th class=\"num\">Priority</th><th class=\"num\">Attempt</th><th>When</th><th>Last error</th></tr></thead><tbody>");
        for (TaskInfo t : tasks) {
            b.append("<tr data-task=\"").append(esc(t.id())).append("\">");
            if (selectToken != null) {
                b.append("<td><input type=\"checkbox\" name=\"id\" form=\"retry-selected\" value=\"").append(esc(t.id()))
                        .append("\" aria-label=\"select ").append(esc(t.id())).append("\"></td>");
            }
            b.append("<td><a class=\"task-link\" href=\"/tasks/").append(esc(pathSegment(t.id()))).append("\">").append(esc(t.id())).append("</a></td>")
                    .append("<td>").append(esc(t.type())).append("</td>");
            if (showQueue) {
                b.append("<td><a href=\"/queues/").append(esc(pathSegment(t.queue()))).append("\">").append(esc(t.queue())).append("</a></td>");
            }
            b.append("<td class=\"num\">").append(t.priority()).append("</td>")
                    .append("<td class=\"num\">").append(t.attempt()).append(" / ").append(t.maxAttempts()).append("</td>")
                    .append("<td>").append(when(t, now)).append("</td>");
            TaskError e = t.lastError();
            b.append("<td class=\"error\">").append(e == null ? "" : esc(Json.clip(e.errorType() + ": " + e.message(), 160))).append("</td></tr>");
        }
        b.append("</tbody></table>");
    }

    private static String when(TaskInfo t, Instant now) {
        return switch (t.state()) {
            case SCHEDULED, RETRYING -> "runs " + Html.timeAgo(t.runAt(), now);
            case PENDING, WAITING -> "ready " + Html.timeAgo(t.runAt(), now);
            case ACTIVE -> "started " + Html.timeAgo(t.startedAt(), now);
            default -> "finished " + Html.timeAgo(t.finishedAt(), now);
        };
    }

    private static void pager(StringBuilder b, String base, int offset, boolean hasMore, int shown) {
        if (offset == 0 && !hasMore) {
            return;
        }
        b.append("<nav class=\"pager\">");
        if (offset > 0) {
            b.append("<a rel=\"prev\" href=\"").append(esc(base + "&offset=" + Math.max(0, offset - PAGE_SIZE))).append("\">← Newer / earlier</a>");
        }
        b.append("<span>").append(offset + (shown == 0 ? 0 : 1)).append("–").append(offset + shown).append("</span>");
        if (hasMore) {
            b.append("<a rel=\"next\" href=\"").append(esc(base + "&offset=" + (offset + PAGE_SIZE))).append("\">More →</a>");
        }
        b.append("</nav>");
    }

    // ---------------------------------------------------------------- task page

    private void taskPage(Call c) throws IOException {
        String id = c.param("id");
        TaskInfo t = inspector.task(id).orElseThrow(() -> HttpError.notFound("no task with id '" + id + "'"));
        Instant now = clock.instant();
        String token = c.csrfToken();
        String ui = "/ui/tasks/" + pathSegment(t.id());
        StringBuilder b = new StringBuilder();
        b.append("<h1>Task <span class=\"name\">").append(esc(t.id())).append("</span> <span class=\"badge state-")
                .append(Json.lower(t.state())).append("\" id=\"task-state\">").append(Json.lower(t.state())).append("</span></h1>")
                .append(flash(c));
        if (operator(c)) {
            b.append("<div class=\"actions\">");
            if (t.state() == TaskState.DEAD || t.state() == TaskState.RETRYING || t.state() == TaskState.SCHEDULED || t.state() == TaskState.CANCELLED) {
                b.append(Html.button(ui + "/retry", "Retry now", token, "primary", null));
            }
            if (!t.state().isFinished()) {
                b.append(Html.button(ui + "/cancel", "Cancel", token, "", null));
            }
            if (t.state() != TaskState.ACTIVE) {
                b.append(Html.button(ui + "/delete", "Delete", token, "danger", "Delete this task for good?"));
            }
            b.append("</div>");
        }
        explanation(b, inspector.explain(t.id()), now);
        b.append("<dl class=\"facts\">");
        fact(b, "Type", esc(t.type()));
        fact(b, "Queue", "<a href=\"/queues/" + esc(pathSegment(t.queue())) + "\">" + esc(t.queue()) + "</a>");
        fact(b, "State", esc(Json.lower(t.state())) + (t.cancelRequested() ? " (cancel requested)" : "")
                + (t.deadReason() != null ? " — " + esc(Json.lower(t.deadReason())) : ""));
        fact(b, "Priority", Integer.toString(t.priority()));
        fact(b, "Attempt", t.attempt() + " of " + t.maxAttempts());
        fact(b, "Timeout", esc(Html.human(t.timeout())));
        fact(b, "Worker", esc(t.workerId() == null ? "—" : t.workerId()));
        fact(b, "Unique key", esc(t.uniqueKey() == null ? "—" : t.uniqueKey()));
        fact(b, "Lease expirations", Integer.toString(t.leaseExpirations()));
        String workflow = t.headers().get(WORKFLOW_HEADER);
        if (workflow != null) {
            fact(b, "Workflow", "<a id=\"workflow-link\" href=\"/workflows/" + esc(pathSegment(workflow)) + "\">" + esc(workflow) + "</a>");
        }
        b.append("</dl>");

        b.append("<h2>Payload</h2><pre class=\"json\" id=\"payload\">").append(esc(Json.pretty(t.payloadJson()))).append("</pre>");
        if (t.progressJson() != null) {
            b.append("<h2>Progress</h2><pre class=\"json\" id=\"progress\">").append(esc(Json.pretty(t.progressJson()))).append("</pre>");
        }
        if (t.resultJson() != null) {
            b.append("<h2>Result</h2><pre class=\"json\" id=\"result\">").append(esc(Json.pretty(t.resultJson()))).append("</pre>");
        }
        if (!t.headers().isEmpty()) {
            b.append("<h2>Headers</h2><table class=\"grid\"><tbody>");
            t.headers().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(h -> b.append("<tr><th>").append(esc(h.getKey()))
                    .append("</th><td>").append(esc(h.getValue())).append("</td></tr>"));
            b.append("</tbody></table>");
        }
        b.append("<h2>Attempts</h2>");
        if (t.errors().isEmpty()) {
            b.append("<p class=\"empty\">No failed attempts.</p>");
        } else {
            b.append("<ol class=\"errors\">");
            for (TaskError e : t.errors()) {
                b.append("<li><div><strong>Attempt ").append(e.attempt()).append("</strong> failed ").append(Html.timeAgo(e.at(), now))
                        .append(": <span class=\"error-type\">").append(esc(e.errorType())).append("</span></div>")
                        .append("<div class=\"error-message\">").append(esc(e.message())).append("</div>");
                if (!e.stackTrace().isEmpty()) {
                    b.append("<details><summary>Stack trace</summary><pre class=\"stack\">").append(esc(e.stackTrace())).append("</pre></details>");
                }
                b.append("</li>");
            }
            b.append("</ol>");
        }
        b.append("<h2>Timeline</h2><ol class=\"timeline\">");
        for (Event e : timeline(t)) {
            b.append("<li><span class=\"when\">").append(Html.timeAgo(e.at(), now)).append("</span> ").append(esc(e.what())).append("</li>");
        }
        b.append("</ol>");
        c.html(200, Html.page("Task " + t.id(), "", token, b.toString(), false));
    }

    /** The explainer's answer as one line: why the task is not running, or that it runs or finished. */
    private static void explanation(StringBuilder b, Explanation e, Instant now) {
        String label = switch (e.reason()) {
            case RUNNING, WORKER_SILENT -> "Running";
            case FINISHED -> "Finished";
            default -> "Why not running";
        };
        b.append("<p class=\"explain reason-").append(esc(Json.lower(e.reason()).replace('_', '-'))).append("\" id=\"explain\" data-reason=\"")
                .append(esc(Json.lower(e.reason()))).append("\"><strong>").append(esc(label)).append(":</strong> <span class=\"badge\">")
                .append(esc(Json.lower(e.reason()).replace('_', ' '))).append("</span> <span class=\"explain-message\">")
                .append(esc(e.message())).append("</span>");
        if (e.until() != null) {
            b.append(" <span class=\"until\">(").append(Html.timeAgo(e.until(), now)).append(")</span>");
        }
        b.append("</p>");
    }

    private static void fact(StringBuilder b, String term, String markup) {
        b.append("<dt>").append(esc(term)).append("</dt><dd>").append(markup).append("</dd>");
    }

    private record Event(Instant at, String what) {
    }

    /** What the stored timestamps tell, in order; the broker keeps the last transition of each kind. */
    private static List<Event> timeline(TaskInfo t) {
        List<Event> events = new ArrayList<>();
        events.add(new Event(t.enqueuedAt(), "enqueued"));
        if (t.runAt() != null && t.enqueuedAt() != null && t.runAt().isAfter(t.enqueuedAt())) {
            events.add(new Event(t.runAt(), t.state() == TaskState.SCHEDULED || t.state() == TaskState.RETRYING ? "due" : "became due"));
        }
        for (TaskError e : t.errors()) {
            events.add(new Event(e.at(), "attempt " + e.attempt() + " failed: " + Json.clip(e.message(), 120)));
        }
        if (t.startedAt() != null) {
            events.add(new Event(t.startedAt(), "attempt " + t.attempt() + " started" + (t.workerId() == null ? "" : " on " + t.workerId())));
        }
        if (t.finishedAt() != null) {
            events.add(new Event(t.finishedAt(), Json.lower(t.state())));
        }
        if (t.expiresAt() != null) {
            events.add(new Event(t.expiresAt(), "pruned (retention ends)"));
        }
        events.removeIf(e -> e.at() == null);
        events.sort(Comparator.comparing(Event::at));
        return events;
    }

    // ---------------------------------------------------------------- dead set

    private void deadPage(Call c) throws IOException {
        String queue = c.query("queue");
        int offset = c.intQuery("offset", 0, 0, ApiRoutes.MAX_OFFSET);
        TaskPage page = inspector.tasks(queue == null || queue.isEmpty() ? null : queue, TaskState.DEAD, offset, PAGE_SIZE);
        long total = 0;
        for (QueueStats q : inspector.queues()) {
            total += q.count(TaskState.DEAD);
        }
        String token = c.csrfToken();
        StringBuilder b = new StringBuilder();
        b.append("<h1>Dead set <span class=\"count\" id=\"dead-total\">").append(total).append("</span></h1>").append(flash(c));
        if (operator(c) && total > 0) {
            b.append("<div class=\"actions\">")
                    .append(Html.button("/ui/dead/replay", "Replay all " + total + " dead tasks", token, "primary", null))
                    .append("<form method=\"post\" action=\"/ui/tasks/retry\" id=\"retry-selected\" class=\"inline\">")
                    .append(Html.csrfField(token)).append("<button type=\"submit\">Retry selected</button></form>")
                    .append("</div>");
        }
        taskTable(b, page.tasks(), true, operator(c) ? token : null, TaskState.DEAD);
        pager(b, "/dead?queue=" + pathSegment(queue == null ? "" : queue), offset, page.hasMore(), page.tasks().size());
        c.html(200, Html.page("Dead set", "/dead", token, b.toString(), false));
    }

    // ---------------------------------------------------------------- workers

    private void workersPage(Call c) throws IOException {
        Instant now = clock.instant();
        List<WorkerInfo> workers = inspector.workers();
        StringBuilder b = new StringBuilder();
        b.append("<h1>Workers <span class=\"count\">").append(workers.size()).append("</span></h1>");
        if (workers.isEmpty()) {
            b.append("<p class=\"empty\">No worker has sent a heartbeat in the last minute.</p>");
        } else {
            b.append("<table class=\"grid\"><thead><tr><th>Worker</th><th>Host</th><th class=\"num\">PID</th><th>Queues</th>")
                    .append("<th>Busy</th><th>Started</th><th>Last heartbeat</th></tr></thead><tbody>");
            for (WorkerInfo w : workers) {
                int pct = w.concurrency() == 0 ? 0 : (int) Math.round(100.0 * w.busy() / w.concurrency());
                b.append("<tr data-worker=\"").append(esc(w.workerId())).append("\"><td>").append(esc(w.workerId())).append("</td>")
                        .append("<td>").append(esc(w.host())).append("</td><td class=\"num\">").append(w.pid()).append("</td>")
                        .append("<td>").append(esc(String.join(", ", w.queues()))).append("</td>")
                        .append("<td><meter min=\"0\" max=\"").append(w.concurrency()).append("\" value=\"").append(w.busy()).append("\"></meter> ")
                        .append(w.busy()).append(" / ").append(w.concurrency()).append(" (").append(pct).append("%)</td>")
                        .append("<td>").append(Html.timeAgo(w.startedAt(), now)).append("</td>")
                        .append("<td>").append(Html.timeAgo(w.lastHeartbeat(), now)).append("</td></tr>");
            }
            b.append("</tbody></table>");
        }
        c.html(200, Html.page("Workers", "/workers", c.csrfToken(), b.toString(), false));
    }

    // ---------------------------------------------------------------- cron

    private void cronPage(Call c) throws IOException {
        Instant now = clock.instant();
        List<StoredSchedule> schedules = cron.list();
        String token = c.csrfToken();
        boolean operator = operator(c);
        StringBuilder b = new StringBuilder();
        b.append("<h1>Cron schedules <span class=\"count\">").append(schedules.size()).append("</span></h1>").append(flash(c));
        if (schedules.isEmpty()) {
            b.append("<p class=\"empty\" id=\"no-schedules\">No schedules stored: add one with <code>POST /api/v1/cron</code> ")
                    .append("or <code>ferry cron add</code>; schedulers publish the ones registered in code here too.</p>");
        } else {
            b.append("<table class=\"grid\" id=\"schedules\"><thead><tr><th>Name</th><th>Schedule</th><th>Zone</th><th>Type</th><th>Queue</th>")
                    .append("<th>Payload</th><th>Next fire</th><th>Misfire</th><th>Overlap</th><th>Source</th>");
            if (operator) {
                b.append("<th></th>");
            }
            b.append("</tr></thead><tbody>");
            for (StoredSchedule s : schedules) {
                String queue = s.task().queue() == null ? defaultQueue : s.task().queue();
                String payload = s.task().payload() instanceof dev.ferry.RawJson raw ? raw.json() : String.valueOf(s.task().payload());
                b.append("<tr data-schedule=\"").append(esc(s.name())).append("\"><td class=\"name\">").append(esc(s.name())).append("</td>")
                        .append("<td><code class=\"spec\">").append(esc(s.spec())).append("</code></td>")
                        .append("<td>").append(esc(s.zone())).append("</td>")
                        .append("<td>").append(esc(s.task().type())).append("</td>")
                        .append("<td><a href=\"/queues/").append(esc(pathSegment(queue))).append("\">").append(esc(queue)).append("</a></td>")
                        .append("<td class=\"payload\"><code>").append(esc(Json.clip(payload, 160))).append("</code></td>")
                        .append("<td data-field=\"next\">").append(Html.timeAgo(s.nextFireTime(), now)).append("</td>")
                        .append("<td>").append(esc(Json.lower(s.misfire()))).append("</td>")
                        .append("<td>").append(esc(Json.lower(s.overlap()))).append("</td>")
                        .append("<td>").append(esc(s.source())).append("</td>");
                if (operator) {
                    b.append("<td>").append(Html.button("/ui/cron/" + pathSegment(s.name()) + "/remove", "Remove", token, "danger",
                            "Remove schedule " + s.name() + "?")).append("</td>");
                }
                b.append("</tr>");
            }
            b.append("</tbody></table>");
            if (schedules.stream().anyMatch(s -> "code".equals(s.source()))) {
                b.append("<p class=\"empty\">Schedules with source <code>code</code> are registered by an application's scheduler; ")
                        .append("it publishes them again, so remove them in the code.</p>");
            }
        }
        c.html(200, Html.page("Cron", "/cron", token, b.toString(), false));
    }

    private void removeSchedule(Call c) throws IOException {
        String name = c.param("name");
        if (!cron.remove(name)) {
            throw HttpError.notFound("no cron schedule named '" + name + "'");
        }
        c.redirect("/cron?done=cron-removed");
    }

    // ---------------------------------------------------------------- workflows

    /** A workflow as a graph: one column per depth (steps whose parents are all in earlier columns). */
    private void workflowPage(Call c) throws IOException {
        String id = c.param("id");
        WorkflowInfo w = inspector.workflow(id).orElseThrow(() -> HttpError.notFound("no workflow with id '" + id + "'"));
        Map<String, Integer> depth = new HashMap<>();
        // a step's depth is one more than its deepest parent's; the graph is acyclic, so at most
        // one pass per step settles every depth, whatever order the steps were defined in
        for (int pass = 0, changed = 1; changed > 0 && pass <= w.steps().size(); pass++) {
            changed = 0;
            for (WorkflowInfo.StepInfo s : w.steps()) {
                int d = 0;
                for (String parent : s.dependsOn()) {
                    d = Math.max(d, depth.getOrDefault(parent, 0) + 1);
                }
                if (!Integer.valueOf(d).equals(depth.put(s.name(), d))) {
                    changed++;
                }
            }
        }
        int maxDepth = depth.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        StringBuilder b = new StringBuilder();
        b.append("<h1>Workflow <span class=\"name\">").append(esc(w.id())).append("</span> <span class=\"badge\" id=\"workflow-status\">")
                .append(esc(Json.lower(w.status()))).append("</span></h1>");
        b.append("<p class=\"empty\">Failure policy: ").append(esc(Json.lower(w.policy()))).append(". ")
                .append(w.steps().size()).append(" steps.</p>");
        b.append("<div class=\"graph\" id=\"workflow-graph\">");
        for (int d = 0; d <= maxDepth; d++) {
            b.append("<div class=\"column\">");
            for (WorkflowInfo.StepInfo s : w.steps()) {
                if (depth.get(s.name()) != d) {
                    continue;
                }
                b.append("<div class=\"step\" data-step=\"").append(esc(s.name())).append("\"><div><a href=\"/tasks/")
                        .append(esc(pathSegment(s.taskId()))).append("\">").append(esc(s.name())).append("</a> <span class=\"badge state-")
                        .append(esc(Json.lower(s.state()))).append("\">").append(esc(Json.lower(s.state()))).append("</span></div>")
                        .append("<div class=\"muted\">").append(esc(s.type())).append(" · ").append(esc(s.queue())).append("</div>");
                if (!s.dependsOn().isEmpty()) {
                    b.append("<div class=\"muted\">after ").append(esc(String.join(", ", s.dependsOn()))).append("</div>");
                }
                b.append("</div>");
            }
            b.append("</div>");
        }
        b.append("</div>");
        if (w.resultJson() != null) {
            b.append("<h2>Result</h2><pre class=\"json\" id=\"workflow-result\">").append(esc(Json.pretty(w.resultJson()))).append("</pre>");
        }
        c.html(200, Html.page("Workflow " + w.id(), "", c.csrfToken(), b.toString(), false));
    }

    // ---------------------------------------------------------------- actions

    private void taskAction(Call c, String done) throws IOException {
        String id = c.param("id");
        TaskInfo t = inspector.task(id).orElseThrow(() -> HttpError.notFound("no task with id '" + id + "'"));
        boolean ok = switch (done) {
            case "retried" -> inspector.retry(id);
            case "cancelled" -> inspector.cancel(id);
            default -> inspector.delete(id);
        };
        if (!ok) {
            String what = done.equals("retried") ? "retried" : done.equals("cancelled") ? "cancelled" : "deleted";
            throw HttpError.conflict("invalid_state", "task '" + id + "' is " + Json.lower(t.state()) + " and cannot be " + what, Map.of());
        }
        c.redirect(done.equals("deleted") ? "/queues/" + pathSegment(t.queue()) + "?state=" + Json.lower(t.state()) + "&done=deleted"
                : "/tasks/" + pathSegment(id) + "?done=" + done);
    }

    private void retrySelected(Call c) throws IOException {
        List<String> ids = c.form().getOrDefault("id", List.of());
        if (ids.isEmpty()) {
            throw HttpError.badRequest("id", "select at least one task");
        }
        long n = 0;
        for (String id : ids) {
            if (inspector.retry(id)) {
                n++;
            }
        }
        c.redirect("/dead?done=retried-many&n=" + n);
    }

    private void pause(Call c, boolean pause) throws IOException {
        String queue = c.param("queue");
        if (pause) {
            inspector.pause(queue);
        } else {
            inspector.resume(queue);
        }
        c.redirect("/queues/" + pathSegment(queue) + "?done=" + (pause ? "paused" : "resumed"));
    }

    private void purge(Call c) throws IOException {
        String queue = c.param("queue");
        String stateText = c.formField("state");
        if (stateText == null) {
            throw HttpError.badRequest("state", "choose the state to purge");
        }
        TaskState state = TaskState.parse(stateText);
        if (state == TaskState.ACTIVE) {
            throw HttpError.badRequest("state", "running (active) tasks are never purged; cancel them first");
        }
        long n = inspector.purge(queue, state);
        c.redirect("/queues/" + pathSegment(queue) + "?state=" + Json.lower(state) + "&done=purged&n=" + n);
    }

    /** The page shown for an error on a dashboard route. */
    static String errorPage(Call c, HttpError e) {
        String body = "<h1>" + e.status() + " " + esc(reason(e.status())) + "</h1><p class=\"error-message\" id=\"error\">" + esc(e.getMessage())
                + "</p><p><a href=\"/\">Back to the overview</a></p>";
        return Html.page("Error " + e.status(), "", null, body, false);
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 405 -> "Method not allowed";
            case 409 -> "Conflict";
            case 413 -> "Too large";
            default -> status >= 500 ? "Server error" : "Error";
        };
    }
}
