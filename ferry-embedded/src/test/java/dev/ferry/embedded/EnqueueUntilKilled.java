package dev.ferry.embedded;

import dev.ferry.spi.EnqueueRequest;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The child process of {@link KillDashNineTest}: enqueues tasks one per call from several
 * threads (so group commits are in flight when it dies) and prints {@code ACK <id> .} once each
 * enqueue returned. It never stops by itself before its parent kills it (bounded all the same).
 */
public final class EnqueueUntilKilled {
    private EnqueueUntilKilled() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        PrintStream out = System.out;
        // Dies with its parent, so a failed test run leaves no orphan.
        ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(99)));
        EmbeddedBroker broker = EmbeddedBroker.open(file);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            workers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 1_000_000; i++) {
                    String id = "k-" + thread + "-" + i;
                    broker.enqueue(new EnqueueRequest(List.of(Fixtures.task("crash", id))));
                    synchronized (out) {
                        out.println("ACK " + id + " .");
                        out.flush();
                    }
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        broker.close();
    }
}
