package dev.ferry.workflow;

import dev.ferry.InvalidInputException;
import dev.ferry.Task;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A workflow: steps ({@link Task}s) and the order between them, as a directed acyclic graph.
 * Immutable; built with the canvas builders, which compose, or with the explicit {@link #dag()}
 * builder.
 *
 * <pre>{@code
 * Workflow order = Workflow.chain(
 *         Task.of("order.validate", new OrderId("ord-123")),
 *         Workflow.chord(
 *                 Workflow.group(Workflow.step("order.charge"), Workflow.step("order.inventory")),
 *                 Workflow.step("order.finalize")))
 *     .id("order-ord-123");
 * ferry.workflows().start(order);
 * }</pre>
 *
 * <h2>Inputs</h2>
 * A step declared without a payload ({@link #step(String)}, or {@code Task.of(type, null)})
 * receives its input as its payload: the result of the step before it in a chain, or the list of
 * results, in order, when it follows a group (a chord callback, a flow parent). A step with its
 * own payload keeps it and reads its input with {@link dev.ferry.TaskContext#inputJson()}.
 *
 * <h2>Bad input</h2>
 * Refused here, when the workflow is defined, with an {@link InvalidInputException} naming the
 * problem: a cycle, a group or chord with no members, a step with its own id, run-at, unique
 * key (or debounce) or aggregation group, an unknown dependency, a duplicate step name. Nothing
 * is stored.
 */
public final class Workflow {
    private final Part root;
    private final String id;
    private final FailurePolicy policy;
    private final Compiled compiled;

    private Workflow(Part root, String id, FailurePolicy policy) {
        this.root = root;
        this.id = id;
        this.policy = policy;
        this.compiled = compile(root);
    }

    // ---- builders ---------------------------------------------------------------------------

    /**
     * A step that takes its input as its payload (no payload of its own): the previous step's
     * result in a chain, or the list of results after a group.
     */
    public static Task step(String type) {
        return Task.of(type, null);
    }

    /** One task as a workflow step with an explicit name (default: its type). */
    public static Workflow step(String name, Task task) {
        checkName("step", name);
        return new Workflow(new Leaf(name, checkTask("step", task)), null, null);
    }

    /** One task as a one-step workflow. */
    public static Workflow of(Task task) {
        return new Workflow(new Leaf(null, checkTask("task", task)), null, null);
    }

    /**
     * Steps one after the other: each runs after the previous one succeeded and receives its
     * result. Each part is a {@link Task} or a {@link Workflow} (a group, a chord, another chain).
     */
    public static Workflow chain(Object... parts) {
        List<Part> list = parts("chain", parts);
        return new Workflow(new Seq(list, false), null, null);
    }

    /** Steps that run in parallel; the group's result is the list of their results, in order. */
    public static Workflow group(Object... members) {
        List<Part> list = parts("group", members);
        return new Workflow(new Par(list), null, null);
    }

    /**
     * A group and a callback that runs once, after every member finished, with the list of
     * their results in order.
     */
    public static Workflow chord(Workflow group, Object callback) {
        if (group == null) {
            throw new InvalidInputException("chord.group", "must not be null");
        }
        checkNested("chord.group", group);
        if (group.compiled.steps.isEmpty()) {
            throw new InvalidInputException("chord.group", "a chord needs at least one member");
        }
        Part cb = part("chord.callback", callback);
        return new Workflow(new Seq(List.of(group.root, cb), true), null, null);
    }

    /**
     * A flow (BullMQ's FlowProducer): the parent runs after all its children, which are tasks or
     * flows themselves (any depth, each on its own queue), and receives the list of their
     * results in order. A flow with no children is just the parent.
     */
    public static Workflow flow(Object parent, Object... children) {
        Part p = part("flow.parent", parent);
        if (children == null || children.length == 0) {
            return new Workflow(p, null, null);
        }
        List<Part> kids = parts("flow.children", children);
        return new Workflow(new Seq(List.of(new Par(kids), p), true), null, null);
    }

    /** An explicit graph of named steps with dependencies. */
    public static DagBuilder dag() {
        return new DagBuilder();
    }

    /**
     * A caller-chosen workflow id, which makes starting it idempotent. Letters, digits and
     * {@code _ -} (no dots or colons: step task ids are {@code wf.<id>.<step>}, and its
     * records are keyed {@code ferry-wf:<id>:...}).
     */
    public Workflow id(String id) {
        if (id == null || id.isEmpty() || id.length() > 100 || !id.matches("[A-Za-z0-9][A-Za-z0-9_\\-]*")) {
            throw new InvalidInputException("id", "a workflow id is 1 to 100 letters, digits, _ and - (starting with a letter or digit), was '" + id + "'");
        }
        return new Workflow(root, id, policy);
    }

    /** What happens when a step fails for good (default {@link FailurePolicy#FAIL_REST}). */
    public Workflow policy(FailurePolicy policy) {
        return new Workflow(root, id, Objects.requireNonNull(policy, "policy"));
    }

    /** The caller-chosen id, or null (one is generated at start). */
    public String id() {
        return id;
    }

    /** The failure policy. */
    public FailurePolicy policy() {
        return policy == null ? FailurePolicy.FAIL_REST : policy;
    }

    /** The steps in definition order (dependencies always before their dependents). */
    public List<Step> steps() {
        return compiled.steps;
    }

    /** The names of the last steps (those nothing depends on), in definition order. */
    public List<String> lastSteps() {
        return compiled.sinks;
    }

    /** True when the workflow's result is the list of its last steps' results (it ends in a group). */
    public boolean resultIsList() {
        return compiled.listResult;
    }

    /** How a step receives its dependencies' results. */
    public enum Input {
        /** A first step: no input. */
        NONE,
        /** The result of its one dependency. */
        SINGLE,
        /** The list of its dependencies' results, in order. */
        LIST
    }

    /**
     * One compiled step.
     *
     * @param name      unique in the workflow; part of the task id
     * @param task      the task; a null payload means "my input is my payload"
     * @param dependsOn the steps it runs after, in input order
     * @param input     how it receives their results
     */
    public record Step(String name, Task task, List<String> dependsOn, Input input) {
        public Step {
            dependsOn = List.copyOf(dependsOn);
        }

        /** True when the step takes its input as its payload. */
        public boolean inputIsPayload() {
            return task.payload() == null;
        }
    }

    /** Builds an explicit graph of named steps; {@link #build()} checks it. */
    public static final class DagBuilder {
        private final Map<String, Task> tasks = new LinkedHashMap<>();
        private final Map<String, List<String>> deps = new LinkedHashMap<>();

        private DagBuilder() {
        }

        /**
         * Adds a step that runs after the named steps (which may be added later). With one
         * dependency it receives that step's result; with several, the list of their results
         * in the order given here.
         */
        public DagBuilder step(String name, Task task, String... dependsOn) {
            checkName("steps", name);
            if (tasks.containsKey(name)) {
                throw new InvalidInputException("steps[" + name + "]", "duplicate step name '" + name + "'");
            }
            checkTask("steps[" + name + "]", task);
            List<String> d = new ArrayList<>();
            for (String dep : dependsOn == null ? new String[0] : dependsOn) {
                if (dep == null || d.contains(dep)) {
                    throw new InvalidInputException("steps[" + name + "].dependsOn", "null or repeated dependency '" + dep + "'");
                }
                d.add(dep);
            }
            tasks.put(name, task);
            deps.put(name, d);
            return this;
        }

        /** The workflow; refuses unknown dependencies and cycles. */
        public Workflow build() {
            if (tasks.isEmpty()) {
                throw new InvalidInputException("steps", "a workflow needs at least one step");
            }
            for (Map.Entry<String, List<String>> e : deps.entrySet()) {
                for (String dep : e.getValue()) {
                    if (!tasks.containsKey(dep)) {
                        throw new InvalidInputException("steps[" + e.getKey() + "].dependsOn", "unknown step '" + dep + "'");
                    }
                    if (dep.equals(e.getKey())) {
                        throw new InvalidInputException("steps[" + e.getKey() + "].dependsOn", "cycle: a step cannot depend on itself");
                    }
                }
            }
            return new Workflow(new Dag(new LinkedHashMap<>(tasks), new LinkedHashMap<>(deps)), null, null);
        }
    }

    // ---- the tree, and its compilation into a graph ----------------------------------------

    private sealed interface Part permits Leaf, Seq, Par, Dag {
    }

    private record Leaf(String name, Task task) implements Part {
    }

    /** Parts in sequence; {@code listAfterFirst}: the second part receives a list (chord, flow). */
    private record Seq(List<Part> parts, boolean listAfterFirst) implements Part {
    }

    private record Par(List<Part> members) implements Part {
    }

    private record Dag(Map<String, Task> tasks, Map<String, List<String>> deps) implements Part {
    }

    private static final class Node {
        final String explicitName;
        final Task task;
        final List<Node> deps = new ArrayList<>();
        Input input = Input.NONE;
        String name;

        Node(String explicitName, Task task) {
            this.explicitName = explicitName;
            this.task = task;
        }
    }

    private record Frag(List<Node> entries, List<Node> exits, boolean list) {
    }

    private record Compiled(List<Step> steps, List<String> sinks, boolean listResult) {
    }

    private static Compiled compile(Part root) {
        List<Node> nodes = new ArrayList<>();
        Frag f = build(root, nodes);
        name(nodes);
        List<Node> order = topological(nodes);
        List<Step> steps = new ArrayList<>();
        for (Node n : order) {
            steps.add(new Step(n.name, n.task, n.deps.stream().map(d -> d.name).toList(), n.input));
        }
        Set<Node> hasDependents = new HashSet<>();
        nodes.forEach(n -> hasDependents.addAll(n.deps));
        List<String> sinks = order.stream().filter(n -> !hasDependents.contains(n)).map(n -> n.name).toList();
        return new Compiled(List.copyOf(steps), sinks, f.list || sinks.size() > 1);
    }

    private static Frag build(Part part, List<Node> nodes) {
        return switch (part) {
            case Leaf leaf -> {
                Node n = new Node(leaf.name, leaf.task);
                nodes.add(n);
                yield new Frag(List.of(n), List.of(n), false);
            }
            case Par par -> {
                List<Node> entries = new ArrayList<>();
                List<Node> exits = new ArrayList<>();
                for (Part m : par.members) {
                    Frag f = build(m, nodes);
                    entries.addAll(f.entries);
                    exits.addAll(f.exits);
                }
                yield new Frag(entries, exits, true);
            }
            case Seq seq -> {
                Frag first = build(seq.parts.get(0), nodes);
                List<Node> entries = first.entries;
                List<Node> exits = first.exits;
                boolean list = first.list || (seq.listAfterFirst);
                for (int i = 1; i < seq.parts.size(); i++) {
                    Frag next = build(seq.parts.get(i), nodes);
                    for (Node e : next.entries) {
                        e.deps.addAll(exits);
                        e.input = list ? Input.LIST : Input.SINGLE;
                    }
                    exits = next.exits;
                    list = next.list;
                }
                yield new Frag(entries, exits, list);
            }
            case Dag dag -> {
                Map<String, Node> byName = new LinkedHashMap<>();
                dag.tasks.forEach((name, task) -> {
                    Node n = new Node(name, task);
                    byName.put(name, n);
                    nodes.add(n);
                });
                Set<Node> hasDependents = new HashSet<>();
                dag.deps.forEach((name, ds) -> {
                    Node n = byName.get(name);
                    for (String d : ds) {
                        n.deps.add(byName.get(d));
                        hasDependents.add(byName.get(d));
                    }
                    n.input = ds.isEmpty() ? Input.NONE : ds.size() == 1 ? Input.SINGLE : Input.LIST;
                });
                List<Node> entries = byName.values().stream().filter(n -> n.deps.isEmpty()).toList();
                List<Node> exits = byName.values().stream().filter(n -> !hasDependents.contains(n)).toList();
                yield new Frag(entries, exits, exits.size() > 1);
            }
        };
    }

    /** Explicit names first (must be unique), then the type, with -2, -3, ... on collisions. */
    private static void name(List<Node> nodes) {
        Set<String> taken = new HashSet<>();
        for (Node n : nodes) {
            if (n.explicitName != null) {
                if (!taken.add(n.explicitName)) {
                    throw new InvalidInputException("steps[" + n.explicitName + "]", "duplicate step name '" + n.explicitName + "'");
                }
                n.name = n.explicitName;
            }
        }
        for (Node n : nodes) {
            if (n.name == null) {
                String base = n.task.type() == null ? "step" : n.task.type();
                String candidate = base;
                for (int i = 2; taken.contains(candidate); i++) {
                    candidate = base + "-" + i;
                }
                taken.add(candidate);
                n.name = candidate;
            }
        }
    }

    /** Kahn's algorithm, stable in definition order; a leftover means a cycle, which is named. */
    private static List<Node> topological(List<Node> nodes) {
        Map<Node, Integer> missing = new HashMap<>();
        Map<Node, List<Node>> dependents = new HashMap<>();
        for (Node n : nodes) {
            missing.put(n, n.deps.size());
            for (Node d : n.deps) {
                dependents.computeIfAbsent(d, k -> new ArrayList<>()).add(n);
            }
        }
        List<Node> order = new ArrayList<>();
        Deque<Node> ready = new ArrayDeque<>();
        for (Node n : nodes) {
            if (n.deps.isEmpty()) {
                ready.add(n);
            }
        }
        while (!ready.isEmpty()) {
            Node n = ready.poll();
            order.add(n);
            for (Node d : dependents.getOrDefault(n, List.of())) {
                if (missing.merge(d, -1, Integer::sum) == 0) {
                    ready.add(d);
                }
            }
        }
        if (order.size() < nodes.size()) {
            List<String> cycle = new ArrayList<>();
            for (Node n : nodes) {
                if (!order.contains(n)) {
                    cycle.add(n.name);
                }
            }
            throw new InvalidInputException("steps", "the dependencies form a cycle among " + cycle);
        }
        return Collections.unmodifiableList(order);
    }

    // ---- checks -------------------------------------------------------------------------------

    private static List<Part> parts(String field, Object[] parts) {
        if (parts == null || parts.length == 0) {
            throw new InvalidInputException(field, "a " + field + " needs at least one member");
        }
        List<Part> list = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            list.add(part(field + "[" + i + "]", parts[i]));
        }
        return list;
    }

    private static Part part(String field, Object o) {
        if (o instanceof Task t) {
            return new Leaf(null, checkTask(field, t));
        }
        if (o instanceof Workflow w) {
            checkNested(field, w);
            if (w.compiled.steps.isEmpty()) {
                throw new InvalidInputException(field, "an empty workflow");
            }
            return w.root;
        }
        throw new InvalidInputException(field, "must be a Task or a Workflow, was " + (o == null ? "null" : o.getClass().getName()));
    }

    private static void checkNested(String field, Workflow w) {
        if (w.id != null || w.policy != null) {
            throw new InvalidInputException(field, "a nested workflow cannot carry its own id or failure policy; set them on the outer workflow");
        }
    }

    private static Task checkTask(String field, Task task) {
        if (task == null) {
            throw new InvalidInputException(field, "must not be null");
        }
        if (task.id() != null) {
            throw new InvalidInputException(field + ".id", "a workflow step gets its id from the workflow (wf.<id>.<step>); do not set one");
        }
        if (task.runAt() != null) {
            throw new InvalidInputException(field + ".runAt", "a workflow step runs when its dependencies finish; use delay(...) for a pause after that");
        }
        if (task.uniqueKey() != null) {
            throw new InvalidInputException(field + ".uniqueKey", "a workflow step cannot be unique: a refused step would stall the workflow");
        }
        if (task.headers().containsKey("ferry-group")) {
            throw new InvalidInputException(field + ".group", "a workflow step cannot be aggregated into a batch: it must run, and finish, on its own");
        }
        if (task.type() == null || task.type().isEmpty()) {
            throw new InvalidInputException(field + ".type", "a task type is required");
        }
        return task;
    }

    private static void checkName(String field, String name) {
        if (name == null || name.isEmpty() || name.length() > 80 || !name.matches("[A-Za-z0-9][A-Za-z0-9._:\\-]*")) {
            throw new InvalidInputException(field, "a step name is 1 to 80 letters, digits, . _ : - (starting with a letter or digit), was '" + name + "'");
        }
    }
}
