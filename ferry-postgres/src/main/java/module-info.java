/**
 * Ferry on PostgreSQL: a {@link dev.ferry.spi.Broker} with SKIP LOCKED batch claims,
 * LISTEN/NOTIFY wake-ups and transactional enqueue. Opened with
 * {@link dev.ferry.postgres.PostgresBroker} or through the URL {@code postgresql://host/db}.
 * Only {@code dev.ferry.postgres} is exported; the SQL lives in the module's resources.
 */
module dev.ferry.postgres {
    requires transitive dev.ferry;
    requires transitive java.sql;
    requires org.postgresql.jdbc;
    requires com.zaxxer.hikari;

    exports dev.ferry.postgres;

    provides dev.ferry.spi.BrokerProvider with dev.ferry.postgres.PostgresBrokerProvider;
}
