package dev.ferry.server;

import dev.ferry.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The credentials a {@link FerryServer} accepts, each with a {@link Role}: bearer tokens (for API
 * clients and Prometheus) and basic-auth users (for browsers).
 *
 * <pre>{@code
 * ServerAuth auth = ServerAuth.builder()
 *         .token(System.getenv("FERRY_TOKEN"), Role.OPERATOR)
 *         .token(System.getenv("FERRY_SCRAPE_TOKEN"), Role.VIEWER)
 *         .user("admin", System.getenv("FERRY_ADMIN_PASSWORD"), Role.OPERATOR)
 *         .build();
 * }</pre>
 *
 * {@link #none()} turns authentication off; the server accepts that only on a loopback address,
 * where every caller is an {@link Role#OPERATOR}. Secrets are kept only as SHA-256 digests and
 * compared in constant time.
 */
public final class ServerAuth {
    /** Shorter secrets are refused: they could be guessed over the network. */
    public static final int MIN_SECRET_LENGTH = 12;

    private static final ServerAuth NONE = new ServerAuth(Map.of(), Map.of());

    private final Map<String, Role> tokens;      // hex SHA-256 of the token -> role
    private final Map<String, User> users;       // user name -> user

    record User(String name, byte[] passwordDigest, Role role) {
    }

    private ServerAuth(Map<String, Role> tokens, Map<String, User> users) {
        this.tokens = Map.copyOf(tokens);
        this.users = Map.copyOf(users);
    }

    /** No credentials: allowed on a loopback address only, where every caller is an operator. */
    public static ServerAuth none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when at least one credential is configured. */
    public boolean enabled() {
        return !tokens.isEmpty() || !users.isEmpty();
    }

    boolean hasUsers() {
        return !users.isEmpty();
    }

    boolean hasTokens() {
        return !tokens.isEmpty();
    }

    /** The role of a bearer token, or null when it is not one of ours. */
    Role tokenRole(String token) {
        return tokens.get(hex(sha256(token)));
    }

    /** The role of a basic-auth user whose password matches, or null. */
    Role userRole(String name, String password) {
        User user = users.get(name);
        byte[] given = sha256(password);
        if (user == null) {
            // compare anyway, so a wrong user name takes as long as a wrong password
            MessageDigest.isEqual(given, sha256(""));
            return null;
        }
        return MessageDigest.isEqual(given, user.passwordDigest()) ? user.role() : null;
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    @Override
    public String toString() {
        return enabled() ? "ServerAuth[" + tokens.size() + " tokens, users " + users.keySet() + "]" : "ServerAuth[none]";
    }

    /** Collects credentials; every secret is checked when added. */
    public static final class Builder {
        private final Map<String, Role> tokens = new HashMap<>();
        private final Map<String, User> users = new HashMap<>();

        private Builder() {
        }

        /** Accepts {@code Authorization: Bearer <token>} with the given role. */
        public Builder token(String token, Role role) {
            checkSecret("token", token);
            Objects.requireNonNull(role, "role");
            if (tokens.putIfAbsent(hex(sha256(token)), role) != null) {
                throw new InvalidInputException("token", "the same token is configured twice");
            }
            return this;
        }

        /** Accepts HTTP basic authentication for this user with the given role. */
        public Builder user(String name, String password, Role role) {
            if (name == null || name.isBlank() || name.contains(":")) {
                throw new InvalidInputException("user", "a user name is required and must not contain ':'");
            }
            checkSecret("password", password);
            Objects.requireNonNull(role, "role");
            if (users.putIfAbsent(name, new User(name, sha256(password), role)) != null) {
                throw new InvalidInputException("user", "user '" + name + "' is configured twice");
            }
            return this;
        }

        public ServerAuth build() {
            if (tokens.isEmpty() && users.isEmpty()) {
                throw new InvalidInputException("auth", "no credentials configured: add token(...) or user(...), or use ServerAuth.none() on a loopback address");
            }
            return new ServerAuth(tokens, users);
        }

        private static void checkSecret(String field, String secret) {
            if (secret == null || secret.isBlank()) {
                throw new InvalidInputException(field, "is required");
            }
            if (secret.length() < MIN_SECRET_LENGTH) {
                throw new InvalidInputException(field, "must be at least " + MIN_SECRET_LENGTH + " characters, was " + secret.length());
            }
        }
    }
}
