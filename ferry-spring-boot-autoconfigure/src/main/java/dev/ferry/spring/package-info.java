/**
 * Ferry in Spring Boot: {@link dev.ferry.spring.TaskHandler} and {@link dev.ferry.spring.CronTask}
 * on bean methods, and customizers for the worker and the cron scheduler. Add
 * {@code ferry-spring-boot-starter}; {@code Ferry}, {@code Client} and {@code Inspector} are then
 * injectable beans.
 *
 * <pre>{@code
 * @Service
 * class Orders {
 *     private final Client client;
 *     Orders(Client client) { this.client = client; }
 *
 *     @Transactional                    // on PostgreSQL the task is stored only if this commits
 *     void place(Order order) {
 *         repository.save(order);
 *         client.enqueue(Task.of("order.charge", new ChargeOrder(order.id(), order.cents())));
 *     }
 *
 *     @TaskHandler("order.charge")
 *     String charge(ChargeOrder order, TaskContext ctx) throws Exception { ... }
 * }
 * }</pre>
 */
package dev.ferry.spring;
