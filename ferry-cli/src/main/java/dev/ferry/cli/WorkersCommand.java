package dev.ferry.cli;

import dev.ferry.Ferry;
import dev.ferry.WorkerInfo;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code ferry workers}: the workers that sent a heartbeat in the last minute. */
@Command(name = "workers", description = "List live workers (a heartbeat in the last 60 s).")
final class WorkersCommand extends BaseCommand {
    @Option(names = "--json", description = "Print JSON: {\"workers\":[...]}.")
    boolean json;

    @Override
    int run() {
        List<WorkerInfo> workers;
        try (Ferry ferry = openFerry()) {
            workers = ferry.inspector().workers();
        }
        if (json) {
            ObjectNode doc = Json.object();
            ArrayNode arr = doc.putArray("workers");
            workers.forEach(w -> arr.add(Json.worker(w)));
            out().println(Json.pretty(doc));
            return FerryCli.EXIT_OK;
        }
        if (workers.isEmpty()) {
            out().println("no live workers");
            return FerryCli.EXIT_OK;
        }
        Table t = new Table("WORKER", "HOST", ">PID", "QUEUES", ">BUSY", "STARTED", "LAST HEARTBEAT");
        for (WorkerInfo w : workers) {
            t.row(w.workerId(), w.host(), w.pid(), String.join(",", w.queues()), w.busy() + "/" + w.concurrency(),
                    Instants.show(w.startedAt()), Instants.show(w.lastHeartbeat()));
        }
        t.print(out());
        return FerryCli.EXIT_OK;
    }
}
