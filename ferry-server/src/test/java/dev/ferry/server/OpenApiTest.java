package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code /api/openapi.json} documents every API route the router serves, and nothing it does not. */
class OpenApiTest {
    @TempDir
    static Path dir;
    static TestServer s;
    static JsonNode doc;

    @BeforeAll
    static void start() {
        s = TestServer.start(dir);
        doc = TestServer.json(s.get("/api/openapi.json"));
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static boolean isApi(Route r) {
        return r.kind() == Route.Kind.API;
    }

    @Test
    void isOpenApi31() {
        assertThat(doc.get("openapi").stringValue()).isEqualTo("3.1.0");
        assertThat(doc.get("info").get("title").stringValue()).isNotBlank();
    }

    @Test
    void everyApiRouteIsDocumented() {
        for (Route r : s.server.router().routes()) {
            if (!isApi(r)) {
                continue;
            }
            JsonNode path = doc.get("paths").get(r.pattern());
            assertThat(path).as("paths has " + r.pattern()).isNotNull();
            JsonNode op = path.get(r.method().toLowerCase(Locale.ROOT));
            assertThat(op).as(r.method() + " " + r.pattern() + " is documented").isNotNull();
            assertThat(op.get("operationId").stringValue()).isNotBlank();
            assertThat(op.get("responses").size()).isPositive();
            // path parameters are declared
            for (String segment : r.segments()) {
                if (segment.startsWith("{")) {
                    String name = segment.substring(1, segment.length() - 1);
                    assertThat(op.get("parameters").findValuesAsString("name")).as(r.pattern()).contains(name);
                }
            }
            // the security the router applies is the one documented
            boolean documentedPublic = op.has("security") && op.get("security").isEmpty();
            assertThat(documentedPublic).as(r.pattern() + " documented as public").isEqualTo(r.access() == Route.Access.PUBLIC);
            if (r.mutating() || r.pattern().contains("{")) {
                assertThat(op.get("responses").has("400") || op.get("responses").has("404") || op.get("responses").has("200"))
                        .isTrue();
            }
        }
    }

    @Test
    void documentsNoRouteThatDoesNotExist() {
        for (Iterator<String> it = doc.get("paths").propertyNames().iterator(); it.hasNext(); ) {
            String path = it.next();
            for (String method : doc.get("paths").get(path).propertyNames()) {
                boolean served = s.server.router().routes().stream()
                        .anyMatch(r -> r.pattern().equals(path) && r.method().equalsIgnoreCase(method));
                assertThat(served).as(method + " " + path + " is served").isTrue();
            }
        }
    }

    @Test
    void refsResolve() {
        String text = s.get("/api/openapi.json").body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"#/components/schemas/(\\w+)\"").matcher(text);
        while (m.find()) {
            assertThat(doc.get("components").get("schemas").has(m.group(1))).as(m.group(1)).isTrue();
        }
    }
}
