package dev.ferry.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One registered route: a method, a path pattern with {@code {name}} parameters, who may call it,
 * what kind of answer its errors take, and its handler. Routes are created only by
 * {@link Router#add}, the one place that also puts them behind the security checks.
 *
 * @param method  GET, POST or DELETE
 * @param pattern the path, for example {@code /api/v1/tasks/{id}} (the same syntax as OpenAPI)
 * @param access  who may call it
 * @param kind    whether errors are JSON (API) or an HTML page (dashboard)
 * @param handler the code that answers
 */
record Route(String method, String pattern, Access access, Kind kind, Handler handler) {

    /** Who may call a route. */
    enum Access {
        /** Anyone, without credentials: only liveness and readiness probes. */
        PUBLIC(null),
        /** A viewer or an operator. */
        VIEWER(Role.VIEWER),
        /** An operator. */
        OPERATOR(Role.OPERATOR);

        private final Role required;

        Access(Role required) {
            this.required = required;
        }

        Role required() {
            return required;
        }
    }

    /** How a route's errors are shown. */
    enum Kind {
        /** JSON bodies. */
        API,
        /** HTML pages (and form posts that redirect back to one). */
        PAGE
    }

    /** Answers one call. */
    @FunctionalInterface
    interface Handler {
        void handle(Call call) throws Exception;
    }

    List<String> segments() {
        return split(pattern);
    }

    boolean mutating() {
        return !method.equals("GET") && !method.equals("HEAD");
    }

    /** The parameters when {@code rawSegments} fit this pattern, else null. */
    Map<String, String> match(List<String> rawSegments) {
        List<String> mine = segments();
        if (mine.size() != rawSegments.size()) {
            return null;
        }
        Map<String, String> params = null;
        for (int i = 0; i < mine.size(); i++) {
            String p = mine.get(i);
            String s = rawSegments.get(i);
            if (p.startsWith("{")) {
                if (s.isEmpty()) {
                    return null;
                }
                if (params == null) {
                    params = new java.util.HashMap<>(4);
                }
                params.put(p.substring(1, p.length() - 1), java.net.URLDecoder.decode(s.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8));
            } else if (!p.equals(s)) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }

    static List<String> split(String path) {
        List<String> out = new ArrayList<>();
        if (path.equals("/")) {
            return out;
        }
        int start = 1;
        while (true) {
            int slash = path.indexOf('/', start);
            if (slash < 0) {
                out.add(path.substring(start));
                return out;
            }
            out.add(path.substring(start, slash));
            start = slash + 1;
        }
    }
}
