package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronTest {

    /** The first {@code n} fire times after {@code start} (wall-clock time in {@code zone}), as offset date-times. */
    static List<String> fires(String expression, String zone, String start, int n) {
        Cron cron = Cron.parse(expression);
        ZonedDateTime t = LocalDateTime.parse(start).atZone(ZoneId.of(zone));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            t = cron.next(t);
            out.add(t.toOffsetDateTime().toString());
        }
        return out;
    }

    static List<String> fires(String expression, String start, int n) {
        return fires(expression, "UTC", start, n).stream().map(s -> s.replace("Z", "")).toList();
    }

    @Nested
    class Syntax {
        @Test
        void fiveFieldsAreMinuteHourDayMonthWeekday() {
            assertThat(fires("*/15 * * * *", "2024-06-01T10:07:30", 3))
                    .containsExactly("2024-06-01T10:15", "2024-06-01T10:30", "2024-06-01T10:45");
            assertThat(fires("30 9 * * *", "2024-06-01T10:00", 2)).containsExactly("2024-06-02T09:30", "2024-06-03T09:30");
        }

        @Test
        void sixFieldsStartWithSeconds() {
            assertThat(fires("*/20 * * * * *", "2024-06-01T10:00:05", 3))
                    .containsExactly("2024-06-01T10:00:20", "2024-06-01T10:00:40", "2024-06-01T10:01");
            assertThat(fires("15 30 9 * * *", "2024-06-01T10:00", 1)).containsExactly("2024-06-02T09:30:15");
        }

        @Test
        void rangesStepsAndLists() {
            assertThat(fires("10-50/20 * * * *", "2024-06-01T10:00", 4))
                    .containsExactly("2024-06-01T10:10", "2024-06-01T10:30", "2024-06-01T10:50", "2024-06-01T11:10");
            // n/step runs from n to the end of the range.
            assertThat(fires("45/10 * * * *", "2024-06-01T10:00", 3))
                    .containsExactly("2024-06-01T10:45", "2024-06-01T10:55", "2024-06-01T11:45");
            assertThat(fires("0 8-10,17 * * *", "2024-06-01T09:30", 4))
                    .containsExactly("2024-06-01T10:00", "2024-06-01T17:00", "2024-06-02T08:00", "2024-06-02T09:00");
            // A step larger than the range leaves only its start.
            assertThat(fires("*/100 * * * * *", "2024-06-01T10:00:01", 1)).containsExactly("2024-06-01T10:01");
        }

        @Test
        void monthAndDayNamesInAnyCase() {
            assertThat(fires("0 9 * jan,Mar MON-fri", "2024-01-31T12:00", 2))
                    .containsExactly("2024-03-01T09:00", "2024-03-04T09:00");
            assertThat(fires("0 0 1 jun-AUG *", "2024-01-01T00:00", 3))
                    .containsExactly("2024-06-01T00:00", "2024-07-01T00:00", "2024-08-01T00:00");
        }

        @Test
        void sundayIsZeroAndSeven() {
            // 2024-06-01 is a Saturday.
            assertThat(fires("0 0 * * 0", "2024-06-01T12:00", 2)).containsExactly("2024-06-02T00:00", "2024-06-09T00:00");
            assertThat(fires("0 0 * * 7", "2024-06-01T12:00", 2)).containsExactly("2024-06-02T00:00", "2024-06-09T00:00");
            assertThat(fires("0 0 * * SUN", "2024-06-01T12:00", 1)).containsExactly("2024-06-02T00:00");
            assertThat(fires("0 0 * * FRI-SUN", "2024-06-01T12:00", 3))
                    .containsExactly("2024-06-02T00:00", "2024-06-07T00:00", "2024-06-08T00:00");
            assertThat(fires("0 0 * * SUN-TUE", "2024-06-01T12:00", 3))
                    .containsExactly("2024-06-02T00:00", "2024-06-03T00:00", "2024-06-04T00:00");
            // Spring reads 7-7 as every day; Ferry as Sunday.
            assertThat(fires("0 0 * * SUN-SUN", "2024-06-01T12:00", 2)).containsExactly("2024-06-02T00:00", "2024-06-09T00:00");
        }

        @Test
        void weekdayStepsCountFromMondayAsInSpring() {
            // '*' in day-of-week is 1-7 (MON-SUN), so */2 is Monday, Wednesday, Friday and Sunday.
            assertThat(fires("0 0 * * */2", "2024-06-01T12:00", 4))
                    .containsExactly("2024-06-02T00:00", "2024-06-03T00:00", "2024-06-05T00:00", "2024-06-07T00:00");
        }

        @Test
        void questionMarkIsStarInDayFields() {
            assertThat(fires("0 0 ? * MON", "2024-06-01T12:00", 1)).containsExactly("2024-06-03T00:00");
            assertThat(fires("0 0 0 25 12 ?", "2024-06-01T12:00", 1)).containsExactly("2024-12-25T00:00");
        }

        @Test
        void dayOfMonthAndDayOfWeekMustBothMatch() {
            // Friday the 13th (Vixie cron would fire on every 13th and every Friday).
            assertThat(fires("0 0 13 * FRI", "2024-01-01T00:00", 3))
                    .containsExactly("2024-09-13T00:00", "2024-12-13T00:00", "2025-06-13T00:00");
        }

        @Test
        void macros() {
            String from = "2024-06-15T10:30";
            assertThat(fires("@yearly", from, 1)).containsExactly("2025-01-01T00:00");
            assertThat(fires("@annually", from, 1)).containsExactly("2025-01-01T00:00");
            assertThat(fires("@monthly", from, 1)).containsExactly("2024-07-01T00:00");
            assertThat(fires("@weekly", from, 1)).containsExactly("2024-06-16T00:00");
            assertThat(fires("@daily", from, 1)).containsExactly("2024-06-16T00:00");
            assertThat(fires("@midnight", from, 1)).containsExactly("2024-06-16T00:00");
            assertThat(fires("@hourly", from, 1)).containsExactly("2024-06-15T11:00");
            assertThat(fires(" @DAILY ", from, 1)).containsExactly("2024-06-16T00:00");
        }

        @Test
        void extraWhitespaceIsFine() {
            assertThat(fires("  0   9\t* *  *  ", "2024-06-01T10:00", 1)).containsExactly("2024-06-02T09:00");
        }
    }

    @Nested
    class QuartzDays {
        @Test
        void lastDayOfMonthIncludingLeapFebruary() {
            assertThat(fires("0 0 L * *", "2024-02-10T00:00", 3))
                    .containsExactly("2024-02-29T00:00", "2024-03-31T00:00", "2024-04-30T00:00");
            assertThat(fires("0 0 L 2 *", "2025-01-01T00:00", 2)).containsExactly("2025-02-28T00:00", "2026-02-28T00:00");
        }

        @Test
        void nthToLastDay() {
            assertThat(fires("0 0 L-3 * *", "2024-02-01T00:00", 2)).containsExactly("2024-02-26T00:00", "2024-03-28T00:00");
            // L-30 exists only in 31-day months (their 1st).
            assertThat(fires("0 0 L-30 * *", "2024-02-01T00:00", 2)).containsExactly("2024-03-01T00:00", "2024-05-01T00:00");
        }

        @Test
        void lastWeekday() {
            // 2024-03-31 is a Sunday, 2024-08-31 a Saturday.
            assertThat(fires("0 0 LW 3 *", "2024-01-01T00:00", 1)).containsExactly("2024-03-29T00:00");
            assertThat(fires("0 0 LW 8 *", "2024-01-01T00:00", 1)).containsExactly("2024-08-30T00:00");
            assertThat(fires("0 0 LW 7 *", "2024-01-01T00:00", 1)).containsExactly("2024-07-31T00:00");
        }

        @Test
        void nearestWeekday() {
            // 2024-06-15 is a Saturday (Friday 14th fires), 2024-09-15 a Sunday (Monday 16th fires).
            assertThat(fires("0 0 15W * *", "2024-06-01T00:00", 4))
                    .containsExactly("2024-06-14T00:00", "2024-07-15T00:00", "2024-08-15T00:00", "2024-09-16T00:00");
        }

        @Test
        void nearestWeekdayNeverLeavesTheMonth() {
            // 2024-06-01 is a Saturday: 1W is Monday the 3rd, also when searching from Sunday the 2nd.
            assertThat(fires("0 0 1W * *", "2024-06-01T12:00", 2)).containsExactly("2024-06-03T00:00", "2024-07-01T00:00");
            assertThat(fires("0 0 1W * *", "2024-06-02T12:00", 1)).containsExactly("2024-06-03T00:00");
            // 2024-03-31 is a Sunday: 31W is Friday the 29th, not Monday April 1st (Quartz's rule).
            assertThat(fires("0 0 31W * *", "2024-03-01T00:00", 2)).containsExactly("2024-03-29T00:00", "2024-05-31T00:00");
        }

        @Test
        void lastWeekdayOfMonth() {
            assertThat(fires("0 0 * * 5L", "2024-06-01T00:00", 2)).containsExactly("2024-06-28T00:00", "2024-07-26T00:00");
            assertThat(fires("0 0 * * FRIL", "2024-06-01T00:00", 1)).containsExactly("2024-06-28T00:00");
            assertThat(fires("0 0 * * 0L", "2024-06-01T00:00", 1)).containsExactly("2024-06-30T00:00");
        }

        @Test
        void nthWeekdayOfMonth() {
            assertThat(fires("0 0 ? * 5#2", "2024-06-01T00:00", 2)).containsExactly("2024-06-14T00:00", "2024-07-12T00:00");
            assertThat(fires("0 0 ? * MON#1", "2024-06-01T00:00", 1)).containsExactly("2024-06-03T00:00");
            // A fifth Monday exists only in some months.
            assertThat(fires("0 0 ? * 1#5", "2024-01-01T00:00", 4))
                    .containsExactly("2024-01-29T00:00", "2024-04-29T00:00", "2024-07-29T00:00", "2024-09-30T00:00");
        }

        @Test
        void listsMixPlainAndQuartzDays() {
            assertThat(fires("0 0 L,15 * *", "2024-06-01T00:00", 3))
                    .containsExactly("2024-06-15T00:00", "2024-06-30T00:00", "2024-07-15T00:00");
            assertThat(fires("0 0 ? * 1#1,5L", "2024-06-01T12:00", 3))
                    .containsExactly("2024-06-03T00:00", "2024-06-28T00:00", "2024-07-01T00:00");
        }

        @Test
        void leapDayAndRareCombinations() {
            assertThat(fires("0 0 29 2 *", "2024-03-01T00:00", 2)).containsExactly("2028-02-29T00:00", "2032-02-29T00:00");
            // 2100 is not a leap year.
            assertThat(fires("0 0 29 2 *", "2096-03-01T00:00", 1)).containsExactly("2104-02-29T00:00");
            assertThat(fires("0 0 29 2 MON", "2024-01-01T00:00", 2)).containsExactly("2044-02-29T00:00", "2072-02-29T00:00");
            assertThat(fires("0 0 ? 2 5#5", "2024-03-01T00:00", 1)).containsExactly("2036-02-29T00:00");
            assertThat(fires("0 0 L * 5L", "2024-01-01T00:00", 3))
                    .containsExactly("2024-05-31T00:00", "2025-01-31T00:00", "2025-02-28T00:00");
        }
    }

    @Nested
    class DaylightSaving {
        @Test
        void springForwardGapFiresOnceAtTheShiftedTime() {
            // Berlin 2024-03-31: 02:00 jumps to 03:00.
            assertThat(fires("30 2 * * *", "Europe/Berlin", "2024-03-30T12:00", 2))
                    .containsExactly("2024-03-31T03:30+02:00", "2024-04-01T02:30+02:00");
            assertThat(fires("30 2,3 * * *", "Europe/Berlin", "2024-03-31T00:00", 3))
                    .containsExactly("2024-03-31T03:30+02:00", "2024-04-01T02:30+02:00", "2024-04-01T03:30+02:00");
            assertThat(fires("10,30 2,3 * * *", "Europe/Berlin", "2024-03-31T00:00", 3))
                    .containsExactly("2024-03-31T03:10+02:00", "2024-03-31T03:30+02:00", "2024-04-01T02:10+02:00");
            // New York 2024-03-10: 02:00 jumps to 03:00.
            assertThat(fires("30 2 * * *", "America/New_York", "2024-03-09T12:00", 2))
                    .containsExactly("2024-03-10T03:30-04:00", "2024-03-11T02:30-04:00");
            // Lord Howe 2024-10-06: 02:00 jumps to 02:30.
            assertThat(fires("15 2 * * *", "Australia/Lord_Howe", "2024-10-05T12:00", 2))
                    .containsExactly("2024-10-06T02:45+11:00", "2024-10-07T02:15+11:00");
        }

        @Test
        void midnightGapAndASkippedDay() {
            // Sao Paulo 2018-11-04: midnight jumped to 01:00, so @daily fired at 01:00 that day.
            assertThat(fires("@daily", "America/Sao_Paulo", "2018-11-03T12:00", 2))
                    .containsExactly("2018-11-04T01:00-02:00", "2018-11-05T00:00-02:00");
            // Samoa skipped 2011-12-30 entirely (-10:00 to +14:00): its noon lands on the next noon, once.
            assertThat(fires("0 12 * * *", "Pacific/Apia", "2011-12-29T00:00", 3))
                    .containsExactly("2011-12-29T12:00-10:00", "2011-12-31T12:00+14:00", "2012-01-01T12:00+14:00");
        }

        @Test
        void frequentScheduleSimplySkipsTheMissingHour() {
            assertThat(fires("*/30 * * * *", "Europe/Berlin", "2024-03-31T01:00", 3))
                    .containsExactly("2024-03-31T01:30+01:00", "2024-03-31T03:00+02:00", "2024-03-31T03:30+02:00");
        }

        @Test
        void fallBackOverlapFiresOnceAtTheEarlierOffset() {
            // Berlin 2024-10-27: 03:00 falls back to 02:00.
            assertThat(fires("30 2 * * *", "Europe/Berlin", "2024-10-26T12:00", 2))
                    .containsExactly("2024-10-27T02:30+02:00", "2024-10-28T02:30+01:00");
            // Starting inside the second pass does not fire the repeated 02:30.
            Cron cron = Cron.parse("30 2 * * *");
            ZonedDateTime secondPass = ZonedDateTime.parse("2024-10-27T02:10+01:00[Europe/Berlin]");
            assertThat(cron.next(secondPass).toOffsetDateTime()).hasToString("2024-10-28T02:30+01:00");
            // New York 2024-11-03: 02:00 falls back to 01:00.
            assertThat(fires("30 1 * * *", "America/New_York", "2024-11-02T12:00", 2))
                    .containsExactly("2024-11-03T01:30-04:00", "2024-11-04T01:30-05:00");
            // Lord Howe 2024-04-07: 02:00 falls back to 01:30.
            assertThat(fires("45 1 * * *", "Australia/Lord_Howe", "2024-04-06T12:00", 2))
                    .containsExactly("2024-04-07T01:45+11:00", "2024-04-08T01:45+10:30");
        }

        @Test
        void everyHourExpressionKeepsItsRhythmThroughTheRepeatedHour() {
            assertThat(fires("30 * * * *", "Europe/Berlin", "2024-10-27T01:00", 4)).containsExactly(
                    "2024-10-27T01:30+02:00", "2024-10-27T02:30+02:00", "2024-10-27T02:30+01:00", "2024-10-27T03:30+01:00");
            assertThat(fires("*/20 * * * *", "America/New_York", "2024-11-03T01:30", 6)).containsExactly(
                    "2024-11-03T01:40-04:00", "2024-11-03T01:00-05:00", "2024-11-03T01:20-05:00",
                    "2024-11-03T01:40-05:00", "2024-11-03T02:00-05:00", "2024-11-03T02:20-05:00");
        }

        @Test
        void resultIsInTheZoneOfTheInput() {
            Cron cron = Cron.parse("0 9 * * *");
            ZonedDateTime after = ZonedDateTime.parse("2024-06-01T10:00+05:30[Asia/Kolkata]");
            ZonedDateTime next = cron.next(after);
            assertThat(next.getZone()).isEqualTo(ZoneId.of("Asia/Kolkata"));
            assertThat(next.toOffsetDateTime()).hasToString("2024-06-02T09:00+05:30");
            assertThat(cron.next(after.toInstant(), ZoneId.of("Asia/Kolkata"))).isEqualTo(next.toInstant());
            assertThat(cron.next(Instant.parse("2024-06-01T10:00:00Z"), ZoneOffset.ofHours(-3)))
                    .isEqualTo(Instant.parse("2024-06-01T12:00:00Z"));
        }
    }

    @Nested
    class Next {
        @Test
        void isStrictlyAfter() {
            Cron cron = Cron.parse("0 9 * * *");
            ZonedDateTime nine = ZonedDateTime.parse("2024-06-01T09:00Z");
            assertThat(cron.next(nine)).isEqualTo(ZonedDateTime.parse("2024-06-02T09:00Z"));
            assertThat(cron.next(nine.minusNanos(1))).isEqualTo(nine);
            assertThat(Cron.parse("* * * * * *").next(ZonedDateTime.parse("2024-06-01T09:00:00.5Z")))
                    .isEqualTo(ZonedDateTime.parse("2024-06-01T09:00:01Z"));
        }

        @Test
        void isNullOnlyPastTheEndOfTime() {
            Cron cron = Cron.parse("0 0 1 1 *");
            assertThat(cron.next(Instant.MAX, ZoneOffset.UTC)).isNull();
            assertThat(cron.next(Instant.parse("+999999999-06-01T00:00:00Z"), ZoneOffset.UTC)).isNull();
        }

        @Test
        void textAndEquality() {
            Cron cron = Cron.parse("  */5 * * * *  ");
            assertThat(cron).hasToString("*/5 * * * *");
            assertThat(cron).isEqualTo(Cron.parse("*/5 * * * *")).hasSameHashCodeAs(Cron.parse("*/5 * * * *"));
            assertThat(cron).isNotEqualTo(Cron.parse("0/5 * * * *"));
            assertThat(Cron.parse("@daily")).hasToString("@daily");
        }
    }

    @Nested
    class Errors {
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
                * * * *                 | expected 5 fields (minute hour day-of-month month day-of-week) or 6 (with second first), found 4 in '* * * *'
                0 0 0 * * * *           | found 7
                60 * * * *              | minute '60' in '60 * * * *': out of range 0-59
                60 * * * * *            | second '60' in '60 * * * * *': out of range 0-59
                * 24 * * *              | hour '24' in '* 24 * * *': out of range 0-23
                * * 0 * *               | day-of-month '0' in '* * 0 * *': out of range 1-31
                * * 32 * *              | day-of-month '32'
                * * * 13 *              | month '13' in '* * * 13 *': out of range 1-12
                * * * 0 *               | month '0'
                * * * * 8               | day-of-week '8' in '* * * * 8': out of range 0-7
                5-70 * * * *            | minute '5-70' in '5-70 * * * *': out of range 0-59
                99999999999 * * * *     | minute '99999999999'
                */0 * * * *             | minute '*/0' in '*/0 * * * *': step must be at least 1
                */x * * * *             | minute '*/x' in '*/x * * * *': step 'x' is not a whole number
                5/ * * * *              | step '' is not a whole number
                50-10 * * * *           | minute '50-10' in '50-10 * * * *': range is reversed (50 is after 10)
                * * * * FRI-MON         | day-of-week 'FRI-MON' in '* * * * FRI-MON': range is reversed (5 is after 1)
                * * * DEC-JAN *         | range is reversed (12 is after 1)
                x * * * *               | minute 'x' in 'x * * * *': 'x' is not a number
                -5 * * * *              | minute '-5' in '-5 * * * *': a number is missing
                5- * * * *              | a number is missing
                1,,2 * * * *            | minute '1,,2' in '1,,2 * * * *': empty list element
                * * * FOO *             | month 'FOO' in '* * * FOO *': 'FOO' is not a month (1-12 or JAN-DEC)
                * * * * MONDAY          | day-of-week 'MONDAY' in '* * * * MONDAY': 'MONDAY' is not a day of the week (0-7 or SUN-SAT)
                * JAN * * *             | hour 'JAN' in '* JAN * * *': 'JAN' is not a number
                ? * * * *               | minute '?' in '? * * * *': '?' is allowed only in day-of-month and day-of-week
                * * ?,1 * *             | day-of-month '?,1' in '* * ?,1 * *': '?' must be the whole field
                * * L-0 * *             | day-of-month 'L-0' in '* * L-0 * *': the offset in L-n must be a number from 1 to 30
                * * L-31 * *            | the offset in L-n must be a number from 1 to 30
                * * W * *               | day-of-month 'W' in '* * W * *': W needs a day before it, as in 15W
                * * 1-5W * *            | day-of-month '1-5W' in '* * 1-5W * *': W takes a single day of the month, as in 15W
                * * 0W * *              | day-of-month '0W' in '* * 0W * *': out of range 1-31
                * * 5L * *              | day-of-month '5L' in '* * 5L * *': L and W are allowed only as L, L-n, LW or nW
                * * L/2 * *             | L and W are allowed only as L, L-n, LW or nW
                * * * * L               | day-of-week 'L' in '* * * * L': L needs a day of the week before it, as in 5L
                * * * * L5              | day-of-week 'L5' in '* * * * L5': L in day-of-week must come last, as in 5L (the last Friday)
                * * * * 8L              | day-of-week '8L' in '* * * * 8L': out of range 0-7
                * * * * 1-5L            | day-of-week '1-5L' in '* * * * 1-5L': L takes a single day of the week (0-7 or SUN-SAT)
                * * * * #2              | day-of-week '#2' in '* * * * #2': # needs a day of the week before it, as in 5#2
                * * * * 5#0             | day-of-week '5#0' in '* * * * 5#0': the n in #n must be a number from 1 to 5
                * * * * 5#6             | the n in #n must be a number from 1 to 5
                * * * * 5#              | the n in #n must be a number from 1 to 5
                * * * * 5W              | day-of-week '5W' in '* * * * 5W': '5W' is not a day of the week (0-7 or SUN-SAT)
                0 0 30 2 *              | '0 0 30 2 *' never fires: no date has day-of-month '30', month '2' and day-of-week '*' at once
                0 0 31 4,6,9,11 *       | never fires
                0 0 1 * MON#5           | never fires
                0 0 L-30 2 *            | never fires
                0 0 0 31 2 ?            | never fires
                @reboot                 | unknown macro '@reboot' (known: @yearly @annually @monthly @weekly @daily @midnight @hourly)
                @every 5m               | fixed-rate repeats are a Schedule: Schedule.parse("@every 5m", zone)
                """)
        void badExpressionsAreRefusedNamingFieldAndToken(String expression, String message) {
            assertThatThrownBy(() -> Cron.parse(expression))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                        assertThat(e.field()).isEqualTo("cron");
                        assertThat(e.getMessage()).startsWith("cron: ").contains(message);
                    });
        }

        @Test
        void emptyExpression() {
            for (String empty : new String[] {null, "", "   "}) {
                assertThatThrownBy(() -> Cron.parse(empty))
                        .isInstanceOf(InvalidInputException.class)
                        .hasMessage("cron: must not be empty");
            }
        }
    }

    @Nested
    class Schedules {
        @Test
        void cronInAZone() {
            Schedule.CronSchedule s = Schedule.cron("0 9 * * MON-FRI", "Europe/Berlin");
            assertThat(s.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
            assertThat(s.cron()).hasToString("0 9 * * MON-FRI");
            // Saturday 2024-06-01 -> Monday 09:00 Berlin = 07:00 UTC.
            assertThat(s.next(Instant.parse("2024-06-01T12:00:00Z"))).isEqualTo(Instant.parse("2024-06-03T07:00:00Z"));
            assertThat(Schedule.cron("0 9 * * *").zone()).isEqualTo(ZoneOffset.UTC);
        }

        @Test
        void unknownZone() {
            assertThatThrownBy(() -> Schedule.cron("0 9 * * *", "Mars/Olympus_Mons"))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("zone"))
                    .hasMessage("zone: unknown time zone 'Mars/Olympus_Mons'");
            assertThatThrownBy(() -> Schedule.cron("0 9 * * *", "not a zone!"))
                    .hasMessage("zone: unknown time zone 'not a zone!'");
            assertThatThrownBy(() -> Schedule.cron("0 9 * * *", " "))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("zone"));
            assertThatThrownBy(() -> Schedule.parse("every 5m", "Nowhere/City"))
                    .hasMessage("zone: unknown time zone 'Nowhere/City'");
        }

        @Test
        void badCronThroughSchedule() {
            assertThatThrownBy(() -> Schedule.cron("0 0 30 2 *", "UTC"))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("cron"))
                    .hasMessageContaining("never fires");
        }

        @Test
        void everyIsAlignedToTheEpoch() {
            Schedule.Every every = Schedule.every(Duration.ofMinutes(5));
            assertThat(every.next(Instant.parse("2024-06-01T10:07:30Z"))).isEqualTo(Instant.parse("2024-06-01T10:10:00Z"));
            assertThat(every.next(Instant.parse("2024-06-01T10:10:00Z"))).isEqualTo(Instant.parse("2024-06-01T10:15:00Z"));
            assertThat(every.next(Instant.parse("2024-06-01T10:09:59.999Z"))).isEqualTo(Instant.parse("2024-06-01T10:10:00Z"));
            assertThat(every.next(Instant.parse("1969-12-31T23:57:00Z"))).isEqualTo(Instant.parse("1970-01-01T00:00:00Z"));
            assertThat(every.next(Instant.parse("1969-12-31T23:54:00Z"))).isEqualTo(Instant.parse("1969-12-31T23:55:00Z"));
            assertThat(Schedule.every(Duration.ofSeconds(7)).next(Instant.EPOCH)).isEqualTo(Instant.ofEpochSecond(7));
        }

        @Test
        void everyNeedsAtLeastOneSecond() {
            assertThatThrownBy(() -> Schedule.every(Duration.ofMillis(999)))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("every"))
                    .hasMessage("every: interval must be at least 1 s, was PT0.999S");
            assertThatThrownBy(() -> Schedule.every(Duration.ZERO)).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> Schedule.every(Duration.ofSeconds(-5))).isInstanceOf(InvalidInputException.class);
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
                every 5m      | PT5M
                every 1h30m   | PT1H30M
                @every 10s    | PT10S
                EVERY 90s     | PT1M30S
                every 1d 12h  | PT36H
                every 2h 0m 5s| PT2H5S
                """)
        void parsesFixedRates(String spec, String interval) {
            assertThat(Schedule.parse(spec, "Europe/Berlin")).isEqualTo(new Schedule.Every(Duration.parse(interval)));
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
                every           | the interval is missing
                every 5         | cannot read the interval '5'
                every 5x        | cannot read the interval '5x'
                every 1500ms    | cannot read the interval '1500ms'
                every m5        | cannot read the interval 'm5'
                every 0s        | interval must be at least 1 s
                """)
        void refusesBadFixedRates(String spec, String message) {
            assertThatThrownBy(() -> Schedule.parse(spec, null))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("every"))
                    .hasMessageContaining(message);
        }

        @Test
        void parsesCronText() {
            assertThat(Schedule.parse("0 9 * * *", "Asia/Kolkata"))
                    .isEqualTo(new Schedule.CronSchedule(Cron.parse("0 9 * * *"), ZoneId.of("Asia/Kolkata")));
            assertThat(Schedule.parse("@daily", null)).isEqualTo(Schedule.cron("@daily"));
            // A cron expression that starts with the letters of 'every' is still cron.
            assertThatThrownBy(() -> Schedule.parse("everyday", null))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("cron"));
            assertThatThrownBy(() -> Schedule.parse(" ", null))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("schedule"));
        }

        @Test
        void betweenListsMissedFireTimes() {
            Schedule hourly = Schedule.cron("0 * * * *");
            Instant ten = Instant.parse("2024-06-01T10:00:00Z");
            Instant thirteen = Instant.parse("2024-06-01T13:00:00Z");
            assertThat(hourly.between(ten, thirteen, 10)).containsExactly(
                    Instant.parse("2024-06-01T11:00:00Z"), Instant.parse("2024-06-01T12:00:00Z"), thirteen);
            assertThat(hourly.between(ten, thirteen, 2)).hasSize(2);
            assertThat(hourly.between(ten, thirteen, 0)).isEmpty();
            assertThat(hourly.between(ten, ten.plusSeconds(3599), 10)).isEmpty();
            assertThat(hourly.between(thirteen, ten, 10)).isEmpty();
            assertThat(Schedule.every(Duration.ofMinutes(20)).between(ten, ten.plusSeconds(3600), 10)).containsExactly(
                    ten.plusSeconds(1200), ten.plusSeconds(2400), ten.plusSeconds(3600));
            assertThatThrownBy(() -> hourly.between(ten, thirteen, -1))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("max"));
        }

        @Test
        void betweenAcrossTheFallBackOverlap() {
            Schedule daily = Schedule.cron("30 2 * * *", "Europe/Berlin");
            assertThat(daily.between(Instant.parse("2024-10-26T00:00:00Z"), Instant.parse("2024-10-28T12:00:00Z"), 10))
                    .containsExactly(Instant.parse("2024-10-26T00:30:00Z"), Instant.parse("2024-10-27T00:30:00Z"),
                            Instant.parse("2024-10-28T01:30:00Z"));
        }

        @Test
        void scheduleIsSealed() {
            Schedule s = Schedule.parse("every 5m", null);
            String kind = switch (s) {
                case Schedule.CronSchedule c -> "cron " + c.cron();
                case Schedule.Every e -> "every " + e.interval();
            };
            assertThat(kind).isEqualTo("every PT5M");
        }
    }
}
