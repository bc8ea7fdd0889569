package dev.ferry.cli;

import dev.ferry.Client;
import dev.ferry.EnqueueResult;
import dev.ferry.Ferry;
import dev.ferry.InvalidInputException;
import dev.ferry.Task;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code ferry enqueue QUEUE TYPE --payload JSON [options]} puts one task on a queue and prints its
 * id; {@code ferry enqueue --from FILE} reads JSON lines, one task per line, and enqueues them in
 * batches. A duplicate (same id, or unique key held) is not an error: the existing task's id is
 * printed and a note goes to stderr.
 */
@Command(name = "enqueue",
        description = {"Enqueue a task and print its id, or many from JSON lines with --from.",
                "Durations: 500ms, 10s, 5m, 24h, 7d or ISO-8601 (PT10S)."})
final class EnqueueCommand extends BaseCommand {
    /** Tasks per {@link Client#enqueueAll} call: one round trip each, and a bounded memory use. */
    static final int BATCH = 1000;
    /**
     * What the reader puts where the input is not UTF-8: decoding replaces instead of failing, so
     * such a line is refused by its number like any other bad line.
     */
    private static final char MALFORMED = '\uFFFD';

    @Parameters(index = "0", arity = "0..1", paramLabel = "QUEUE", description = "Queue name.")
    String queue;

    @Parameters(index = "1", arity = "0..1", paramLabel = "TYPE", description = "Task type, for example demo.echo.")
    String type;

    @Option(names = "--payload", paramLabel = "JSON", description = "The payload as JSON (default: {}).")
    String payload;

    @Option(names = "--priority", paramLabel = "N", description = "0 (most urgent) to 100 (default 50).")
    Integer priority;

    @Option(names = "--delay", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "Run no sooner than this from now.")
    Duration delay;

    @Option(names = "--at", paramLabel = "TIME", converter = Instants.Converter.class,
            description = "Run no sooner than this ISO-8601 time, for example 2030-01-01T09:00:00Z.")
    Instant at;

