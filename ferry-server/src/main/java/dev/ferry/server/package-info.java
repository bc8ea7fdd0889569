/**
 * Ferry's HTTP server: a JSON API under {@code /api/v1}, a web dashboard, Prometheus metrics and
 * health probes, over any broker, through the public {@link dev.ferry.Client},
 * {@link dev.ferry.Inspector} and {@link dev.ferry.CronSchedules} only.
 *
 * <pre>{@code
 * try (Ferry ferry = Ferry.open("sqlite:./ferry.db");
 *      FerryServer server = FerryServer.builder(ferry)
 *              .auth(ServerAuth.builder().token(System.getenv("FERRY_TOKEN"), Role.OPERATOR).build())
 *              .build().start()) {
 *     ferry.worker().listener(server.metrics()).handle("email.send", Email.class, mailer::send).start();
 *     System.out.println("dashboard: " + server.url());
 *     ...
 * }
 * }</pre>
 *
 * The public types are {@link dev.ferry.server.FerryServer}, {@link dev.ferry.server.ServerAuth},
 * {@link dev.ferry.server.Role} and {@link dev.ferry.server.FerryMetrics}; everything else is
 * package-private.
 */
package dev.ferry.server;
