package dev.ferry.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.ferry.BrokerException;
import dev.ferry.InvalidInputException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Method + path pattern to handler, with every request passing the same checks in the same order:
 * security headers, {@code Host} check, authentication, role, CSRF (mutations), then the handler.
 * {@link #add} is the only way to register a route, so no route can skip them; the test that
 * enumerates {@link #routes()} relies on that.
 */
final class Router implements HttpHandler {
    private static final System.Logger LOG = System.getLogger(Router.class.getName());

    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final Security security;
    private final long maxBodyBytes;
    private final ErrorPages errorPages;

    /** Renders an error as an HTML page for dashboard routes. */
    @FunctionalInterface
    interface ErrorPages {
        String render(Call call, HttpError error);
    }

    Router(Security security, long maxBodyBytes, ErrorPages errorPages) {
        this.security = security;
        this.maxBodyBytes = maxBodyBytes;
        this.errorPages = errorPages;
    }

    /** Registers a route behind the security checks. */
    Router add(String method, String pattern, Route.Access access, Route.Kind kind, Route.Handler handler) {
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("pattern must start with '/': " + pattern);
        }
        for (Route r : routes) {
            if (r.method().equals(method) && r.pattern().equals(pattern)) {
                throw new IllegalArgumentException("route registered twice: " + method + " " + pattern);
            }
        }
        routes.add(new Route(method, pattern, access, kind, handler));
        return this;
    }

    List<Route> routes() {
        return List.copyOf(routes);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Security.applyHeaders(exchange.getResponseHeaders());
            String path = exchange.getRequestURI().getRawPath();
            List<String> segments = path == null || path.isEmpty() ? List.of() : Route.split(path);
            Route route = null;
            Map<String, String> params = null;
            TreeSet<String> allowed = new TreeSet<>();
            HttpError early = null;
            for (Route r : routes) {
                Map<String, String> p;
                try {
                    p = r.match(segments);
                } catch (IllegalArgumentException e) {
                    early = new HttpError(400, "invalid_input", "malformed percent-encoding in the path");
                    break;
                }
                if (p == null) {
                    continue;
                }
                allowed.add(r.method());
                if (r.method().equals(exchange.getRequestMethod())) {
                    route = r;
                    params = p;
                    break;
                }
            }
            Call call = new Call(exchange, params == null ? Map.of() : params, maxBodyBytes);
            Route.Kind kind = route != null ? route.kind() : guessKind(path);
            try {
                if (early != null) {
                    throw early;
                }
                if (route == null) {
                    if (allowed.isEmpty()) {
                        throw HttpError.notFound("no route for " + exchange.getRequestMethod() + " " + path);
                    }
                    exchange.getResponseHeaders().set("Allow", String.join(", ", allowed));
                    throw new HttpError(405, "method_not_allowed", exchange.getRequestMethod() + " is not allowed on " + path
                            + "; allowed: " + String.join(", ", allowed));
                }
                dispatch(call, route);
            } catch (Throwable t) {
                fail(call, kind, t);
            }
        }
    }

    private void dispatch(Call call, Route route) throws Exception {
        if (route.access() != Route.Access.PUBLIC) {
            security.checkHost(call);
            Security.Principal p = security.authenticate(call);
            if (p == null) {
                throw security.unauthorized(call);
            }
            if (!p.role().allows(route.access().required())) {
                throw Security.forbidden(p, route.access().required());
            }
            call.principal(p);
            if (route.mutating()) {
                security.checkCsrf(call, route);
            }
            if (route.kind() == Route.Kind.PAGE && !route.mutating()) {
                call.csrfToken(security.csrfTokenFor(call));
            }
        }
        route.handler().handle(call);
        if (!call.answered()) {
            throw new IllegalStateException("handler for " + route.method() + " " + route.pattern() + " did not answer");
        }
    }

    private void fail(Call call, Route.Kind kind, Throwable t) throws IOException {
        HttpError error = toHttpError(t);
        if (call.answered()) {
            // headers are out already: all we can do is log and let the connection close
            LOG.log(System.Logger.Level.WARNING, "error after the response started: " + t, t);
            return;
        }
        if (kind == Route.Kind.PAGE) {
            call.html(error.status(), errorPages.render(call, error));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", error.status());
        body.put("error", error.code());
        body.put("message", error.getMessage());
        if (error.field() != null) {
            body.put("field", error.field());
        }
        body.putAll(error.extra());
        call.json(error.status(), body);
    }

    static HttpError toHttpError(Throwable t) {
        if (t instanceof HttpError e) {
            return e;
        }
        if (t instanceof InvalidInputException e) {
            return new HttpError(400, "invalid_input", e.field(), e.getMessage(), Map.of());
        }
        if (t instanceof BrokerException e) {
            LOG.log(System.Logger.Level.WARNING, "broker failure: " + e.getMessage(), e);
            return e.isTransient()
                    ? new HttpError(503, "broker_unavailable", "the broker is unavailable, try again: " + e.getMessage())
                    : new HttpError(500, "broker_error", "the broker failed: " + e.getMessage());
        }
        if (t instanceof IOException e) {
            // the client went away or sent a broken body: nothing useful to add
            return new HttpError(400, "bad_request", "could not read the request: " + e.getMessage());
        }
        LOG.log(System.Logger.Level.ERROR, "unexpected error: " + t, t);
        return new HttpError(500, "internal_error", "internal error (" + t.getClass().getSimpleName() + "); see the server log");
    }

    private static Route.Kind guessKind(String path) {
        return path != null && (path.startsWith("/api/") || path.equals("/metrics") || path.startsWith("/healthz")
                || path.startsWith("/readyz")) ? Route.Kind.API : Route.Kind.PAGE;
    }
}
