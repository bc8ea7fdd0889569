package dev.ferry.postgres.internal;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import org.postgresql.PGProperty;

/**
 * A {@code postgresql://user:password@host:port/database?param=value} URL (libpq's form, also
 * with the scheme {@code postgres}) split into what the broker needs: a JDBC URL for pgjdbc, the
 * credentials, and Ferry's own parameters. Query parameters that are not Ferry's must be pgjdbc
 * connection properties ({@code sslmode}, {@code ApplicationName}, ...); anything else is
 * refused, so a misspelt option never goes unnoticed.
 *
 * @param jdbcUrl the pgjdbc URL, without credentials
 * @param user    user name, or null
 * @param password password, or null
 * @param ferry   Ferry's parameters found in the query, by name
 * @param display the URL as error messages show it (password hidden)
 */
public record PgUrl(String jdbcUrl, String user, String password, Map<String, String> ferry, String display) {

    /** Ferry's own parameters; every other one goes to the driver. */
    public static final Set<String> FERRY_PARAMETERS =
            new TreeSet<>(Set.of("schema", "migrate", "notify", "maxConnections", "connectTimeout"));

    /**
     * Parses a {@code postgresql://}, {@code postgres://} or {@code jdbc:postgresql://} URL.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static PgUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("a PostgreSQL URL is required, for example postgresql://user@localhost:5432/app");
        }
        String rest;
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("postgresql://")) {
            rest = url.substring("postgresql://".length());
        } else if (lower.startsWith("postgres://")) {
            rest = url.substring("postgres://".length());
        } else if (lower.startsWith("jdbc:postgresql://")) {
            rest = url.substring("jdbc:postgresql://".length());
        } else {
            throw new IllegalArgumentException("'" + mask(url) + "' is not a PostgreSQL URL: expected"
                    + " postgresql://user:password@host:5432/database (or postgres://, or jdbc:postgresql://)");
        }
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String database = slash < 0 ? "" : decode(rest.substring(slash + 1), "database");
        if (database.contains("/")) {
            throw new IllegalArgumentException("PostgreSQL URL '" + mask(url) + "': the database name must not contain '/'");
        }
        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon), "user");
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1), "password");
            if (user.isEmpty()) {
                user = null;
            }
        }
        String hosts = authority.isEmpty() ? "localhost" : authority;
        checkHosts(url, hosts);

        Map<String, String> ferry = new LinkedHashMap<>();
        StringJoiner driver = new StringJoiner("&");
        if (!query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq), "parameter name");
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1), "parameter " + name);
                if (FERRY_PARAMETERS.contains(name)) {
                    ferry.put(name, value);
                } else if (name.equals("user") || name.equals("password")) {
                    throw new IllegalArgumentException("PostgreSQL URL '" + mask(url) + "': put the " + name
                            + " before the host (postgresql://user:password@host/database), not in the query");
                } else if (PGProperty.forName(name) != null) {
                    driver.add(encode(name) + "=" + encode(value));
                } else {
                    throw new IllegalArgumentException("PostgreSQL URL '" + mask(url) + "': unknown parameter '" + name
                            + "'; Ferry's are " + FERRY_PARAMETERS + ", others must be pgjdbc connection properties"
                            + " (for example sslmode, ApplicationName, connectTimeout)");
                }
            }
        }
        String jdbc = "jdbc:postgresql://" + hosts + "/" + encode(database)
                + (driver.length() == 0 ? "" : "?" + driver);
        String display = "postgresql://" + (user == null ? "" : user + "@") + hosts + "/" + database;
        return new PgUrl(jdbc, user, password, Map.copyOf(ferry), display);
    }

    private static void checkHosts(String url, String hosts) {
        for (String host : hosts.split(",")) {
            String h = host;
            if (h.isEmpty()) {
                throw new IllegalArgumentException("PostgreSQL URL '" + mask(url) + "': empty host");
            }
            String port = null;
            if (h.startsWith("[")) {
                int end = h.indexOf(']');
                if (end < 0) {
                    throw new IllegalArgumentException("PostgreSQL URL '" + mask(url) + "': unclosed '[' in host " + h);
                }
                port = end + 1 < h.length() && h.charAt(end + 1) == ':' ? h.substring(end + 2) : null;
            } else if (h.indexOf(':') >= 0) {
                port = h.substring(h.indexOf(':') + 1);
            }
            if (port != null) {
                int p;
                try {
                    p = Integer.parseInt(port);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("PostgreSQL URL '" + mask(url) + "': port '" + port
                            + "' is not a number");
                }
                if (p < 1 || p > 65535) {
                    throw new IllegalArgumentException("PostgreSQL URL '" + mask(url) + "': port " + p
                            + " is out of range (1-65535)");
                }
            }
        }
    }

    /** The URL with any password replaced by {@code ***}, for messages. */
    public static String mask(String url) {
        if (url == null) {
            return null;
        }
        return url.replaceAll("(://[^:/@?]*:)[^@/?]*@", "$1***@");
    }

    private static String decode(String s, String what) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PostgreSQL URL: bad percent-encoding in the " + what + ": " + e.getMessage());
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
