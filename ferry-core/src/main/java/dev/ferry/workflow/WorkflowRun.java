package dev.ferry.workflow;

import java.util.Map;

/**
 * A started workflow: its id and the deterministic task id of every step.
 *
 * @param id      the workflow id (caller-chosen or generated)
 * @param taskIds step name to task id ({@code wf.<id>.<step>}), in definition order
 */
public record WorkflowRun(String id, Map<String, String> taskIds) {
    public WorkflowRun {
        taskIds = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(taskIds));
    }

    /** The task id of one step. */
    public String taskId(String step) {
        String id = taskIds.get(step);
        if (id == null) {
            throw new dev.ferry.InvalidInputException("step", "no step named '" + step + "' in workflow " + this.id);
        }
        return id;
    }
}
