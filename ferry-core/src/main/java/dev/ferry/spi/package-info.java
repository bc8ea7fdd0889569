/**
 * The storage SPI: implement {@link dev.ferry.spi.Broker} to put Ferry on a new backend, and
 * prove it with the conformance suite in {@code ferry-testing}:
 *
 * <pre>{@code
 * class MyBrokerConformanceTest extends BrokerContract {
 *     protected Broker newBroker(ManualClock clock) { return new MyBroker(clock); }
 * }
 * }</pre>
 *
 * Every operation takes one request record and returns one response record; batches everywhere.
 */
package dev.ferry.spi;
