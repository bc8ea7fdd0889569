package dev.ferry.redis.internal;

import java.util.Objects;

/**
 * Every Redis key name Ferry uses, built in this one class (see
 * {@code docs/decisions/0003-redis-key-layout.md}).
 *
 * <p>Two kinds of slots. All keys of one queue share the hash tag {@code {queue}}
 * ({@code <prefix>:{<queue>}:...}), so one Lua script can change a queue's indexes and its tasks
 * atomically, and a Redis Cluster spreads queues over its nodes. What is global to a prefix — the
 * task-id directory, unique-key holds, the queue registry, idempotency records, leader leases and
 * worker heartbeats — lives under the hash tag {@code {<prefix>}}. A script only ever touches keys
 * of one slot: names reach it through {@code KEYS}, either whole or as a prefix carrying the slot's
 * hash tag to which the script appends a task id.
 *
 * <p>Flow-control state and records each live in one key with the name as its hash tag
 * ({@code <prefix>:b:{<name>}} for a token bucket, {@code <prefix>:s:{<name>}} for a semaphore,
 * {@code <prefix>:r:{<namespace>}} for a namespace of records): every permit or record script
 * touches that one key, so a Redis Cluster spreads them over its nodes and no global slot becomes
 * hot. The kind letter sits before the first brace, where a queue key has its brace, so no name of
 * one kind can spell a key of another.
 */
public final class Keys {
    private final String prefix;
    private final String global;

    /**
     * @param prefix the key prefix, for example {@code ferry}; no braces, no blanks
     * @throws IllegalArgumentException for a prefix that cannot be a hash tag
     */
    public Keys(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.isEmpty() || prefix.chars().anyMatch(c -> c == '{' || c == '}' || Character.isWhitespace(c))) {
            throw new IllegalArgumentException("key prefix '" + prefix + "' must be non-empty, without braces or blanks");
        }
        this.prefix = prefix;
        this.global = "{" + prefix + "}:";
    }

    public String prefix() {
        return prefix;
    }

    /** Directory: hash of task id to queue name. */
    public String ids() {
        return global + "ids";
    }

    /** Registry: set of known queue names. */
    public String queues() {
        return global + "queues";
    }

    /** Prefix of unique-key holds: {@code {P}:u:<key>}. */
    public String uniquePrefix() {
        return global + "u:";
    }

    /** One idempotency record. */
    public String idempotency(String key) {
        return global + "i:" + key;
    }

    /** One leader lease. */
    public String leader(String name) {
        return global + "l:" + name;
    }

    /** Hash of worker id to its description. */
    public String workers() {
        return global + "workers";
    }

    /** Sorted set of worker ids by last heartbeat. */
    public String heartbeats() {
        return global + "heartbeats";
    }

    /** A token bucket: hash {t = tokens, a = at ms, f = full-again ms}, expiring when full again. */
    public String bucket(String name) {
        return own("b:", name);
    }

    /** A semaphore: sorted set of holder to expiry ms, expiring with its last holder. */
    public String semaphore(String name) {
        return own("s:", name);
    }

    /** The records of one namespace: hash of key to {@code <updatedAt ms>:<json>}. */
    public String records(String namespace) {
        return own("r:", namespace);
    }

    /** {@code <prefix>:<kind>{<name>}}: one key, in the slot of its name. */
    private String own(String kind, String name) {
        Objects.requireNonNull(name, "name");
        return prefix + ":" + kind + "{" + name + "}";
    }

    /** The keys of one queue. */
    public Queue queue(String name) {
        Objects.requireNonNull(name, "queue");
        if (name.isEmpty() || name.indexOf('{') >= 0 || name.indexOf('}') >= 0) {
            throw new IllegalArgumentException("queue name '" + name + "' must be non-empty, without braces");
        }
        return new Queue(name, prefix + ":{" + name + "}:");
    }

    /**
     * The keys of one queue, all under its hash tag.
     *
     * @param name the queue
     * @param base {@code <prefix>:{<queue>}:}
     */
    public record Queue(String name, String base) {
        /** Pending tasks in claim order. */
        public String pending() {
            return base + "pending";
        }

        /**
         * Fair claim order: hash of {@code <priority>|<tenant>} to the pending member of the tenant's
         * last fair-placed task (see {@code enqueue.lua}); entries whose member left pending are stale.
         */
        public String fair() {
            return base + "fair";
        }

        /**
         * A list of placeholders whose length always equals the size of {@link #pending()}, kept so by
         * every script that changes the pending set: KEDA's redis scaler reads it with {@code LLEN}
         * (its {@code listName}).
         */
        public String ready() {
            return base + "ready";
        }

        public String scheduled() {
            return base + "scheduled";
        }

        public String retrying() {
            return base + "retrying";
        }

        /** Active tasks by lease expiry. */
        public String active() {
            return base + "active";
        }

        public String completed() {
            return base + "completed";
        }

        public String dead() {
            return base + "dead";
        }

        public String cancelled() {
            return base + "cancelled";
        }

        /** Finished tasks by retention deadline. */
        public String expiry() {
            return base + "expiry";
        }

        /** Counter for the enqueue sequence and fencing tokens. */
        public String seq() {
            return base + "seq";
        }

        /** Hash of totals: processed, failed, dead, poisoned. */
        public String stats() {
            return base + "stats";
        }

        public String paused() {
            return base + "paused";
        }

        /** Pub/sub channel announcing ready work. */
        public String wake() {
            return base + "wake";
        }

        /** Prefix of task hashes. */
        public String taskPrefix() {
            return base + "t:";
        }

        public String task(String id) {
            return base + "t:" + id;
        }
    }
}
