package dev.ferry.internal.workflow;

import dev.ferry.BrokerException;
import dev.ferry.InvalidInputException;
import dev.ferry.JsonCodec;
import dev.ferry.RawJson;
import dev.ferry.Task;
import dev.ferry.TaskDefaults;
import dev.ferry.TaskError;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.internal.DefaultClient;
import dev.ferry.internal.TaskIds;
import dev.ferry.internal.Validation;
import dev.ferry.internal.workflow.Definition.StepDef;
import dev.ferry.internal.workflow.Definition.StepRecord;
import dev.ferry.spi.AdminCommand;
import dev.ferry.spi.Broker;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.IdempotencyRequest;
import dev.ferry.spi.ListRequest;
import dev.ferry.spi.NewTask;
import dev.ferry.spi.Outcome;
import dev.ferry.workflow.FailurePolicy;
import dev.ferry.workflow.Workflow;
import dev.ferry.workflow.WorkflowInfo;
import dev.ferry.workflow.WorkflowRun;
import dev.ferry.workflow.Workflows;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs workflows on the plain Broker SPI, so every backend has them with no code of its own.
 *
 * <h2>Records</h2>
 * All state lives in idempotency records (set-if-absent, never overwritten), kept {@link #TTL}:
 * <ul>
 *   <li>{@code ferry-wf:<id>} — the definition ({@link Definition});</li>
 *   <li>{@code ferry-wf:<id>:s:<step>} — a finished step: its result or its failure;</li>
 *   <li>{@code ferry-wf:<id>:cancelled} — the workflow was cancelled (or failed under FAIL_REST).</li>
 * </ul>
 * Step task ids are deterministic, {@code wf.<id>.<step>}, so releasing a step twice stores it once.
 *
 * <h2>Continuation</h2>
 * {@link #afterRun} runs in the worker after the handler and before the ack: it writes the step's
 * record, then for each dependent reads the records of all its dependencies, and when all are
 * there enqueues it. Whoever finishes last sees every record (each writes before it reads);
 * two who both see them all enqueue the same id, and the broker keeps one. A crash before the
 * ack runs the step again, which repeats the same idempotent continuation. A continuation that
 * cannot reach the broker turns the outcome into a retry, so the step is never acked as done
 * without its successors released.
 */
public final class WorkflowEngine implements Workflows {
    private static final System.Logger LOG = System.getLogger("dev.ferry.workflow");
    /** Header naming the workflow of a step task. */
    public static final String HEADER_ID = "ferry-wf";
    /** Header naming the step of a step task. */
    public static final String HEADER_STEP = "ferry-wf-step";
    /** How long definitions and step records are kept: a workflow must finish within this. */
    public static final Duration TTL = Duration.ofDays(30);
    private static final String PREFIX = "ferry-wf:";
    private static final int CACHE_LIMIT = 10_000;
    /** How long after a step died the sweep still re-checks that its failure was handled. */
    private static final Duration REPAIR_WINDOW = Duration.ofMinutes(10);

    private final Broker broker;
    private final JsonCodec codec;
    private final TaskDefaults defaults;
    /** Definitions never change once stored, so a worker reads each one once. */
    private final Map<String, Definition> cache = new ConcurrentHashMap<>();

    public WorkflowEngine(Broker broker, JsonCodec codec, TaskDefaults defaults) {
        this.broker = broker;
        this.codec = codec;
        this.defaults = defaults;
    }

    /** An engine for workers and inspectors, which never start workflows with defaults of their own. */
    public WorkflowEngine(Broker broker, JsonCodec codec) {
        this(broker, codec, TaskDefaults.standard());
    }

    /** The deterministic task id of a step. */
    public static String taskId(String workflowId, String step) {
        return "wf." + workflowId + "." + step;
    }

    // ---- start ---------------------------------------------------------------------------------

    @Override
    public WorkflowRun start(Workflow workflow) {
        if (workflow == null) {
            throw new InvalidInputException("workflow", "must not be null");
        }
        String id = workflow.id() != null ? workflow.id() : TaskIds.next();
        DefaultClient client = new DefaultClient(broker, codec, defaults);
        List<StepDef> steps = new ArrayList<>();
        Map<String, String> taskIds = new LinkedHashMap<>();
        for (Workflow.Step s : workflow.steps()) {
            steps.add(resolve(client, id, s));
            taskIds.put(s.name(), taskId(id, s.name()));
        }
        Definition def = new Definition(1, id, workflow.policy().name(), List.copyOf(steps), workflow.lastSteps(), workflow.resultIsList());
        String json = def.toJson();
        String stored = broker.idempotency(new IdempotencyRequest(PREFIX + id, json, TTL)).orElse(json);
        if (!stored.equals(json)) {
            throw new InvalidInputException("id", "a different workflow with id '" + id + "' exists; choose another id");
        }
        cacheDefinition(def);
        if (!cancelled(id)) {
            List<NewTask> roots = new ArrayList<>();
            for (StepDef s : def.steps()) {
                // Starting a caller-named workflow again: a first step that already finished (its
                // task perhaps pruned since) must not run again.
                if (s.deps().isEmpty() && (workflow.id() == null || record(id, s.name()) == null)) {
                    roots.add(newTask(def, s, s.payload() != null ? s.payload() : "null"));
                }
            }
            if (!roots.isEmpty()) {
                broker.enqueue(new EnqueueRequest(roots));
            }
            if (cancelled(id)) { // a cancel that scanned before the roots existed: see release()
                roots.forEach(r -> broker.admin(new AdminCommand.Cancel(r.id())));
            }
        }
        return new WorkflowRun(id, taskIds);
    }

    private StepDef resolve(DefaultClient client, String id, Workflow.Step s) {
        String field = "steps[" + s.name() + "]";
        Task t = s.task();
        Task probe = t.payload() != null ? t : new Task(t.type(), new RawJson("null"), t.queue(), t.priority(), t.delay(),
                t.runAt(), t.maxAttempts(), t.timeout(), t.uniqueKey(), t.uniqueFor(), t.id(), t.retention(), t.headers());
        try {
            client.validate(probe);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(field + "." + e.field(), e.getMessage().substring(e.field().length() + 2));
        }
        Validation.id(field + ".taskId", taskId(id, s.name()));
        for (String h : t.headers().keySet()) {
            if (h.startsWith(HEADER_ID)) {
                throw new InvalidInputException(field + ".headers", "'" + h + "' is reserved for workflows");
            }
        }
        Duration delay = t.delay() != null ? t.delay() : Duration.ZERO;
        return new StepDef(s.name(), t.type(), t.queue() != null ? t.queue() : defaults.queue(),
                t.priority() != null ? t.priority() : defaults.priority(), delay.toMillis(),
                t.maxAttempts() != null ? t.maxAttempts() : defaults.maxAttempts(),
                (t.timeout() != null ? t.timeout() : defaults.timeout()).toMillis(),
                (t.retention() != null ? t.retention() : defaults.retention()).toMillis(),
                defaults.deadRetention().toMillis(), t.headers(),
                t.payload() != null ? codec.encode(t.payload()) : null, s.dependsOn(), s.input().name());
    }

    private static NewTask newTask(Definition def, StepDef s, String payload) {
        Map<String, String> headers = new HashMap<>(s.headers());
        headers.put(HEADER_ID, def.id());
        headers.put(HEADER_STEP, s.name());
        return new NewTask(taskId(def.id(), s.name()), s.queue(), s.type(), payload, s.priority(), Duration.ofMillis(s.delayMs()),
                null, s.maxAttempts(), Duration.ofMillis(s.timeoutMs()), null, null, Duration.ofMillis(s.retentionMs()),
                Duration.ofMillis(s.deadRetentionMs()), headers);
    }

    // ---- continuation (worker side) ------------------------------------------------------------

    /**
     * Called by the worker after a step's handler returned and before its ack is submitted.
     * Returns the outcome to ack: the same one, or a retry when the continuation could not reach
     * the broker (so the step runs again and repeats the continuation). Never throws.
     */
    public Outcome afterRun(ClaimedTask task, Outcome outcome) {
        String id = task.headers().get(HEADER_ID);
        String step = task.headers().get(HEADER_STEP);
        if (id == null || step == null) {
            return outcome;
        }
        try {
            switch (outcome) {
                case Outcome.Completed c -> finished(id, step, new StepRecord(true, c.resultJson(), TaskState.COMPLETED.name(), null), task.id());
                case Outcome.Dead d -> finished(id, step, new StepRecord(false, null, TaskState.DEAD.name(),
                        d.error() == null ? "dead" : d.error().message()), task.id());
                case Outcome.Cancelled c -> finished(id, step, new StepRecord(false, null, TaskState.CANCELLED.name(), "cancelled"), task.id());
                default -> {
                    // a retry or snooze is not the end of the step: nothing to continue yet
                }
            }
            return outcome;
        } catch (BrokerException e) {
            LOG.log(System.Logger.Level.WARNING, "workflow " + id + " step " + step + ": continuation failed, the step will run again: " + e.getMessage());
            Duration delay = Duration.ofSeconds(Math.min(60, 1L << Math.min(6, task.attempt())));
            TaskError error = new TaskError(task.attempt(), "WorkflowContinuationFailed",
                    "the step finished but its workflow continuation failed: " + e.getMessage(), "", Instant.now());
            boolean attemptsLeft = task.attempt() < task.maxAttempts();
            // A broker hiccup must not make a finished step dead: with no attempts left it snoozes.
            return outcome instanceof Outcome.Completed && attemptsLeft ? new Outcome.Retry(delay, error) : new Outcome.Snooze(delay);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "workflow " + id + " step " + step + ": continuation failed", e);
            return outcome;
        }
    }

    /**
     * A step ended: store its record (the first one stays — a late run of the same step follows
     * what was stored first, success or failure), then act on the stored record: release the
     * dependents, or under FAIL_REST fail the workflow. Idempotent, so any re-run completes what
     * a crashed one started.
     */
    private void finished(String id, String step, StepRecord proposed, String ownTaskId) {
        Definition def = definition(id);
        if (def == null || def.step(step) == null) {
            LOG.log(System.Logger.Level.WARNING, "workflow " + id + " is unknown or expired; step " + step + " releases nothing");
            return;
        }
        StepRecord mine = putRecord(id, step, proposed);
        if (cancelled(id)) {
            return;
        }
        if (!mine.ok() && FailurePolicy.valueOf(def.policy()) == FailurePolicy.FAIL_REST) {
            cancelSteps(def, "failed", step, ownTaskId);
        } else {
            release(def, step, mine);
        }
    }

    /** Releases each dependent of {@code step} whose dependencies have all finished. */
    private void release(Definition def, String step, StepRecord mine) {
        FailurePolicy policy = FailurePolicy.valueOf(def.policy());
        for (StepDef d : def.steps()) {
            if (!d.deps().contains(step)) {
                continue;
            }
            List<StepRecord> records = new ArrayList<>();
            boolean all = true;
            boolean anyFailed = false;
            for (String dep : d.deps()) {
                StepRecord r = dep.equals(step) ? mine : record(def.id(), dep);
                if (r == null) {
                    all = false;
                    break; // not everyone is done: whoever finishes last releases it
                }
                anyFailed |= !r.ok();
                records.add(r);
            }
            if (!all || (anyFailed && policy == FailurePolicy.FAIL_REST)) {
                continue;
            }
            if (cancelled(def.id())) {
                return;
            }
            String input = input(def, d, records);
            NewTask task = newTask(def, d, d.payload() != null ? d.payload() : input);
            broker.enqueue(new EnqueueRequest(List.of(task)));
            // A cancel that wrote its record while we enqueued may have scanned before our task
            // existed: look again, and cancel what we just released.
            if (cancelled(def.id())) {
                broker.admin(new AdminCommand.Cancel(task.id()));
                return;
            }
        }
    }

    /** The input a step receives from its finished dependencies, as JSON. */
    private String input(Definition def, StepDef d, List<StepRecord> records) {
        FailurePolicy policy = FailurePolicy.valueOf(def.policy());
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            StepRecord r = records.get(i);
            if (r.ok()) {
                parts.add(r.result() == null ? "null" : r.result());
            } else if (policy == FailurePolicy.CONTINUE) {
                parts.add(failureMarker(def.id(), d.deps().get(i), r));
            }
        }
        if ("LIST".equals(d.input())) {
            return "[" + String.join(",", parts) + "]";
        }
        return parts.isEmpty() ? "null" : parts.get(0);
    }

    private static String failureMarker(String id, String step, StepRecord r) {
        ObjectNode o = Definition.MAPPER.createObjectNode();
        ObjectNode f = o.putObject("ferryStepFailure");
        f.put("step", step);
        f.put("taskId", taskId(id, step));
        f.put("state", r.state());
        f.put("error", r.error());
        return Definition.MAPPER.writeValueAsString(o);
    }

    /**
     * The input of a running step, read from its dependencies' records (null for a first step,
     * or a task that is no workflow step).
     */
    public String inputJson(Map<String, String> headers) {
        String id = headers.get(HEADER_ID);
        String step = headers.get(HEADER_STEP);
        if (id == null || step == null) {
            return null;
        }
        Definition def = definition(id);
        StepDef d = def == null ? null : def.step(step);
        if (d == null || d.deps().isEmpty()) {
            return null;
        }
        List<StepRecord> records = new ArrayList<>();
        for (String dep : d.deps()) {
            StepRecord r = record(id, dep);
            if (r == null) {
                return null;
            }
            records.add(r);
        }
        return input(def, d, records);
    }

    // ---- failures found by the recoverer ----------------------------------------------------------

    /**
     * Runs the failure path for workflow steps that went dead without a worker seeing it (their
     * lease expired once too often, and the recoverer made them dead): scans the newest dead
     * tasks and handles their workflow steps. A step with no record yet is handled; one with a
     * record is handled again for {@link #REPAIR_WINDOW} after it died unless its workflow is
     * cancelled, which completes a failure path that crashed half-way. Idempotent.
     */
    public void sweepDead(int limit) {
        List<TaskInfo> dead = broker.list(new ListRequest(null, TaskState.DEAD, 0, Math.max(1, Math.min(1000, limit)))).tasks();
        for (TaskInfo t : dead) {
            String id = t.headers().get(HEADER_ID);
            String step = t.headers().get(HEADER_STEP);
            if (id == null || step == null) {
                continue;
            }
            try {
                if (record(id, step) != null && (cancelled(id) || t.finishedAt() == null
                        || t.finishedAt().isBefore(Instant.now().minus(REPAIR_WINDOW)))) {
                    continue;
                }
                finished(id, step, new StepRecord(false, null, TaskState.DEAD.name(),
                        t.lastError() == null ? "dead" : t.lastError().message()), t.id());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "workflow " + id + " step " + step + ": failure handling failed, retried at the next sweep: " + e.getMessage());
            }
        }
    }

    // ---- cancel and inspect -------------------------------------------------------------------

    /** Cancels a workflow: records it, cancels its unfinished steps. False when it is unknown. */
    public boolean cancel(String id) {
        Definition def = definition(checkId(id));
        if (def == null) {
            return false;
        }
        cancelSteps(def, "cancelled", null, null);
        return true;
    }

    private void cancelSteps(Definition def, String reason, String step, String skipTaskId) {
        ObjectNode o = Definition.MAPPER.createObjectNode();
        o.put("reason", reason);
        o.put("step", step);
        broker.idempotency(new IdempotencyRequest(PREFIX + def.id() + ":cancelled", Definition.MAPPER.writeValueAsString(o), TTL));
        for (StepDef s : def.steps()) {
            String tid = taskId(def.id(), s.name());
            if (!tid.equals(skipTaskId)) {
                broker.admin(new AdminCommand.Cancel(tid));
            }
        }
    }

    /** The workflow with its steps' states, or empty when it is unknown (or expired). */
    public Optional<WorkflowInfo> info(String id) {
        Definition def = definition(checkId(id));
        if (def == null) {
            return Optional.empty();
        }
        Optional<String> cancelRecord = broker.idempotency(new IdempotencyRequest(PREFIX + id + ":cancelled", null, TTL));
        boolean cancelled = cancelRecord.isPresent();
        Map<String, StepRecord> records = new HashMap<>();
        List<WorkflowInfo.StepInfo> steps = new ArrayList<>();
        boolean allFinished = true;
        for (StepDef s : def.steps()) {
            String tid = taskId(id, s.name());
            StepRecord r = record(id, s.name());
            if (r != null) {
                records.put(s.name(), r);
            } else {
                allFinished = false;
            }
            TaskState state = broker.get(tid).map(TaskInfo::state).orElse(null);
            if (state == null) {
                state = r != null ? TaskState.valueOf(r.state()) : cancelled ? TaskState.CANCELLED : TaskState.WAITING;
            }
            steps.add(new WorkflowInfo.StepInfo(s.name(), tid, s.type(), s.queue(), s.deps(), state));
        }
        WorkflowInfo.Status status;
        if (cancelled) {
            boolean failed = "failed".equals(Definition.MAPPER.readTree(cancelRecord.get()).path("reason").asString(""));
            status = failed ? WorkflowInfo.Status.FAILED : WorkflowInfo.Status.CANCELLED;
        } else {
            status = allFinished ? WorkflowInfo.Status.COMPLETED : WorkflowInfo.Status.RUNNING;
        }
        String result = null;
        if (status == WorkflowInfo.Status.COMPLETED) {
            StepDef sink = new StepDef("", "", "", 0, 0, 1, 1, 0, 0, Map.of(), null, def.sinks(), def.listResult() ? "LIST" : "SINGLE");
            result = input(def, sink, def.sinks().stream().map(records::get).toList());
        }
        return Optional.of(new WorkflowInfo(id, FailurePolicy.valueOf(def.policy()), status, steps, result));
    }

    /**
     * For the explainer: the parents a step task id ({@code wf.<id>.<step>}) still waits for —
     * its dependencies with no record yet, in order. Empty when the id is no workflow step, the
     * workflow is unknown or cancelled, or the step waits for nothing.
     */
    public List<String> unfinishedParents(String taskId) {
        if (taskId == null || !taskId.startsWith("wf.")) {
            return List.of();
        }
        int dot = taskId.indexOf('.', 3);
        if (dot < 0) {
            return List.of();
        }
        String id = taskId.substring(3, dot);
        String step = taskId.substring(dot + 1);
        Definition def = id.isEmpty() || !id.matches("[A-Za-z0-9][A-Za-z0-9_\\-]*") ? null : definition(id);
        StepDef d = def == null ? null : def.step(step);
        if (d == null || cancelled(id)) {
            return List.of();
        }
        List<String> waiting = new ArrayList<>();
        for (String dep : d.deps()) {
            if (record(id, dep) == null) {
                waiting.add(dep);
            }
        }
        return List.copyOf(waiting);
    }

    // ---- records -----------------------------------------------------------------------------

    private Definition definition(String id) {
        Definition def = cache.get(id);
        if (def != null) {
            return def;
        }
        Optional<String> json = broker.idempotency(new IdempotencyRequest(PREFIX + id, null, TTL));
        if (json.isEmpty()) {
            return null;
        }
        def = Definition.fromJson(json.get());
        cacheDefinition(def);
        return def;
    }

    private void cacheDefinition(Definition def) {
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear(); // crude but bounded: definitions are cheap to read again
        }
        cache.put(def.id(), def);
    }

    private StepRecord putRecord(String id, String step, StepRecord rec) {
        String json = rec.toJson();
        return StepRecord.fromJson(broker.idempotency(new IdempotencyRequest(recordKey(id, step), json, TTL)).orElse(json));
    }

    private StepRecord record(String id, String step) {
        return broker.idempotency(new IdempotencyRequest(recordKey(id, step), null, TTL)).map(StepRecord::fromJson).orElse(null);
    }

    private boolean cancelled(String id) {
        return broker.idempotency(new IdempotencyRequest(PREFIX + id + ":cancelled", null, TTL)).isPresent();
    }

    private static String recordKey(String id, String step) {
        return PREFIX + id + ":s:" + step;
    }

    private static String checkId(String id) {
        if (id == null || id.isEmpty() || id.length() > 100 || !id.matches("[A-Za-z0-9][A-Za-z0-9_\\-]*")) {
            throw new InvalidInputException("id", "not a workflow id: '" + id + "'");
        }
        return id;
    }
}
