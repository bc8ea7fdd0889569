package dev.ferry.server;

import static dev.ferry.server.Route.Access.VIEWER;
import static dev.ferry.server.Route.Kind.PAGE;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dashboard's scripts and styles, read once from the jar: {@code ferry.js} and
 * {@code ferry.css} (ours) and uPlot 1.6.32 (vendored with its MIT license header, from the npm
 * package's {@code dist/}). A fixed list, so no request can name another resource.
 */
final class StaticFiles {
    private record Asset(byte[] bytes, String contentType, String etag) {
    }

    private final Map<String, Asset> assets = new LinkedHashMap<>();

    StaticFiles() {
        add("ferry.js", "text/javascript; charset=utf-8");
        add("ferry.css", "text/css; charset=utf-8");
        add("uPlot.iife.min.js", "text/javascript; charset=utf-8");
        add("uPlot.min.css", "text/css; charset=utf-8");
    }

    private void add(String name, String contentType) {
        byte[] bytes = ApiRoutes.resource("static/" + name);
        try {
            String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8) + "\"";
            assets.put(name, new Asset(bytes, contentType, etag));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    void register(Router r) {
        r.add("GET", "/static/{file}", VIEWER, PAGE, c -> {
            Asset a = assets.get(c.param("file"));
            if (a == null) {
                throw HttpError.notFound("no static file '" + c.param("file") + "'");
            }
            // revalidate every time: cheap (an ETag match answers 304) and never stale after an upgrade
            c.responseHeaders().set("Cache-Control", "no-cache");
            c.responseHeaders().set("ETag", a.etag());
            if (a.etag().equals(c.header("If-None-Match"))) {
                c.send(304, null, null);
                return;
            }
            c.send(200, a.contentType(), a.bytes());
        });
    }
}
