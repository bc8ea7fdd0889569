package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.Ferry;
import dev.ferry.InvalidInputException;
import dev.ferry.TaskDefaults;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Authentication, roles, CSRF, security headers and the bind rules, over real HTTP. */
class SecurityTest {
    static final String OPERATOR_TOKEN = "operator-token-0123456789";
    static final String VIEWER_TOKEN = "viewer-token-0123456789";
    static final String ADMIN_BASIC = basic("admin", "admin-password-1");
    static final String VIEWER_BASIC = basic("watcher", "watcher-password");

    @TempDir
    static Path securedDir;
    @TempDir
    static Path openDir;
    static TestServer secured;
    static TestServer open;

    @BeforeAll
    static void start() {
        ServerAuth auth = ServerAuth.builder()
                .token(OPERATOR_TOKEN, Role.OPERATOR)
                .token(VIEWER_TOKEN, Role.VIEWER)
                .user("admin", "admin-password-1", Role.OPERATOR)
                .user("watcher", "watcher-password", Role.VIEWER)
                .build();
        secured = TestServer.start(securedDir, TaskDefaults.standard(), b -> b.auth(auth));
        open = TestServer.start(openDir);
    }

    @AfterAll
    static void stop() {
        secured.close();
        open.close();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A concrete path for a route pattern. */
    static String concrete(String pattern) {
        return pattern.replace("{queue}", "sec-q").replace("{id}", "no-such-task").replace("{file}", "ferry.css")
                .replace("{name}", "no-such-schedule");
    }

    static HttpResponse<String> call(TestServer s, Route r, String... headers) {
        String path = concrete(r.pattern());
        return switch (r.method()) {
            case "GET" -> s.get(path, headers);
            case "DELETE" -> s.delete(path, headers);
            default -> s.postJson(path, "{}", headers);
        };
    }

    @Test
    void everyRouteButTheProbesRequiresCredentials() {
        List<Route> routes = secured.server.router().routes();
        assertThat(routes).hasSizeGreaterThan(25);
        Set<String> open = new TreeSet<>();
        for (Route r : routes) {
            HttpResponse<String> anonymous = call(secured, r);
            if (r.access() == Route.Access.PUBLIC) {
                open.add(r.method() + " " + r.pattern());
                assertThat(anonymous.statusCode()).as(r.method() + " " + r.pattern()).isEqualTo(200);
                continue;
            }
            assertThat(anonymous.statusCode()).as("anonymous " + r.method() + " " + r.pattern()).isEqualTo(401);
            assertThat(anonymous.headers().allValues("WWW-Authenticate")).as(r.pattern())
                    .contains("Basic realm=\"Ferry\", charset=\"UTF-8\"", "Bearer realm=\"Ferry\"");
            assertThat(call(secured, r, "Authorization", "Bearer wrong-token-0123456789").statusCode())
                    .as("bad token " + r.pattern()).isEqualTo(401);
            assertThat(call(secured, r, "Authorization", basic("admin", "wrong-password")).statusCode())
                    .as("bad password " + r.pattern()).isEqualTo(401);

            HttpResponse<String> viewer = call(secured, r, "Authorization", "Bearer " + VIEWER_TOKEN);
            HttpResponse<String> viewerBasic = call(secured, r, "Authorization", VIEWER_BASIC);
            if (r.access() == Route.Access.OPERATOR) {
                assertThat(viewer.statusCode()).as("viewer " + r.method() + " " + r.pattern()).isEqualTo(403);
                assertThat(viewer.body()).contains("requires operator");
                assertThat(viewerBasic.statusCode()).as("basic viewer " + r.pattern()).isEqualTo(403);
            } else {
                assertThat(viewer.statusCode()).as("viewer " + r.method() + " " + r.pattern()).isNotIn(401, 403);
                assertThat(viewerBasic.statusCode()).as("basic viewer " + r.pattern()).isNotIn(401, 403);
            }
            assertThat(call(secured, r, "Authorization", "Bearer " + OPERATOR_TOKEN).statusCode())
                    .as("operator " + r.method() + " " + r.pattern()).isNotIn(401, 403).isLessThan(500);
        }
        assertThat(open).containsExactly("GET /healthz", "GET /readyz");
        // every mutation needs an operator, every read a viewer
        for (Route r : routes) {
            if (r.access() != Route.Access.PUBLIC) {
                assertThat(r.access()).as(r.pattern()).isEqualTo(r.mutating() ? Route.Access.OPERATOR : Route.Access.VIEWER);
            }
        }
    }

    @Test
    void theRouterIsTheOnlyHttpContext() throws Exception {
        // every path reaches the router (no second context could bypass it): an unknown path gets the router's 404
        assertThat(secured.get("/anything/else").statusCode()).isEqualTo(404);
        assertThat(secured.get("/anything/else").headers().firstValue("Content-Security-Policy")).isPresent();
    }

    @Test
    void operatorTokenCanEnqueueWithoutCsrfProof() {
        HttpResponse<String> r = secured.post("/api/v1/queues/sec-q/tasks", "text/plain", "{\"type\":\"t\",\"payload\":{}}",
                "Authorization", "Bearer " + OPERATOR_TOKEN);
        // a bearer token passes the CSRF check; the wrong media type is then refused by the route
        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(TestServer.json(r).get("message").stringValue()).contains("application/json").contains("text/plain");
        HttpResponse<String> ok = secured.postJson("/api/v1/queues/sec-q/tasks", "{\"type\":\"t\",\"payload\":{}}",
                "Authorization", "Bearer " + OPERATOR_TOKEN);
        assertThat(ok.statusCode()).isEqualTo(201);
    }

    @Test
    void basicAuthMutationsNeedCsrfProof() {
        // a browser with basic credentials submitting a cross-site form: no JSON content type, no token
        HttpResponse<String> form = secured.post("/api/v1/queues/sec-q/pause", "application/x-www-form-urlencoded", "",
                "Authorization", ADMIN_BASIC);
        assertThat(form.statusCode()).isEqualTo(403);
        assertThat(TestServer.json(form).get("error").stringValue()).isEqualTo("csrf");
        HttpResponse<String> json = secured.postJson("/api/v1/queues/sec-q/pause", "", "Authorization", ADMIN_BASIC);
        assertThat(json.statusCode()).isEqualTo(200);
        secured.postJson("/api/v1/queues/sec-q/resume", "", "Authorization", ADMIN_BASIC);
    }

    @Test
    void dashboardFormsNeedTheSignedDoubleSubmitToken() {
        HttpResponse<String> page = open.get("/");
        String cookie = page.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith("ferry_csrf=").contains("HttpOnly").contains("SameSite=Strict").contains("Path=/");
        String token = cookie.substring("ferry_csrf=".length(), cookie.indexOf(';'));
        Matcher meta = Pattern.compile("<meta name=\"ferry-csrf\" content=\"([^\"]+)\">").matcher(page.body());
        assertThat(meta.find()).isTrue();
        assertThat(meta.group(1)).isEqualTo(token);
        String jar = "ferry_csrf=" + token;

        // no token at all
        HttpResponse<String> none = open.post("/ui/queues/csrf-q/pause", "application/x-www-form-urlencoded", "", "Cookie", jar);
        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(none.body()).contains("CSRF token");
        assertThat(none.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/html"));
        // a field that does not match the cookie
        assertThat(open.post("/ui/queues/csrf-q/pause", "application/x-www-form-urlencoded", "_csrf=" + token + "x", "Cookie", jar)
                .statusCode()).isEqualTo(403);
        // a forged pair: equal, but not signed by this server
        assertThat(open.post("/ui/queues/csrf-q/pause", "application/x-www-form-urlencoded", "_csrf=abc.def", "Cookie", "ferry_csrf=abc.def")
                .statusCode()).isEqualTo(403);
        // right token, but from another origin
        assertThat(open.post("/ui/queues/csrf-q/pause", "application/x-www-form-urlencoded", "_csrf=" + token,
                "Cookie", jar, "Origin", "http://evil.example").statusCode()).isEqualTo(403);
        assertThat(open.post("/ui/queues/csrf-q/pause", "application/x-www-form-urlencoded", "_csrf=" + token,
                "Cookie", jar, "Sec-Fetch-Site", "cross-site").statusCode()).isEqualTo(403);
        // the real thing: same origin, matching signed token
        HttpResponse<String> ok = open.post("/ui/queues/csrf-q/pause", "application/x-www-form-urlencoded", "_csrf=" + token,
                "Cookie", jar, "Origin", open.base(), "Sec-Fetch-Site", "same-origin");
        assertThat(ok.statusCode()).isEqualTo(303);
        assertThat(ok.headers().firstValue("Location")).hasValue("/queues/csrf-q?done=paused");
        assertThat(open.ferry.inspector().queue("csrf-q").paused()).isTrue();
        // the header form of the token works as well (for scripts on the dashboard)
        assertThat(open.post("/ui/queues/csrf-q/resume", null, "", "Cookie", jar, "X-CSRF-Token", token).statusCode()).isEqualTo(303);
        assertThat(open.ferry.inspector().queue("csrf-q").paused()).isFalse();
    }

    @Test
    void apiMutationsWithoutCredentialsNeedAJsonContentType() {
        HttpResponse<String> plain = open.post("/api/v1/queues/csrf-api/pause", "text/plain", "");
        assertThat(plain.statusCode()).isEqualTo(403);
        assertThat(TestServer.json(plain).get("message").stringValue()).contains("Content-Type: application/json");
        assertThat(open.post("/api/v1/queues/csrf-api/pause", null, "").statusCode()).isEqualTo(403);
        assertThat(open.postJson("/api/v1/queues/csrf-api/pause", "").statusCode()).isEqualTo(200);
        assertThat(open.postJson("/api/v1/queues/csrf-api/resume", "", "Origin", "http://evil.example").statusCode()).isEqualTo(403);
    }

    @Test
    void securityHeadersOnEveryKindOfResponse() {
        List<HttpResponse<String>> responses = new ArrayList<>();
        responses.add(open.get("/"));
        responses.add(open.get("/api/v1/queues"));
        responses.add(open.get("/api/v1/tasks/none-such"));
        responses.add(open.get("/static/ferry.js"));
        responses.add(open.get("/metrics"));
        responses.add(open.get("/healthz"));
        responses.add(open.get("/nope"));
        responses.add(secured.get("/"));
        responses.add(open.post("/ui/queues/x/pause", "application/x-www-form-urlencoded", ""));
        for (HttpResponse<String> r : responses) {
            String what = r.request().method() + " " + r.uri() + " -> " + r.statusCode();
            String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
            assertThat(csp).as(what).contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'")
                    .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
            assertThat(r.headers().firstValue("X-Frame-Options")).as(what).hasValue("DENY");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).as(what).hasValue("nosniff");
            assertThat(r.headers().firstValue("Referrer-Policy")).as(what).hasValue("same-origin");
        }
        assertThat(open.get("/api/v1/queues").headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    @Test
    void pagesHaveNoInlineScriptOrStyle() {
        String html = open.get("/").body();
        assertThat(html).doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>");
        assertThat(html).doesNotContain("<style").doesNotContain(" style=").doesNotContain(" onclick=").doesNotContain("javascript:");
    }

    @Test
    void withoutCredentialsOnlyLoopbackHostNamesAreAnswered() throws IOException {
        int port = open.server.port();
        assertThat(rawStatus(port, "evil.example:" + port)).isEqualTo(403);
        assertThat(rawStatus(port, "localhost:" + port)).isEqualTo(200);
        assertThat(rawStatus(port, "127.0.0.1:" + port)).isEqualTo(200);
        // a server with credentials answers any name (it is behind authentication anyway)
        assertThat(rawStatus(secured.server.port(), "ferry.internal.example")).isEqualTo(401);
    }

    /** A request with a Host header of our choosing (java.net.http does not let one set it). */
    private static int rawStatus(int port, String host) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/v1/queues HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    @Test
    void refusesANonLoopbackBindWithoutCredentials(@TempDir Path dir) {
        try (Ferry ferry = Ferry.open("sqlite:" + dir.resolve("f.db"))) {
            assertThat(FerryServer.builder(ferry).build().host()).isEqualTo("127.0.0.1");
            assertThatThrownBy(() -> FerryServer.builder(ferry).host("0.0.0.0").build())
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("0.0.0.0").hasMessageContaining("without credentials")
                    .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("auth"));
            // with credentials it is allowed (built, not started: the test binds nothing outside loopback)
            FerryServer allowed = FerryServer.builder(ferry).host("0.0.0.0")
                    .auth(ServerAuth.builder().token(OPERATOR_TOKEN, Role.OPERATOR).build()).build();
            assertThat(allowed.host()).isEqualTo("0.0.0.0");
            allowed.close();
        }
    }

    @Test
    void weakOrMissingCredentialsAreRefused() {
        assertThatThrownBy(() -> ServerAuth.builder().token("short", Role.OPERATOR))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("at least 12");
        assertThatThrownBy(() -> ServerAuth.builder().user("a:b", "long-enough-password", Role.VIEWER))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("':'");
        assertThatThrownBy(() -> ServerAuth.builder().build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("no credentials");
    }

    @Test
    void cronRoutesFollowTheRoles() {
        String body = "{\"name\":\"sec-cron\",\"schedule\":\"every 5m\",\"type\":\"t\"}";
        assertThat(secured.postJson("/api/v1/cron", body, "Authorization", "Bearer " + VIEWER_TOKEN).statusCode()).isEqualTo(403);
        assertThat(secured.postJson("/api/v1/cron", body, "Authorization", VIEWER_BASIC).statusCode()).isEqualTo(403);
        // a bearer token passes the CSRF check; the wrong media type is then refused by the route
        assertThat(secured.post("/api/v1/cron", "text/plain", body, "Authorization", "Bearer " + OPERATOR_TOKEN).statusCode()).isEqualTo(415);
        // basic credentials alone are no CSRF proof
        assertThat(secured.post("/api/v1/cron", "text/plain", body, "Authorization", ADMIN_BASIC).statusCode()).isEqualTo(403);
        assertThat(secured.postJson("/api/v1/cron", body, "Authorization", "Bearer " + OPERATOR_TOKEN).statusCode()).isEqualTo(201);
        assertThat(secured.get("/api/v1/cron", "Authorization", "Bearer " + VIEWER_TOKEN).body()).contains("sec-cron");
        assertThat(secured.get("/api/v1/queues/sec-q/scale", "Authorization", "Bearer " + VIEWER_TOKEN).statusCode()).isEqualTo(200);

        String asViewer = secured.get("/cron", "Authorization", VIEWER_BASIC).body();
        assertThat(asViewer).contains("sec-cron").doesNotContain("/ui/cron/");
        String asOperator = secured.get("/cron", "Authorization", ADMIN_BASIC).body();
        assertThat(asOperator).contains("/ui/cron/sec-cron/remove");
        assertThat(secured.delete("/api/v1/cron/sec-cron", "Authorization", "Bearer " + VIEWER_TOKEN).statusCode()).isEqualTo(403);
        assertThat(secured.delete("/api/v1/cron/sec-cron", "Authorization", "Bearer " + OPERATOR_TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void viewersSeeNoActionButtons() {
        String id = secured.enqueue("sec-view", "{\"type\":\"t\",\"payload\":{},\"delay\":\"1h\"}", "Authorization", "Bearer " + OPERATOR_TOKEN);
        String asViewer = secured.get("/tasks/" + id, "Authorization", VIEWER_BASIC).body();
        assertThat(asViewer).contains(id).doesNotContain("/ui/tasks/");
        String asOperator = secured.get("/tasks/" + id, "Authorization", ADMIN_BASIC).body();
        assertThat(asOperator).contains("/ui/tasks/" + id + "/retry").contains("/ui/tasks/" + id + "/cancel");
    }
}
