/**
 * Trace context from the code that enqueues a task to the worker that runs it.
 *
 * <pre>{@code
 * OpenTelemetry otel = ...;                       // the SDK, or GlobalOpenTelemetry.get() under the agent
 * FerryTracing tracing = FerryTracing.create(otel);
 *
 * try (Ferry ferry = Ferry.builder()
 *         .brokerUrl("sqlite:./ferry.db")
 *         .enqueueInterceptor(tracing.enqueueInterceptor())   // "send <queue>" PRODUCER span
 *         .build()) {
 *     ferry.worker()
 *          .middleware(tracing.middleware())                  // "process <queue>" CONSUMER span
 *          .handle("email.send", Email.class, (email, ctx) -> mailer.send(email))
 *          .start();
 * }
 * }</pre>
 *
 * Nothing is traced unless both pieces are registered; see {@code docs/tracing.md}.
 */
package dev.ferry.opentelemetry;
