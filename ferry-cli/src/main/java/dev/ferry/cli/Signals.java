package dev.ferry.cli;

import java.util.function.Consumer;

/**
 * SIGINT and SIGTERM handlers for the long-running commands. The JDK has no supported API for
 * this; {@code sun.misc.Signal} (module jdk.unsupported) is what the JDK itself keeps for it.
 * Where it is missing, nothing is installed and the shutdown hook still stops the worker
 * gracefully (the exit code is then 128+signal instead of 0).
 */
final class Signals {
    private Signals() {
    }

    /** Calls {@code handler} with the signal's name ({@code INT} or {@code TERM}) instead of exiting. */
    static void onInterruptOrTerminate(Consumer<String> handler) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> handler.accept(s.getName()));
            } catch (IllegalArgumentException | LinkageError e) {
                // the signal is reserved or unknown here (for example INT under some debuggers): keep the default
            }
        }
    }
}
