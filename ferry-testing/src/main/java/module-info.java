/**
 * Test support for Ferry: the {@link dev.ferry.testing.BrokerContract} conformance suite every
 * backend passes, the {@link dev.ferry.testing.InMemoryBroker} and the
 * {@link dev.ferry.testing.ManualClock}.
 *
 * <p>JUnit, AssertJ and the core are transitive: a test that extends the contract needs them anyway.
 * The package is opened to the JUnit platform so that the inherited {@code @Nested} classes of the
 * contract can be instantiated when this module is on the module path.
 */
module dev.ferry.testing {
    requires transitive dev.ferry;
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;
    // Awaitility 4.3.0 declares no module name; "awaitility" is derived from its jar's file name.
    requires awaitility;

    exports dev.ferry.testing;
    exports dev.ferry.testing.crash;
    opens dev.ferry.testing to org.junit.platform.commons;
}
