package dev.ferry.server;

import com.sun.net.httpserver.Headers;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authentication, authorization, CSRF and the response headers every answer carries.
 *
 * <h2>Who is calling</h2>
 * {@code Authorization: Bearer <token>} or {@code Basic <user:password>} against the configured
 * {@link ServerAuth}. Without configured credentials (allowed on loopback only) every caller is an
 * anonymous operator, and the {@code Host} header must be a loopback name: otherwise a web page
 * could rebind its own DNS name to 127.0.0.1 and talk to the server as a same-origin page.
 *
 * <h2>Cross-site request forgery</h2>
 * A browser attaches basic-auth credentials (and reaches an unauthenticated loopback server) on
 * its own, so every mutating request must prove it comes from this server's own pages or from a
 * program, not from a form on another site:
 * <ol>
 *   <li>an {@code Origin} header, when present, must name this server, and
 *       {@code Sec-Fetch-Site}, when present, must be {@code same-origin} or {@code none};</li>
 *   <li>then one of: a bearer token (browsers never attach one by themselves); for API routes a
 *       {@code Content-Type: application/json} body (another site cannot send one without a CORS
 *       preflight, which this server never grants); or the CSRF token of the dashboard — the
 *       {@code ferry_csrf} cookie repeated in the {@code _csrf} form field or the
 *       {@code X-CSRF-Token} header (a signed double submit: the token carries an HMAC under a
 *       per-server secret, so a cookie planted by a sibling domain does not pass).</li>
 * </ol>
 */
final class Security {
    static final String CSRF_COOKIE = "ferry_csrf";
    static final String CSRF_FIELD = "_csrf";
    static final String CSRF_HEADER = "X-CSRF-Token";

    /** No inline script or style anywhere: the dashboard's code and styles are files under /static. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /** How the caller proved who it is. */
    enum Scheme { BEARER, BASIC, NONE }

    /** The authenticated caller. */
    record Principal(String name, Role role, Scheme scheme) {
    }

    private static final Principal ANONYMOUS_OPERATOR = new Principal("anonymous", Role.OPERATOR, Scheme.NONE);

    private final ServerAuth auth;
    private final String bindHost;
    private final byte[] csrfSecret = new byte[32];
    private final SecureRandom random = new SecureRandom();

    Security(ServerAuth auth, String bindHost) {
        this.auth = auth;
        this.bindHost = bindHost;
        random.nextBytes(csrfSecret);
    }

    static void applyHeaders(Headers h) {
        h.set("Content-Security-Policy", CSP);
        h.set("X-Frame-Options", "DENY");
        h.set("X-Content-Type-Options", "nosniff");
        // same-origin, not no-referrer: with no-referrer Chrome sends "Origin: null" on the
        // dashboard's own form posts, which the CSRF check must then refuse
        h.set("Referrer-Policy", "same-origin");
        h.set("Cross-Origin-Opener-Policy", "same-origin");
        h.set("Cross-Origin-Resource-Policy", "same-origin");
        h.set("Cache-Control", "no-store");
    }

    /** Refuses a Host header that is not a loopback name when the server runs without credentials. */
    void checkHost(Call call) {
        if (auth.enabled()) {
            return;
        }
        String host = call.header("Host");
        if (host == null || !isLoopbackName(hostPart(host))) {
            throw new HttpError(403, "host_not_allowed", "Host '" + host + "' is not allowed: without credentials the server "
                    + "answers only to loopback names (localhost, 127.0.0.1, [::1]); configure credentials to serve other names");
        }
    }

