package dev.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ferry.Cron;
import dev.ferry.InvalidInputException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.scheduling.support.CronExpression;

/**
 * {@link Cron} against Spring's {@link CronExpression} as an oracle: random valid expressions over
 * every feature, random instants in several zones, the same next fire time (including null).
 *
 * <p>Reproducible: each seed is its own test case and every failure names the seed, expression,
 * zone and instant. Ferry deliberately differs from Spring in a few places (docs/cron.md); the
 * generator leaves out the tokens where Spring has a quirk ({@code nW} for n = 1 or n >= 28,
 * {@code L-n} for n >= 28, {@code 7-7}), and where the two disagree across a daylight-saving
 * transition the answer must equal a second oracle: Spring's calendar logic on
 * {@link LocalDateTime} (no zone, so no DST) mapped to instants by Ferry's documented DST rules.
 */
class CronOracleTest {

    static final int EXPRESSIONS_PER_SEED = 500;
    static final int INSTANTS_PER_EXPRESSION = 4;
    static final int CHAIN = 3;

    static final List<ZoneId> ZONES = List.of(ZoneId.of("UTC"), ZoneId.of("Europe/Berlin"),
            ZoneId.of("America/New_York"), ZoneId.of("Australia/Lord_Howe"), ZoneId.of("Asia/Kolkata"));
    static final Instant FROM = Instant.parse("2019-01-01T00:00:00Z");
    static final Instant TO = Instant.parse("2031-12-31T00:00:00Z");

