package dev.ferry.spi;

import java.util.Objects;

/**
 * Small JSON documents the backend keeps until they are deleted, grouped by namespace: cron
 * schedules registered from the CLI, flow-control limit definitions. Not for task data. Each
 * command is atomic. Exact semantics: {@code docs/spi.md}, "records".
 */
public sealed interface RecordCommand {

    /** The namespace the command is about. */
    String namespace();

    /**
     * Store {@code json} under ({@code namespace}, {@code key}). With {@code onlyIfAbsent} an
     * existing record is kept and the count is 0; otherwise it is replaced. Count 1 when stored.
     *
     * @param namespace    namespace
     * @param key          key within it
     * @param json         the document
     * @param onlyIfAbsent refuse to replace an existing record
     */
    record Put(String namespace, String key, String json, boolean onlyIfAbsent) implements RecordCommand {
        public Put {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(json, "json");
        }
    }

    /**
     * The record at ({@code namespace}, {@code key}), if any: count 1 and one record, or 0.
     *
     * @param namespace namespace
     * @param key       key
     */
    record Get(String namespace, String key) implements RecordCommand {
        public Get {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Every record of the namespace, sorted by key; count = how many.
     *
     * @param namespace namespace
     */
    record All(String namespace) implements RecordCommand {
        public All {
            Objects.requireNonNull(namespace, "namespace");
        }
    }

    /**
     * Delete the record; count 1 when one was there, else 0.
     *
     * @param namespace namespace
     * @param key       key
     */
    record Delete(String namespace, String key) implements RecordCommand {
        public Delete {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(key, "key");
        }
    }
}
