package dev.ferry.spring.autoconfigure;

import dev.ferry.Ferry;
import dev.ferry.server.FerryMetrics;
import dev.ferry.server.FerryServer;
import dev.ferry.server.Role;
import dev.ferry.server.ServerAuth;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs Ferry's own HTTP server (API, dashboard, {@code /metrics}) on {@code ferry.server.port},
 * apart from the application's web server. It stops after the worker, so the dashboard shows the
 * drain to the end.
 */
public final class FerryServerLifecycle implements SmartLifecycle {
    /** Stops after the worker ({@link FerryWorkerLifecycle#PHASE}). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

    private static final Log LOG = LogFactory.getLog(FerryServerLifecycle.class);

    private final Ferry ferry;
    private final FerryProperties.Server settings;
    private final FerryMetrics metrics;
    private volatile FerryServer server;

    FerryServerLifecycle(Ferry ferry, FerryProperties properties, FerryMetrics metrics) {
        this.ferry = ferry;
        this.settings = properties.server();
        this.metrics = metrics;
    }

    @Override
    public synchronized void start() {
        if (server != null) {
            return;
        }
        FerryServer.Builder b = FerryProperties.named("ferry.server.", () -> FerryServer.builder(ferry)
                .host(settings.host()).port(settings.port()).auth(auth()));
        if (metrics != null) {
            b.metrics(metrics);
        }
        server = FerryProperties.named("ferry.server.", b::build).start();
        LOG.info("Ferry dashboard at " + server.url());
    }

    private ServerAuth auth() {
        FerryProperties.Server.Auth a = settings.auth();
        if (a.operatorToken() == null && a.viewerToken() == null && a.username() == null) {
            return ServerAuth.none();
        }
        ServerAuth.Builder b = ServerAuth.builder();
        if (a.operatorToken() != null) {
            b.token(a.operatorToken(), Role.OPERATOR);
        }
        if (a.viewerToken() != null) {
            b.token(a.viewerToken(), Role.VIEWER);
        }
        if (a.username() != null) {
            b.user(a.username(), a.password(), Role.OPERATOR);
        }
        return b.build();
    }

    @Override
    public synchronized void stop() {
        FerryServer s = server;
        server = null;
        if (s != null) {
            s.close();
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** The running server, or null. */
    public FerryServer server() {
        return server;
    }
}
