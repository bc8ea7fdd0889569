/**
 * Ferry's Redis backend. Open a broker from a URL and hand it to {@link dev.ferry.Ferry}:
 *
 * <pre>{@code
 * try (Ferry ferry = Ferry.open("redis://localhost:6379")) {
 *     ferry.client().enqueue(Task.of("email.send", new Email("a@b.c")));
 * }
 *
 * Broker broker = RedisBroker.builder("redis-cluster://10.0.0.1:7000,10.0.0.2:7000")
 *         .keyPrefix("billing")
 *         .build();
 * }</pre>
 *
 * See {@code docs/redis.md} for URLs, options, the key layout and what survives a restart.
 */
package dev.ferry.redis;
