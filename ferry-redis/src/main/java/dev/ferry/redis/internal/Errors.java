package dev.ferry.redis.internal;

import dev.ferry.BrokerException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Translates Lettuce's exceptions into {@link BrokerException} at the adapter, so no Redis type
 * crosses the SPI. Connection trouble and the server's own "try again" answers are transient; an
 * error reply from a script is not (it is a bug or a misconfiguration).
 */
final class Errors {
    /** Error replies that mean "the server cannot serve this right now". */
    private static final List<String> TRANSIENT_REPLIES = List.of(
            "LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "READONLY", "MOVED", "ASK", "OOM",
            "NOREPLICAS", "UNBLOCKED");

    private Errors() {
    }

    static BrokerException translate(Throwable e, String what, String where) {
        Throwable cause = unwrap(e);
        if (cause instanceof BrokerException b) {
            return b;
        }
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (cause instanceof RedisCommandExecutionException) {
            boolean retry = TRANSIENT_REPLIES.stream().anyMatch(detail::startsWith);
            return new BrokerException("Redis at " + where + " refused " + what + ": " + detail, retry, cause);
        }
        if (cause instanceof RedisCommandTimeoutException) {
            return new BrokerException("Redis at " + where + " did not answer " + what + " in time: " + detail, true, cause);
        }
        if (cause instanceof RedisException || cause instanceof java.io.IOException) {
            return new BrokerException("Redis at " + where + " is not reachable (" + what + "): " + detail, true, cause);
        }
        return new BrokerException("Redis " + what + " failed at " + where + ": " + detail, false, cause);
    }

    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static boolean isNoScript(Throwable e) {
        Throwable t = unwrap(e);
        return t instanceof io.lettuce.core.RedisNoScriptException
                || (t.getMessage() != null && t.getMessage().startsWith("NOSCRIPT"));
    }
}
