package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationsTest {
    @Test
    void parsesShortFormsAndIso() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("PT10S")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("p1d")).isEqualTo(Duration.ofDays(1));
        assertThat(Durations.parse(" 0s ")).isZero();
        assertThat(Durations.parse("-5s")).isEqualTo(Duration.ofSeconds(-5));
    }

    @Test
    void refusesWhatIsNotADuration() {
        for (String bad : new String[] {"", "10", "1w", "s", "1.5s", "PT", "ten seconds", "99999999999999999d"}) {
            assertThatThrownBy(() -> Durations.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new Durations.Converter().convert("-1ms"))
                .isInstanceOf(TypeConversionException.class).hasMessageContaining("negative");
    }

    @Test
    void formatsShortly() {
        assertThat(Durations.format(Duration.ofMillis(350))).isEqualTo("350ms");
        assertThat(Durations.format(Duration.ofSeconds(12))).isEqualTo("12s");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(Durations.format(Duration.ofSeconds(303))).isEqualTo("5m 3s");
        assertThat(Durations.format(Duration.ofMinutes(130))).isEqualTo("2h 10m");
        assertThat(Durations.format(Duration.ofDays(7))).isEqualTo("7d");
    }
}
