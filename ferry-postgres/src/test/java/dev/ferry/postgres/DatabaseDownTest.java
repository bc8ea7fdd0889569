package dev.ferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.BrokerException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A database that is not there at start: a clear, transient error, quickly. */
class DatabaseDownTest {

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort(); // closed again: nothing listens there
        }
    }

    @Test
    void noServerAtTheAddressIsAClearTransientError() throws Exception {
        int port = freePort();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> PostgresBroker.builder().url("postgresql://ferry@127.0.0.1:" + port + "/app")
                .connectTimeout(Duration.ofSeconds(2)).build())
                .isInstanceOf(BrokerException.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageContaining("cannot open")
                .hasMessageContaining("is PostgreSQL running")
                .satisfies(e -> assertThat(((BrokerException) e).isTransient()).as("worth retrying").isTrue());
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("fails fast, no pool waiting").isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aMissingDatabaseIsAClearPermanentError() {
        String url = TestDatabase.url().replaceFirst("/[^/?]+$", "/ferry_no_such_db");
        assertThatThrownBy(() -> PostgresBroker.builder().url(url).build())
                .isInstanceOf(BrokerException.class)
                .hasMessageContaining("ferry_no_such_db")
                .hasMessageContaining("create the database first")
                .satisfies(e -> assertThat(((BrokerException) e).isTransient()).isFalse());
    }
}
