package dev.ferry.postgres;

import dev.ferry.spi.Broker;
import dev.ferry.testing.BrokerContract;
import dev.ferry.testing.ManualClock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The PostgreSQL broker passes the conformance suite on a real server, each test in a fresh
 * schema (dropped afterwards), with broker time from the suite's manual clock.
 */
class PostgresBrokerConformanceTest extends BrokerContract {
    private final Map<Broker, String> schemas = new ConcurrentHashMap<>();

    @Override
    protected Broker newBroker(ManualClock clock) {
        String schema = TestDatabase.newSchema("contract");
        PostgresBroker broker = TestDatabase.broker(schema).clock(clock).build();
        schemas.put(broker, schema);
        return broker;
    }

    @Override
    protected void closeBroker(Broker b) {
        b.close();
        String schema = schemas.remove(b);
        if (schema != null) {
            TestDatabase.dropSchema(schema);
        }
    }
}
