package dev.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ManualClockTest {

    @Test
    void startsAtTheFixedDefaultInUtc() {
        ManualClock clock = new ManualClock();

        assertThat(clock.instant()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(clock.millis()).isEqualTo(clock.instant().toEpochMilli());
        assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
    }

    @Test
    void standsStillUntilMoved() {
        ManualClock clock = new ManualClock(Instant.parse("2031-05-06T07:08:09Z"));
        Instant start = clock.instant();

        assertThat(clock.instant()).isEqualTo(start);
        assertThat(clock.advance(Duration.ofMillis(1500))).isEqualTo(start.plusMillis(1500));
        assertThat(clock.instant()).isEqualTo(start.plusMillis(1500));
        assertThat(clock.advance(Duration.ZERO)).isEqualTo(start.plusMillis(1500));
    }

    @Test
    void setMovesEitherWayButAdvanceOnlyForward() {
        ManualClock clock = new ManualClock();
        Instant earlier = clock.instant().minus(Duration.ofDays(1));

        clock.set(earlier);

        assertThat(clock.instant()).isEqualTo(earlier);
        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(clock.instant()).isEqualTo(earlier);
    }

    @Test
    void aZonedViewSharesTheTime() {
        ManualClock clock = new ManualClock();
        Clock paris = clock.withZone(ZoneId.of("Europe/Paris"));

        clock.advance(Duration.ofHours(3));

        assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
        assertThat(paris.instant()).isEqualTo(clock.instant());
        assertThat(paris.withZone(ZoneOffset.UTC)).isSameAs(clock);
    }

    @Test
    void concurrentAdvancesAreNotLost() throws Exception {
        ManualClock clock = new ManualClock();
        Instant start = clock.instant();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 1000; i++) {
                        clock.advance(Duration.ofMillis(1));
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        }

        assertThat(clock.instant()).isEqualTo(start.plusMillis(4000));
    }
}
