/**
 * Ferry's default broker: one durable SQLite file (WAL), no server. Open it with
 * {@link dev.ferry.embedded.EmbeddedBroker#open(java.nio.file.Path)} or through the URL
 * {@code sqlite:./ferry.db}.
 */
module dev.ferry.embedded {
    requires transitive dev.ferry;
    requires java.sql;
    requires org.xerial.sqlitejdbc;

    exports dev.ferry.embedded;

    provides dev.ferry.spi.BrokerProvider with dev.ferry.embedded.EmbeddedBrokerProvider;
}
