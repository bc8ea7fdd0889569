package dev.ferry.spring.autoconfigure;

import dev.ferry.InvalidInputException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a Ferry setting refused at start into Spring Boot's short failure report, naming the
 * property to fix instead of a page of nested bean-creation errors.
 */
final class FerryFailureAnalyzer extends AbstractFailureAnalyzer<InvalidInputException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidInputException cause) {
        String field = cause.field();
        String action = field.startsWith("ferry.")
                ? "Fix the property '" + field + "' in the application's configuration."
                : "Fix '" + field + "' (a Ferry setting or annotation attribute).";
        return new FailureAnalysis("Ferry refused a setting: " + cause.getMessage(), action, cause);
    }
}
