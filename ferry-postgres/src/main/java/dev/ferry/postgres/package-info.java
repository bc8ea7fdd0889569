/**
 * Ferry on PostgreSQL: {@link dev.ferry.postgres.PostgresBroker}, opened from a URL
 * ({@code postgresql://user:password@host:5432/database}) or a {@code DataSource}, and
 * {@link dev.ferry.postgres.TransactionalEnqueue} for enqueueing inside the application's own
 * transaction.
 *
 * <pre>{@code
 * try (Ferry ferry = Ferry.open("postgresql://app:secret@localhost:5432/app")) {
 *     ferry.client().enqueue(Task.of("email.send", new Email("a@b.c")));
 * }
 * }</pre>
 */
package dev.ferry.postgres;
