package dev.ferry.server;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * HTML escaping and the page frame. Every piece of task data reaches a page through
 * {@link #esc(String)} (text and quoted attribute values) or {@link #pathSegment(String)} (URLs),
 * never as raw markup; the Content-Security-Policy forbids inline script as a second line.
 */
final class Html {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private Html() {
    }

    /** Escapes text for an element's content or a double- or single-quoted attribute value. */
    static String esc(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                case '`' -> "&#96;";
                default -> null;
            };
            if (r != null) {
                if (b == null) {
                    b = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                b.append(r);
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    /** Percent-encodes a value for one URL path segment (or query value): only unreserved characters stay. */
    static String pathSegment(String value) {
        StringBuilder b = new StringBuilder();
        for (byte x : value.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return b.toString();
    }

    static String time(Instant i) {
        return i == null ? "—" : TIME.format(i);
    }

    /** A time with its distance from now, in a {@code <time>} element. */
    static String timeAgo(Instant i, Instant now) {
        if (i == null) {
            return "—";
        }
        Duration d = Duration.between(i, now);
        String rel = d.isNegative() ? "in " + human(d.negated()) : human(d) + " ago";
        return "<time datetime=\"" + esc(i.toString()) + "\" title=\"" + esc(time(i)) + " UTC\">" + esc(rel) + "</time>";
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 1) {
            return d.toMillis() + "ms";
        }
        if (s < 120) {
            return s + "s";
        }
        if (s < 7200) {
            return (s / 60) + "m";
        }
        if (s < 172800) {
            return (s / 3600) + "h";
        }
        return (s / 86400) + "d";
    }

    /** A hidden CSRF field for a form. */
    static String csrfField(String token) {
        return "<input type=\"hidden\" name=\"" + Security.CSRF_FIELD + "\" value=\"" + esc(token) + "\">";
    }

    /** A form with one button that posts to {@code action} (already URL-safe). */
    static String button(String action, String label, String token, String cssClass, String confirm) {
        return "<form method=\"post\" action=\"" + esc(action) + "\" class=\"inline\""
                + (confirm == null ? "" : " data-confirm=\"" + esc(confirm) + "\"") + ">"
                + csrfField(token) + "<button type=\"submit\" class=\"" + esc(cssClass) + "\">" + esc(label) + "</button></form>";
    }

    /** The frame every page shares. {@code body} is markup built with the escaping above. */
    static String page(String title, String active, String csrfToken, String body, boolean charts) {
        StringBuilder b = new StringBuilder(body.length() + 2048);
        b.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(esc(title)).append(" · Ferry</title>")
                .append("<link rel=\"stylesheet\" href=\"/static/ferry.css\">");
        if (charts) {
            b.append("<link rel=\"stylesheet\" href=\"/static/uPlot.min.css\">")
                    .append("<script src=\"/static/uPlot.iife.min.js\" defer></script>");
        }
        if (csrfToken != null) {
            b.append("<meta name=\"ferry-csrf\" content=\"").append(esc(csrfToken)).append("\">");
        }
        b.append("<script src=\"/static/ferry.js\" defer></script></head><body>")
                .append("<header class=\"top\"><a class=\"brand\" href=\"/\">Ferry</a><nav>");
        nav(b, "/", "Overview", active);
        nav(b, "/dead", "Dead set", active);
        nav(b, "/workers", "Workers", active);
        nav(b, "/cron", "Cron", active);
        b.append("</nav></header><main>").append(body).append("</main>")
                .append("<footer>Ferry task queue · <a href=\"/api/openapi.json\">API</a> · <a href=\"/metrics\">metrics</a></footer>")
                .append("</body></html>\n");
        return b.toString();
    }

    private static void nav(StringBuilder b, String href, String label, String active) {
        b.append("<a href=\"").append(href).append('"').append(href.equals(active) ? " class=\"active\" aria-current=\"page\"" : "")
                .append('>').append(label).append("</a>");
    }
}
