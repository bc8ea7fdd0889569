package dev.ferry.workflow;

import dev.ferry.TaskState;
import java.util.List;

/**
 * A workflow as the {@link dev.ferry.Inspector} shows it.
 *
 * @param id         the workflow id
 * @param policy     its failure policy
 * @param status     running, completed, failed or cancelled
 * @param steps      every step in definition order, with its task id and state
 * @param resultJson the workflow's result once completed: the result of its last step, or the
 *                   list of the results of its last steps when it ends in a group; null before
 */
public record WorkflowInfo(String id, FailurePolicy policy, Status status, List<StepInfo> steps, String resultJson) {
    public WorkflowInfo {
        steps = List.copyOf(steps);
    }

    /** Where a workflow is as a whole. */
    public enum Status {
        /** Some steps have not finished. */
        RUNNING,
        /** Every step finished (under CONTINUE or IGNORE some may have failed). */
        COMPLETED,
        /** A step failed and the workflow was cancelled (FAIL_REST). */
        FAILED,
        /** Cancelled by {@link dev.ferry.Inspector#cancelWorkflow(String)}. */
        CANCELLED
    }

    /** One step by name. */
    public StepInfo step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new dev.ferry.InvalidInputException("step", "no step named '" + name + "'"));
    }

    /**
     * One step of a workflow.
     *
     * @param name      the step name
     * @param taskId    its deterministic task id
     * @param type      its task type
     * @param queue     its queue
     * @param dependsOn the steps it waits for
     * @param state     the task's state; {@link TaskState#WAITING} while not released yet, and
     *                  {@link TaskState#CANCELLED} for a step never released because the workflow
     *                  was cancelled
     */
    public record StepInfo(String name, String taskId, String type, String queue, List<String> dependsOn, TaskState state) {
        public StepInfo {
            dependsOn = List.copyOf(dependsOn);
        }
    }
}
