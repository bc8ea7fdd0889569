package dev.ferry.redis.internal;

import io.lettuce.core.ScriptOutputType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts, one resource file per operation under {@code dev/ferry/redis/lua/}, each with a
 * header documenting its KEYS, ARGV and return value. Their text is fixed at build time and never
 * assembled from input: keys arrive through KEYS, values through ARGV. They are called by SHA-1
 * ({@code EVALSHA}); a server that does not know a script (restarted, failed over, a new cluster
 * node) answers NOSCRIPT and the caller sends the text once ({@code EVAL}), which caches it again.
 *
 * <p>A line {@code --#include <name>} in a script is replaced, when the resource is loaded, by the
 * text of {@code lib/<name>.lua} (shared Lua functions, such as the KEDA ready-list upkeep); the
 * result is still fixed text, hashed once.
 */
public enum Script {
    ENQUEUE("enqueue", ScriptOutputType.MULTI),
    CLAIM("claim", ScriptOutputType.MULTI),
    RENEW("renew", ScriptOutputType.MULTI),
    ACK("ack", ScriptOutputType.MULTI),
    RELEASE("release", ScriptOutputType.INTEGER),
    PROGRESS("progress", ScriptOutputType.INTEGER),
    RECOVER("recover", ScriptOutputType.MULTI),
    PROMOTE("promote", ScriptOutputType.INTEGER),
    PRUNE("prune", ScriptOutputType.MULTI),
    STATS("stats", ScriptOutputType.MULTI),
    LIST("list", ScriptOutputType.MULTI),
    RETRY("retry", ScriptOutputType.INTEGER),
    CANCEL("cancel", ScriptOutputType.MULTI),
    DELETE("delete", ScriptOutputType.MULTI),
    PAUSE("pause", ScriptOutputType.INTEGER),
    FORGET("forget", ScriptOutputType.INTEGER),
    IDEMPOTENCY("idempotency", ScriptOutputType.VALUE),
    LEAD("lead", ScriptOutputType.MULTI),
    WORKERS("workers", ScriptOutputType.MULTI),
    PERMIT_TAKE("permit_take", ScriptOutputType.MULTI),
    PERMIT_ACQUIRE("permit_acquire", ScriptOutputType.MULTI),
    PERMIT_RELEASE("permit_release", ScriptOutputType.INTEGER),
    RECORDS("records", ScriptOutputType.MULTI);

    private static final String INCLUDE = "--#include ";

    private final String file;
    private final ScriptOutputType output;
    private final String text;
    private final String sha;

    Script(String name, ScriptOutputType output) {
        this.file = name + ".lua";
        this.output = output;
        this.text = load(file);
        this.sha = sha1(text);
    }

    public String file() {
        return file;
    }

    public ScriptOutputType output() {
        return output;
    }

    public String text() {
        return text;
    }

    public String sha() {
        return sha;
    }

    private static String load(String file) {
        StringBuilder out = new StringBuilder();
        for (String line : read(file).split("\n", -1)) {
            if (line.startsWith(INCLUDE)) {
                out.append(read("lib/" + line.substring(INCLUDE.length()).trim() + ".lua"));
            } else {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    private static String read(String file) {
        try (InputStream in = Script.class.getResourceAsStream("/dev/ferry/redis/lua/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource dev/ferry/redis/lua/" + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
