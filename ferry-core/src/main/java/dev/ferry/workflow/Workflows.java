package dev.ferry.workflow;

/**
 * Starts workflows. Thread-safe; get one from {@link dev.ferry.Ferry#workflows()}.
 *
 * <pre>{@code
 * WorkflowRun run = ferry.workflows().start(
 *         Workflow.chain(Task.of("order.validate", order), Workflow.step("order.charge"))
 *                 .id("order-" + order.id()));
 * }</pre>
 */
public interface Workflows {

    /**
     * Stores the workflow's definition and enqueues its first steps. With a caller-chosen
     * {@link Workflow#id(String) id} the start is idempotent: starting the same definition again
     * creates nothing new (and repairs a start interrupted between storing and enqueueing);
     * starting a different definition under an id in use is refused.
     *
     * @throws dev.ferry.InvalidInputException naming the step and field when a step is invalid
     */
    WorkflowRun start(Workflow workflow);
}
