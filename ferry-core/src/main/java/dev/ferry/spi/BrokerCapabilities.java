package dev.ferry.spi;

/**
 * What a broker offers, declared (not probed).
 *
 * @param name                 short backend name, for example {@code embedded}
 * @param pushWakeup           idle workers are woken by a push, not only by polling
 * @param multiProcess         several processes can share the store
 * @param durable              an acknowledged enqueue survives a crash of the process
 * @param transactionalEnqueue enqueue can join the application's own transaction
 */
public record BrokerCapabilities(
        String name,
        boolean pushWakeup,
        boolean multiProcess,
        boolean durable,
        boolean transactionalEnqueue) {
}
