/**
 * Test support for Ferry users and backend authors.
 *
 * <ul>
 *   <li>{@link dev.ferry.testing.InMemoryBroker}: a complete broker in memory, for unit tests.</li>
 *   <li>{@link dev.ferry.testing.ManualClock}: a clock that moves only when told, so delays, leases
 *       and retention pass without waiting.</li>
 *   <li>{@link dev.ferry.testing.BrokerContract}: the conformance suite, the executable form of the
 *       Broker SPI's semantics ({@code docs/spi.md}). A backend proves itself with one subclass:</li>
 * </ul>
 *
 * <pre>{@code
 * class MyBrokerConformanceTest extends BrokerContract {
 *     @Override
 *     protected Broker newBroker(ManualClock clock) {
 *         return new MyBroker(clock);   // a fresh, empty store on that clock
 *     }
 * }
 * }</pre>
 *
 * <p>A unit test of application code with the in-memory broker:
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock();
 * try (Broker broker = new InMemoryBroker(clock)) {
 *     // enqueue through a client built on this broker, then move time:
 *     clock.advance(Duration.ofMinutes(5));   // a 5-minute delay has now passed
 * }
 * }</pre>
 */
package dev.ferry.testing;
