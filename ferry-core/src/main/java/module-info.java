/**
 * Ferry's core: the public API ({@code dev.ferry}), workflows ({@code dev.ferry.workflow}), the
 * storage SPI ({@code dev.ferry.spi}) and,
 * unexported, the worker runtime ({@code dev.ferry.internal}).
 */
module dev.ferry {
    requires transitive tools.jackson.databind;

    exports dev.ferry;
    exports dev.ferry.spi;
    exports dev.ferry.workflow;

    uses dev.ferry.spi.BrokerProvider;
}
