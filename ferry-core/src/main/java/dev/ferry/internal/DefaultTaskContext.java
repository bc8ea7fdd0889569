package dev.ferry.internal;

import dev.ferry.InvalidInputException;
import dev.ferry.JsonCodec;
import dev.ferry.TaskContext;
import dev.ferry.spi.Broker;
import dev.ferry.spi.IdempotencyRequest;
import dev.ferry.spi.ProgressRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** The context of one running attempt. */
final class DefaultTaskContext implements TaskContext {
    private final RunningTask running;
    private final Broker broker;
    private final JsonCodec codec;
    private final Instant deadline;

    DefaultTaskContext(RunningTask running, Broker broker, JsonCodec codec, Instant deadline) {
        this.running = running;
        this.broker = broker;
        this.codec = codec;
        this.deadline = deadline;
    }

    @Override
    public String id() {
        return running.id();
    }

    @Override
    public String type() {
        return running.task.type();
    }

    @Override
    public String queue() {
        return running.task.queue();
    }

    @Override
    public int attempt() {
        return running.task.attempt();
    }

    @Override
    public int maxAttempts() {
        return running.task.maxAttempts();
    }

    @Override
    public Instant deadline() {
        return deadline;
    }

    @Override
    public Map<String, String> headers() {
        return running.task.headers();
    }

    @Override
    public String payloadJson() {
        return running.task.payloadJson();
    }

    @Override
    public String inputJson() {
        return new dev.ferry.internal.workflow.WorkflowEngine(broker, codec).inputJson(running.task.headers());
    }

    @Override
    public <T> T input(Class<T> type) {
        String json = inputJson();
        return json == null ? null : codec.decode(json, type);
    }

    @Override
    public <T> java.util.List<T> inputs(Class<T> type) {
        String json = inputJson();
        if (json == null) {
            return java.util.List.of();
        }
        java.util.List<T> out = new java.util.ArrayList<>();
        for (Object element : codec.decode(json, java.util.List.class)) {
            out.add(codec.decode(codec.encode(element), type));
        }
        return out;
    }

    @Override
    public boolean progress(Object progress) {
        return broker.progress(new ProgressRequest(running.lease(), codec.encode(progress)));
    }

    @Override
    public boolean isCancelled() {
        return running.shouldStop();
    }

    @Override
    public <T> T idempotent(String key, Duration ttl, Class<T> resultType, Callable<T> action) throws Exception {
        if (key == null || key.isBlank() || key.length() > 500) {
            throw new InvalidInputException("idempotencyKey", "must be 1 to 500 characters, not blank");
        }
        Validation.positive("ttl", ttl);
        Optional<String> stored = broker.idempotency(new IdempotencyRequest(key, null, ttl));
        if (stored.isPresent()) {
            return codec.decode(stored.get(), resultType);
        }
        T result = action.call();
        // Store-if-absent: if another run stored first (only possible after a lease expired),
        // everyone returns the first stored result.
        String json = codec.encode(result);
        String winner = broker.idempotency(new IdempotencyRequest(key, json, ttl)).orElse(json);
        return codec.decode(winner, resultType);
    }
}