    private boolean isLoopbackName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("localhost") || n.endsWith(".localhost") || n.equals(bindHost)) {
            return true;
        }
        // only literal addresses: resolving a name here would be what DNS rebinding exploits
        if (n.matches("127(\\.\\d{1,3}){3}") || n.equals("::1") || n.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        return false;
    }

    static String hostPart(String hostHeader) {
        String h = hostHeader.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(1, end);
        }
        int colon = h.lastIndexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    /** The caller, or null when no (valid) credentials came and the server requires them. */
    Principal authenticate(Call call) {
        String header = call.header("Authorization");
        if (header != null) {
            String h = header.trim();
            int space = h.indexOf(' ');
            String scheme = space < 0 ? h : h.substring(0, space);
            String value = space < 0 ? "" : h.substring(space + 1).trim();
            if (scheme.equalsIgnoreCase("Bearer") && auth.hasTokens()) {
                Role role = auth.tokenRole(value);
                return role == null ? null : new Principal("token", role, Scheme.BEARER);
            }
            if (scheme.equalsIgnoreCase("Basic") && auth.hasUsers()) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null;
                }
                int colon = decoded.indexOf(':');
                if (colon < 0) {
                    return null;
                }
                String user = decoded.substring(0, colon);
                Role role = auth.userRole(user, decoded.substring(colon + 1));
                return role == null ? null : new Principal(user, role, Scheme.BASIC);
            }
        }
        return auth.enabled() ? null : ANONYMOUS_OPERATOR;
    }

    /** 401 with the challenges a client can answer. */
    HttpError unauthorized(Call call) {
        Headers h = call.responseHeaders();
        if (auth.hasUsers()) {
            h.add("WWW-Authenticate", "Basic realm=\"Ferry\", charset=\"UTF-8\"");
        }
        if (auth.hasTokens()) {
            h.add("WWW-Authenticate", "Bearer realm=\"Ferry\"");
        }
        String how = auth.hasUsers() && auth.hasTokens() ? "a bearer token or basic authentication"
                : auth.hasUsers() ? "basic authentication" : "a bearer token (Authorization: Bearer ...)";
        return new HttpError(401, "unauthorized", "missing or invalid credentials: this server requires " + how);
    }

    static HttpError forbidden(Principal p, Role required) {
        return new HttpError(403, "forbidden", "'" + p.name() + "' has role " + p.role().name().toLowerCase(Locale.ROOT)
                + "; this route requires " + required.name().toLowerCase(Locale.ROOT));
    }

    /** The CSRF checks for a mutating request (see the class comment). */
    void checkCsrf(Call call, Route route) throws java.io.IOException {
        String site = call.header("Sec-Fetch-Site");
        if (site != null && !site.equalsIgnoreCase("same-origin") && !site.equalsIgnoreCase("none")) {
            throw csrf("cross-site request refused (Sec-Fetch-Site: " + site + ")");
        }
        String origin = call.header("Origin");
        if (origin != null && !sameOrigin(origin, call.header("Host"))) {
            throw csrf("cross-origin request refused: Origin '" + origin + "' is not this server");
        }
        Principal p = call.principal();
        if (p != null && p.scheme() == Scheme.BEARER) {
            return;
        }
        if (route.kind() == Route.Kind.API && call.contentType().equals("application/json")) {
            return;
        }
        String sent = call.header(CSRF_HEADER);
        if (sent == null) {
            sent = call.formField(CSRF_FIELD);
        }
        String cookie = cookie(call.requestHeaders(), CSRF_COOKIE);
        if (sent == null || cookie == null || !validToken(cookie)
                || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8), cookie.getBytes(StandardCharsets.UTF_8))) {
            throw csrf(route.kind() == Route.Kind.API
                    ? "missing CSRF proof: send Content-Type: application/json (even without a body), a bearer token, or the X-CSRF-Token header"
                    : "missing or stale CSRF token: reload the page and try again");
        }
    }

    private static HttpError csrf(String message) {
        return new HttpError(403, "csrf", message);
    }

    private static boolean sameOrigin(String origin, String host) {
        if (host == null || origin.equals("null")) {
            return false;
        }
        try {
            URI o = URI.create(origin);
            String authority = o.getRawAuthority();
            return authority != null && authority.equalsIgnoreCase(host.trim())
                    && ("http".equalsIgnoreCase(o.getScheme()) || "https".equalsIgnoreCase(o.getScheme()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The CSRF token for a page: the caller's cookie when it is valid, else a new one set as an
     * HttpOnly, SameSite=Strict cookie (pages carry it in their forms, so scripts never read it).
     */
    String csrfTokenFor(Call call) {
        String existing = cookie(call.requestHeaders(), CSRF_COOKIE);
        if (existing != null && validToken(existing)) {
            return existing;
        }
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        String n = Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
        String token = n + "." + sign(n);
        call.responseHeaders().add("Set-Cookie", CSRF_COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
        return token;
    }

    private boolean validToken(String token) {
        int dot = token.indexOf('.');
        if (dot < 1) {
            return false;
        }
        String expected = sign(token.substring(0, dot));
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                token.substring(dot + 1).getBytes(StandardCharsets.UTF_8));
    }

    private String sign(String nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(csrfSecret, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(nonce.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    static String cookie(Headers headers, String name) {
        for (String line : headers.getOrDefault("Cookie", java.util.List.of())) {
            for (String part : line.split(";")) {
                String p = part.trim();
                if (p.startsWith(name + "=")) {
                    return p.substring(name.length() + 1);
                }
            }
        }
        return null;
    }

    /** True for addresses only this machine can reach. */
    static boolean isLoopback(String host) {
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