    @Option(names = "--max-attempts", paramLabel = "N", description = "Attempts before the task goes dead (default 3).")
    Integer maxAttempts;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "How long one attempt may run (default 30m).")
    Duration timeout;

    @Option(names = "--unique-key", paramLabel = "KEY", description = "Refuse other tasks with this key while this one exists.")
    String uniqueKey;

    @Option(names = "--unique-for", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "How long the unique key is held at most (required with --unique-key).")
    Duration uniqueFor;

    @Option(names = "--tenant", paramLabel = "TENANT",
            description = "Fair scheduling: the queue serves the ready tasks of different tenants round-robin.")
    String tenant;

    @Option(names = "--key", paramLabel = "KEY", description = "The key for per-key rate and concurrency limits.")
    String key;

    @Option(names = "--id", paramLabel = "ID", description = "Your own task id: a second enqueue with it stores nothing.")
    String id;

    @Option(names = "--from", paramLabel = "FILE",
            description = "Read tasks from JSON lines (- for stdin): queue, type, payload and the options as fields.")
    String from;

    @Override
    int run() throws IOException {
        if (from != null) {
            if (queue != null || type != null || payload != null || priority != null || delay != null || at != null
                    || maxAttempts != null || timeout != null || uniqueKey != null || uniqueFor != null || id != null
                    || tenant != null || key != null) {
                throw new ParameterException(spec.commandLine(),
                        "--from reads every task field from the file: do not combine it with QUEUE, TYPE or task options");
            }
            return fromLines();
        }
        if (queue == null) {
            throw new ParameterException(spec.commandLine(), "Missing required parameters: 'QUEUE', 'TYPE'");
        }
        if (type == null) {
            throw new ParameterException(spec.commandLine(), "Missing required parameter: 'TYPE'");
        }
        if (delay != null && at != null) {
            throw new ParameterException(spec.commandLine(), "--delay and --at are mutually exclusive");
        }
        Task task = Task.ofJson(type, payload != null ? payload : "{}").queue(queue);
        if (priority != null) {
            task = task.priority(priority);
        }
        if (delay != null) {
            task = task.delay(delay);
        }
        if (at != null) {
            task = task.runAt(at);
        }
        if (maxAttempts != null) {
            task = task.maxAttempts(maxAttempts);
        }
        if (timeout != null) {
            task = task.timeout(timeout);
        }
        if (uniqueKey != null || uniqueFor != null) {
            task = task.unique(uniqueKey, uniqueFor);
        }
        if (id != null) {
            task = task.id(id);
        }
        if (tenant != null) {
            task = task.tenant(tenant);
        }
        if (key != null) {
            task = task.key(key);
        }
        try (Ferry ferry = openFerry()) {
            EnqueueResult r = ferry.client().enqueue(task);
            out().println(r.id());
            if (r.duplicate()) {
                err().println("ferry: " + duplicateNote(r, task.uniqueKey()) + "; nothing stored");
            }
        }
        return FerryCli.EXIT_OK;
    }

    static String duplicateNote(EnqueueResult r, String uniqueKey) {
        return r.status() == EnqueueResult.Status.DUPLICATE_ID
                ? "duplicate: a task with id " + r.id() + " exists already"
                : "duplicate: unique key '" + uniqueKey + "' is held by task " + r.id();
    }

    /** One accepted line waiting for its batch. */
    private record Pending(int line, Task task) {
    }

    private int fromLines() throws IOException {
        long accepted = 0;
        long duplicates = 0;
        long refused = 0;
        // The file first: a path that cannot be read is reported before any store is opened or created.
        try (BufferedReader reader = open(); Ferry ferry = openFerry()) {
            Client client = ferry.client();
            List<Pending> batch = new ArrayList<>(BATCH);
            int lineNo = 0;
            String line;
            while ((line = readLine(reader, lineNo + 1)) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    if (line.indexOf(MALFORMED) >= 0) {
                        throw new InvalidInputException("line", "is not UTF-8 text");
                    }
                    Task task = TaskLines.parse(line);
                    client.validate(task);
                    batch.add(new Pending(lineNo, task));
                } catch (InvalidInputException e) {
                    refused++;
                    err().println(lineError(lineNo, e));
                }
                if (batch.size() == BATCH) {
                    long[] counts = flush(client, batch);
                    accepted += counts[0];
                    duplicates += counts[1];
                    refused += counts[2];
                }
            }
            long[] counts = flush(client, batch);
            accepted += counts[0];
            duplicates += counts[1];
            refused += counts[2];
        } catch (RuntimeException e) {
            if (accepted + duplicates > 0) {
                err().println("ferry: " + accepted + " tasks were enqueued before the failure below");
            }
            throw e;
        }
        out().println("accepted " + accepted + ", duplicates " + duplicates + ", refused " + refused);
        return refused > 0 ? FerryCli.EXIT_USAGE : FerryCli.EXIT_OK;
    }

    private String readLine(BufferedReader reader, int lineNo) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw new CliException(FerryCli.EXIT_FAILURE, "cannot read --from " + from + " at line " + lineNo + ": " + e.getMessage());
        }
    }

    /** Enqueues a batch in one call; returns {accepted, duplicates, refused} and empties it. */
    private long[] flush(Client client, List<Pending> batch) {
        long[] counts = new long[3];
        if (batch.isEmpty()) {
            return counts;
        }
        List<EnqueueResult> results;
        try {
            results = client.enqueueAll(batch.stream().map(Pending::task).toList());
        } catch (InvalidInputException e) {
            // Every line was validated, so this is rare (a default changed in between); fall back to
            // one call per task so one bad task does not cost the rest of the batch.
            results = new ArrayList<>(batch.size());
            for (Pending p : batch) {
                try {
                    results.add(client.enqueue(p.task()));
                } catch (InvalidInputException one) {
                    results.add(null);
                    counts[2]++;
                    err().println(lineError(p.line(), one));
                }
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            EnqueueResult r = results.get(i);
            if (r == null) {
                continue;
            }
            if (r.created()) {
                counts[0]++;
            } else {
                counts[1]++;
                err().println("line " + batch.get(i).line() + ": " + duplicateNote(r, batch.get(i).task().uniqueKey()));
            }
        }
        batch.clear();
        return counts;
    }

    /** {@code line 3: invalid priority: must be ...}, or {@code line 3: is not valid JSON: ...}. */
    static String lineError(int line, InvalidInputException e) {
        String described = FerryCli.describeInvalid(e, null);
        return "line " + line + ": " + ("line".equals(e.field()) ? described.substring("invalid line: ".length()) : described);
    }

    private BufferedReader open() {
        if (from.equals("-")) {
            return new BufferedReader(new InputStreamReader(root().in(), StandardCharsets.UTF_8));
        }
        Path path = Path.of(from);
        try {
            return new BufferedReader(new InputStreamReader(Files.newInputStream(path), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new CliException(FerryCli.EXIT_USAGE, "cannot read --from " + from + ": no such file");
        } catch (IOException e) {
            throw new CliException(FerryCli.EXIT_USAGE, "cannot read --from " + from + ": " + e.getMessage());
        }
    }
}