    static int compared;
    static int agreed;
    static int dstDivergences;
    static int oracleChecks;
    static int neverFires;

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 20).map(i -> 0x5EEDL * 1_000_003L + i);
    }

    @AfterAll
    static void summary() {
        System.out.printf("CronOracleTest: %d comparisons, %d equal to Spring, %d DST divergences matching the"
                + " local-time oracle, %d checked against the local-time oracle, %d generated expressions that"
                + " never fire (rejected by both)%n", compared, agreed, dstDivergences, oracleChecks, neverFires);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void nextFireTimeAgreesWithSpring(long seed) {
        Random random = new Random(seed);
        Generator generator = new Generator(random);
        for (int i = 0; i < EXPRESSIONS_PER_SEED; i++) {
            Generated g = generator.expression();
            CronExpression spring;
            try {
                spring = CronExpression.parse(g.springText);
            } catch (IllegalArgumentException e) {
                throw new AssertionError("seed " + seed + ": Spring rejects generated '" + g.text + "': " + e.getMessage(), e);
            }
            Cron cron;
            try {
                cron = Cron.parse(g.text);
            } catch (InvalidInputException e) {
                // The generator can combine days that never meet (31 in a 30-day month); then Spring
                // must not find a time either.
                assertThat(e.getMessage()).as("seed %d, '%s'", seed, g.text).contains("never fires");
                ZonedDateTime from = ZonedDateTime.parse("2000-01-01T00:00:00Z");
                assertThat(spring.next(from)).as("seed %d: Spring for never-firing '%s'", seed, g.text).isNull();
                neverFires++;
                continue;
            }
            assertThat(cron.toString()).isEqualTo(g.text.strip());
            for (int k = 0; k < INSTANTS_PER_EXPRESSION; k++) {
                ZoneId zone = ZONES.get(random.nextInt(ZONES.size()));
                ZonedDateTime after = randomInstant(random, zone);
                for (int step = 0; step < CHAIN && after != null; step++) {
                    after = compare(seed, g, cron, spring, after);
                }
            }
        }
    }

    /**
     * Compares one fire time; returns Ferry's, to chain from an instant that is exactly a fire time.
     * Near a DST transition the local-time oracle is checked even when Spring agrees, because Spring
     * skips gap times for fixed-hour expressions and a Ferry that did the same would agree with it.
     */
    private static ZonedDateTime compare(long seed, Generated g, Cron cron, CronExpression spring, ZonedDateTime after) {
        compared++;
        ZonedDateTime mine = cron.next(after);
        ZonedDateTime theirs = spring.next(after);
        if (mine != null) {
            assertThat(mine.getZone()).isEqualTo(after.getZone());
        }
        boolean same = sameInstant(mine, theirs);
        ZoneRules rules = after.getZone().getRules();
        Instant latest = latest(mine, theirs, null);
        Instant end = latest == null ? after.toInstant().plusSeconds(86_400) : latest;
        boolean nearDst = transitionWithin(rules, after.toInstant().minusSeconds(7_200), end.plusSeconds(7_200));
        if (same && !nearDst) {
            agreed++;
            return mine;
        }
        Instant expected = localTimeOracle(spring, after, g.everyHour);
        oracleChecks++;
        boolean dst = transitionWithin(rules, after.toInstant().minusSeconds(86_400),
                latest(mine, theirs, expected) == null ? end : latest(mine, theirs, expected).plusSeconds(86_400));
        boolean mineAsOracle = mine == null ? expected == null : mine.toInstant().equals(expected);
        if (mineAsOracle && (same || dst)) {
            if (same) {
                agreed++;
            } else {
                dstDivergences++;
            }
            return mine;
        }
        fail("seed %d: '%s' in %s after %s: Ferry %s, Spring %s, local-time oracle %s (DST transition nearby: %s)",
                seed, g.text, after.getZone(), after.toOffsetDateTime(), offsetOf(mine), offsetOf(theirs),
                expected == null ? null : ZonedDateTime.ofInstant(expected, after.getZone()).toOffsetDateTime(), dst);
        return null;
    }

    /**
     * Ferry's documented semantics, computed independently of Ferry: walk the matching wall-clock
     * times with Spring on {@link LocalDateTime}; a time in a gap fires shifted by the gap (at the
     * offset before it); a time in an overlap fires at the earlier offset, and also at the later
     * one when the expression fires every hour; the earliest instant after {@code after} wins.
     */
    static Instant localTimeOracle(CronExpression spring, ZonedDateTime after, boolean everyHour) {
        ZoneRules rules = after.getZone().getRules();
        Instant afterInstant = after.toInstant();
        // Offsets in these zones differ by at most an hour around a transition, so 90 min is a safe margin.
        LocalDateTime local = LocalDateTime.ofInstant(afterInstant, after.getZone()).minusMinutes(90);
        Instant best = null;
        LocalDateTime stop = null;
        while (true) {
            local = spring.next(local);
            if (local == null || (stop != null && local.isAfter(stop))) {
                return best;
            }
            List<Instant> candidates = new ArrayList<>();
            List<ZoneOffset> offsets = rules.getValidOffsets(local);
            if (offsets.size() == 1) {
                candidates.add(local.toInstant(offsets.get(0)));
            } else {
                ZoneOffsetTransition transition = rules.getTransition(local);
                candidates.add(local.toInstant(transition.getOffsetBefore()));
                if (transition.isOverlap() && everyHour) {
                    candidates.add(local.toInstant(transition.getOffsetAfter()));
                }
            }
            for (Instant c : candidates) {
                if (c.isAfter(afterInstant) && (best == null || c.isBefore(best))) {
                    best = c;
                    stop = LocalDateTime.ofInstant(best, after.getZone()).plusMinutes(90);
                }
            }
        }
    }

    private static boolean transitionWithin(ZoneRules rules, Instant from, Instant to) {
        ZoneOffsetTransition t = rules.nextTransition(from);
        return t != null && !t.getInstant().isAfter(to);
    }

    private static Instant latest(ZonedDateTime a, ZonedDateTime b, Instant c) {
        Instant max = c;
        for (ZonedDateTime z : new ZonedDateTime[] {a, b}) {
            if (z != null && (max == null || z.toInstant().isAfter(max))) {
                max = z.toInstant();
            }
        }
        return max;
    }

    private static boolean sameInstant(ZonedDateTime a, ZonedDateTime b) {
        return a == null ? b == null : b != null && a.toInstant().equals(b.toInstant());
    }

    private static Object offsetOf(ZonedDateTime t) {
        return t == null ? null : t.toOffsetDateTime();
    }

    /** Half uniform over 2019-2031, half within 36 h of one of the zone's transitions. */
    static ZonedDateTime randomInstant(Random random, ZoneId zone) {
        long span = TO.getEpochSecond() - FROM.getEpochSecond();
        Instant instant = FROM.plusSeconds((long) (random.nextDouble() * span));
        ZoneRules rules = zone.getRules();
        if (!rules.isFixedOffset() && rules.nextTransition(FROM) != null && random.nextBoolean()) {
            ZoneOffsetTransition t = rules.nextTransition(instant);
            if (t != null && t.getInstant().isBefore(TO)) {
                instant = t.getInstant().plusSeconds(random.nextInt(72 * 3600) - 36 * 3600);
            }
        }
        switch (random.nextInt(4)) {
            case 0 -> instant = instant.plusNanos(random.nextInt(1_000_000_000));
            case 1 -> instant = Instant.ofEpochSecond(instant.getEpochSecond() / 3600 * 3600);
            case 2 -> instant = Instant.ofEpochSecond(instant.getEpochSecond() / 60 * 60);
            default -> { }
        }
        return ZonedDateTime.ofInstant(instant, zone);
    }

    /**
     * Acceptance agrees too: whatever Spring rejects, Ferry rejects (with field {@code cron}); what
     * Spring accepts, Ferry accepts unless it never fires or is one of Ferry's stricter rules.
     */
    @Test
    void rejectsWhatSpringRejects() {
        Random random = new Random(20260501L);
        String[][] pool = {
                {"*", "0", "59", "60", "-1", "5-10", "10-5", "*/15", "*/0", "5/20", "1,2,3", "1,,2", "x", "?", "L", "1-", "/5", "*/x"},
                {"*", "0", "59", "60", "0-30/7", "30-0", "*/61", "1,60", "?", "W", "5#2", "a"},
                {"*", "0", "23", "24", "8-17", "17-8", "*/6", "?", "L", "JAN", "1.5"},
                {"*", "?", "1", "31", "0", "32", "1-15", "15-1", "*/10", "L", "L-3", "L-0", "L-31", "LW", "15W", "0W", "W",
                        "32W", "1-5W", "L,15", "15W,L", "L/2", "5L", "1#2", "? ", "LW-1"},
                {"*", "1", "12", "0", "13", "JAN", "jan-mar", "DEC-JAN", "*/3", "FOO", "1,JUN", "?", "L"},
                {"*", "?", "0", "7", "8", "MON-FRI", "FRI-MON", "SUN-TUE", "FRI-SUN", "*/2", "5L", "FRIL", "5#2", "5#0",
                        "5#6", "MON#1,5L", "L", "#2", "5#", "8L", "1-5L", "W", "sun", "SUNDAY", "7-7", "0-7"},
        };
        int checked = 0;
        for (int i = 0; i < 4000; i++) {
            int fieldCount = random.nextInt(10) == 0 ? 4 + random.nextInt(4) : 6;
            StringBuilder text = new StringBuilder();
            for (int f = 0; f < fieldCount; f++) {
                String[] choices = pool[Math.min(f, 5)];
                String token = random.nextInt(3) == 0 ? choices[random.nextInt(choices.length)] : "*";
                text.append(f == 0 ? "" : " ").append(token.strip());
            }
            String expr = text.toString();
            boolean springAccepts = CronExpression.isValidExpression(expr);
            String ferryError = null;
            try {
                Cron.parse(expr);
            } catch (InvalidInputException e) {
                assertThat(e.field()).isEqualTo("cron");
                ferryError = e.getMessage();
            }
            if (fieldCount != 5 && fieldCount != 6) {
                assertThat(ferryError).as("'%s' has %d fields", expr, fieldCount).contains("expected 5 fields");
            } else if (!springAccepts && fieldCount == 6) {
                assertThat(ferryError).as("Spring rejects '%s'", expr).isNotNull();
            } else if (springAccepts && ferryError != null) {
                // Ferry's stricter rules, each for a token that never fires or fires by accident.
                assertThat(ferryError).as("Spring accepts '%s'", expr)
                        .containsAnyOf("never fires", "the n in #n must be a number from 1 to 5",
                                "the offset in L-n must be a number from 1 to 30");
            }
            checked++;
        }
        assertThat(checked).isEqualTo(4000);
    }

    record Generated(String text, String springText, boolean everyHour) {
    }

    /** A bit-set field as text plus the values it covers. */
    record Field(String text, BitSet values) {
    }

    /** Random valid expressions over every feature of the dialect. */
    static final class Generator {
        private static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
        private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
        private static final String[] MACROS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"};

        private final Random random;

        Generator(Random random) {
            this.random = random;
        }

        Generated expression() {
            if (random.nextInt(40) == 0) {
                String macro = MACROS[random.nextInt(MACROS.length)];
                String text = random.nextBoolean() ? macro : macro.toUpperCase(Locale.ROOT);
                return new Generated(text, text, macro.equals("@hourly"));
            }
            boolean sixFields = random.nextInt(3) > 0;
            String second = sixFields ? bits(0, 59, 0.3) : "0";
            String minute = bits(0, 59, 0.25);
            // A third of the fixed hours are 0-3, where these zones change their clocks.
            Field hour = random.nextInt(3) == 0 ? earlyHours() : bitField(0, 23, 0.35);
            String dayOfMonth = dayOfMonth();
            String month = month();
            String dayOfWeek = dayOfWeek();
            String rest = minute + " " + hour.text + " " + dayOfMonth + " " + month + " " + dayOfWeek;
            boolean everyHour = hour.values.cardinality() == 24;
            String spaced = random.nextInt(20) == 0 ? "  " + rest.replace(" ", "   ") + " " : rest;
            return sixFields
                    ? new Generated(second + " " + spaced, second + " " + rest, everyHour)
                    : new Generated(spaced, "0 " + rest, everyHour);
        }

        /** One hour, a range or a pair within 0-3. */
        private Field earlyHours() {
            int a = random.nextInt(4);
            int b = a + random.nextInt(4 - a);
            BitSet values = new BitSet();
            values.set(a);
            values.set(b);
            return switch (random.nextInt(3)) {
                case 0 -> {
                    values.clear(b);
                    values.set(a);
                    yield new Field(Integer.toString(a), values);
                }
                case 1 -> {
                    values.set(a, b + 1);
                    yield new Field(a + "-" + b, values);
                }
                default -> new Field(a == b ? Integer.toString(a) : a + "," + b, values);
            };
        }

        private String bits(int min, int max, double starWeight) {
            return bitField(min, max, starWeight).text;
        }

        /** {@code *}, a value, a range, a step over {@code *}, a value or a range, or a list of those. */
        Field bitField(int min, int max, double starWeight) {
            if (random.nextDouble() < starWeight) {
                BitSet all = new BitSet();
                all.set(min, max + 1);
                return new Field("*", all);
            }
            int items = random.nextInt(4) == 0 ? 2 + random.nextInt(3) : 1;
            StringBuilder text = new StringBuilder();
            BitSet values = new BitSet();
            for (int i = 0; i < items; i++) {
                text.append(i == 0 ? "" : ",").append(item(min, max, values));
            }
            return new Field(text.toString(), values);
        }

        private String item(int min, int max, BitSet values) {
            int a = min + random.nextInt(max - min + 1);
            int b = a + random.nextInt(max - a + 1);
            int step = 1 + random.nextInt(Math.max(1, (max - min) / 2));
            switch (random.nextInt(6)) {
                case 0, 1 -> {
                    values.set(a);
                    return Integer.toString(a);
                }
                case 2 -> {
                    values.set(a, b + 1);
                    return a + "-" + b;
                }
                case 3 -> {
                    for (int v = min; v <= max; v += step) {
                        values.set(v);
                    }
                    return "*/" + step;
                }
                case 4 -> {
                    for (int v = a; v <= max; v += step) {
                        values.set(v);
                    }
                    return a + "/" + step;
                }
                default -> {
                    for (int v = a; v <= b; v += step) {
                        values.set(v);
                    }
                    return a + "-" + b + "/" + step;
                }
            }
        }

        private String dayOfMonth() {
            int kind = random.nextInt(10);
            if (kind < 4) {
                return random.nextInt(3) == 0 ? "?" : "*";
            }
            if (kind < 7) {
                return bits(1, 31, 0);
            }
            int items = random.nextInt(3) == 0 ? 2 : 1;
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < items; i++) {
                text.append(i == 0 ? "" : ",");
                switch (random.nextInt(6)) {
                    case 0 -> text.append("L");
                    case 1 -> text.append("L-").append(1 + random.nextInt(27));
                    case 2 -> text.append("LW");
                    case 3, 4 -> text.append(2 + random.nextInt(26)).append("W");
                    default -> text.append(1 + random.nextInt(28));
                }
            }
            return text.toString();
        }

        private String month() {
            int kind = random.nextInt(10);
            if (kind < 5) {
                return "*";
            }
            if (kind < 8) {
                return bits(1, 12, 0);
            }
            String a = name(MONTHS, random.nextInt(12));
            if (random.nextBoolean()) {
                return a;
            }
            int from = random.nextInt(12);
            int to = from + random.nextInt(12 - from);
            return random.nextBoolean() ? name(MONTHS, from) + "-" + name(MONTHS, to) : a + "," + name(MONTHS, to);
        }

        private String dayOfWeek() {
            int kind = random.nextInt(12);
            if (kind < 5) {
                return random.nextInt(3) == 0 ? "?" : "*";
            }
            if (kind < 7) {
                // 0-7, where 7 alone is Sunday too; Spring reads 7-7 as every day (a quirk, left out).
                String text = bits(0, 7, 0);
                return text.matches(".*\\b7-7\\b.*") ? "1-5" : text;
            }
            if (kind < 9) {
                int from = random.nextInt(7);
                int to = from + random.nextInt(7 - from);
                return switch (random.nextInt(4)) {
                    case 0 -> dayName(from);
                    // SUN-SUN is 7-7, which Spring reads as every day (a quirk, left out).
                    case 1 -> to == 0 ? dayName(0) : dayName(from) + "-" + dayName(to);
                    case 2 -> dayName(from) + "," + dayName(to);
                    default -> dayName(random.nextInt(6) + 1) + "-SUN";
                };
            }
            int items = random.nextInt(3) == 0 ? 2 : 1;
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < items; i++) {
                text.append(i == 0 ? "" : ",");
                String day = random.nextBoolean() ? Integer.toString(random.nextInt(8)) : dayName(random.nextInt(7));
                switch (random.nextInt(3)) {
                    case 0 -> text.append(day).append(random.nextBoolean() ? "L" : "l");
                    case 1 -> text.append(day).append("#").append(1 + random.nextInt(5));
                    default -> text.append(random.nextInt(8));
                }
            }
            return text.toString();
        }

        private String dayName(int index) {
            return name(DAYS, index);
        }

        private String name(String[] names, int index) {
            String name = names[index];
            return switch (random.nextInt(3)) {
                case 0 -> name.toLowerCase(Locale.ROOT);
                case 1 -> name.charAt(0) + name.substring(1).toLowerCase(Locale.ROOT);
                default -> name;
            };
        }
    }

    @Test
    void seedsAreFixed() {
        assertThat(seeds().count()).isEqualTo(20);
        assertThat(Objects.requireNonNull(seeds().boxed().toList())).doesNotHaveDuplicates();
    }
}
