package dev.ferry.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How the long-running commands ({@code worker}, {@code scheduler}, {@code server}) stop.
 * Everything that stops one goes through {@link #requestStop()}: the signal handlers, the JVM
 * shutdown hook ({@link #stopAndWait()}: request, then wait until the command has closed
 * everything, so the JVM does not exit under a running task) and tests. The command's own thread
 * does the closing. The shutdown hook alone would make the JVM exit with 128+signal (143 for
 * SIGTERM); the signal handlers let the command return normally, so the process exits 0 as a
 * graceful stop should. A second signal forces the exit.
 */
final class StopControl {
    private final String name;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicInteger signals = new AtomicInteger();
    private Thread hook;

    /** @param name the command's name, for thread names */
    StopControl(String name) {
        this.name = name;
    }

    /** Installs the shutdown hook and, in the real process, the SIGINT/SIGTERM handlers. */
    void install(boolean handleSignals, PrintWriter err) {
        hook = new Thread(this::stopAndWait, "ferry-" + name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (handleSignals) {
            Signals.onInterruptOrTerminate(signal -> onSignal(signal, err));
        }
    }

    /** The command is up (its start line was printed). */
    void markStarted() {
        started.countDown();
    }

    /** Blocks until a stop is requested; an interrupt counts as one. */
    void awaitStopRequest() {
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits up to {@code millis} for a stop request; true when one came. */
    boolean awaitStopRequest(long millis) throws InterruptedException {
        return stopRequested.await(millis, TimeUnit.MILLISECONDS);
    }

    boolean stopRequested() {
        return stopRequested.getCount() == 0;
    }

    /** Asks the command to stop; returns at once. Safe to call any number of times, from any thread. */
    void requestStop() {
        stopRequested.countDown();
    }

    /** What the shutdown hook runs: ask to stop, then wait until the command has closed everything. */
    void stopAndWait() {
        requestStop();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True once the command is running. */
    boolean awaitStarted(Duration timeout) throws InterruptedException {
        return started.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Called when the command has closed everything: releases the hook and removes it. */
    void finished() {
        stopped.countDown();
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is running and is about to see `stopped`
            }
        }
    }

    private void onSignal(String signal, PrintWriter err) {
        if (signals.incrementAndGet() == 1) {
            err.println("ferry: SIG" + signal + ": stopping gracefully (send it again to force)");
            err.flush();
            requestStop();
        } else {
            err.println("ferry: SIG" + signal + " again: exiting now; unfinished tasks run again when their leases expire");
            err.flush();
            Runtime.getRuntime().halt(130);
        }
    }
}
