package dev.ferry.workflow;

/**
 * What a workflow does when one of its steps fails for good (ends dead, or is cancelled on its
 * own). Retries of a step are not failures: only its final state counts.
 */
public enum FailurePolicy {
    /**
     * The default: the workflow is cancelled. Its unfinished steps are cancelled (a running one is
     * asked to stop) and no further step is released.
     */
    FAIL_REST,
    /**
     * A failed step counts as finished: its dependents run, and receive a failure marker
     * ({@code {"ferryStepFailure": {...}}}) in its place among their inputs.
     */
    CONTINUE,
    /**
     * A failed step counts as finished and is left out of its dependents' inputs (a parent
     * receives the results of the children that succeeded; a single input becomes {@code null}).
     */
    IGNORE
}
