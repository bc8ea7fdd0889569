package dev.ferry.cli;

/**
 * A failure the CLI reports as one line with a chosen exit code: {@link FerryCli#EXIT_FAILURE} for
 * an operation that could not be done (a task that is not there), {@link FerryCli#EXIT_USAGE} for
 * input the user has to fix (a file that cannot be read).
 */
final class CliException extends RuntimeException {
    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
