/**
 * OpenTelemetry trace propagation for Ferry: {@link dev.ferry.opentelemetry.FerryTracing} gives an
 * enqueue interceptor (a producer span per enqueue, its context stored in each task's headers) and
 * a worker middleware (a consumer span per attempt, under the producer's context). Built on the
 * OpenTelemetry API only; the application brings the SDK or the Java agent.
 */
// The API takes an OpenTelemetry instance, so its module is transitive although it has no module-info yet.
@SuppressWarnings("requires-transitive-automatic")
module dev.ferry.opentelemetry {
    requires transitive dev.ferry;
    requires transitive io.opentelemetry.api;
    requires io.opentelemetry.context;

    exports dev.ferry.opentelemetry;
}
