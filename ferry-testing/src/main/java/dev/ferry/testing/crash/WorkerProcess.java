package dev.ferry.testing.crash;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One {@link CrashWorkerMain} child JVM: started with the current JVM binary and the test class
 * path, stdout read on a thread (protocol lines), stderr to a file for failure messages.
 */
public final class WorkerProcess {
    private final Process process;
    private final Path stderr;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile boolean killed;
    private volatile boolean terminated;

    private WorkerProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.reader = Thread.ofPlatform().daemon().name("crash-child-stdout-" + process.pid()).start(this::readStdout);
    }

    /** Starts a child; {@code args} are CrashWorkerMain's key=value arguments. */
    static WorkerProcess start(Path logDir, int index, List<String> args) {
        String java = ProcessHandle.current().info().command().orElseThrow(() -> new IllegalStateException("no java command"));
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("-Xmx128m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Xshare:auto");
        cmd.add("--enable-native-access=ALL-UNNAMED"); // native drivers (sqlite-jdbc) load native code
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(CrashWorkerMain.class.getName());
        cmd.addAll(args);
        Path err = logDir.resolve("worker-" + index + ".stderr");
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            return new WorkerProcess(p, err);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + cmd, e);
        }
    }

    private void readStdout() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                stdout.add(line);
            }
        } catch (IOException e) {
            stdout.add("(stdout reader: " + e + ")");
        }
    }

    public long pid() {
        return process.pid();
    }

    String workerId() {
        return "w-" + process.pid();
    }

    public boolean isReady() {
        return stdout.stream().anyMatch(l -> l.startsWith("READY "));
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    boolean wasKilled() {
        return killed;
    }

    /** Protocol lines starting with {@code prefix + " "}. */
    List<String> lines(String prefix) {
        return stdout.stream().filter(l -> l.startsWith(prefix + " ") || l.equals(prefix)).toList();
    }

    /** SIGKILL, and waits until the process is gone. */
    public void kill() {
        killed = true;
        // Through the ProcessHandle: Process.destroy*() would also close our end of the child's
        // stdout, losing what it printed last.
        process.toHandle().destroyForcibly();
        waitFor(Duration.ofSeconds(10));
    }

    /** SIGTERM (ProcessHandle.destroy() on Linux); does not wait. */
    public void terminate() {
        terminated = true;
        process.toHandle().destroy();
    }

    boolean wasTerminated() {
        return terminated;
    }

    /** Waits for the exit; true when it exited in time. */
    public boolean waitFor(Duration timeout) {
        try {
            boolean done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (done) {
                reader.join(2000);
            }
            return done;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public int exitValue() {
        return process.exitValue();
    }

    /** Kills the child if it still runs (cleanup); never throws. */
    void destroyQuietly() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The last lines of the child's stderr and stdout, for assertion messages. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("worker pid ").append(pid()).append(process.isAlive() ? " (alive)" : " (exit " + process.exitValue() + ")")
                .append(killed ? " SIGKILLed" : "").append(terminated ? " SIGTERMed" : "").append('\n');
        sb.append("  stdout tail: ").append(tail(stdout, 10)).append('\n');
        try {
            List<String> err = Files.exists(stderr) ? Files.readAllLines(stderr, StandardCharsets.UTF_8) : List.of();
            List<String> slow = err.stream().filter(l -> l.contains(" SLOW ") || l.contains(" STALL ")).toList();
            List<String> other = err.stream().filter(l -> !l.contains(" SLOW ") && !l.contains(" STALL ")).toList();
            sb.append("  slow broker calls / stalls: ").append(slow.size()).append('\n');
            for (String l : tail(slow, 30)) {
                sb.append("    ").append(l).append('\n');
            }
            sb.append("  stderr tail (").append(stderr).append("):\n");
            for (String l : tail(other, 40)) {
                sb.append("    ").append(l).append('\n');
            }
        } catch (IOException | UncheckedIOException e) {
            sb.append("  stderr unreadable: ").append(e).append('\n');
        }
        return sb.toString();
    }

    private static List<String> tail(List<String> lines, int n) {
        List<String> copy = List.copyOf(lines);
        return copy.subList(Math.max(0, copy.size() - n), copy.size());
    }

    static String describeAll(List<WorkerProcess> workers) {
        StringBuilder sb = new StringBuilder();
        for (WorkerProcess w : workers) {
            sb.append(w.describe());
        }
        return sb.toString();
    }
}
