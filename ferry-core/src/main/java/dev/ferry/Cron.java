package dev.ferry;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A cron expression, parsed and checked once, that computes its next fire time in any time zone.
 *
 * <p>Five fields ({@code minute hour day-of-month month day-of-week}) or six with a leading
 * {@code second}, the dialect of Spring's {@code CronExpression}: {@code *}, values, ranges
 * {@code 1-5}, steps {@code *}{@code /15} and {@code 10-50/10}, lists, {@code JAN-DEC} and
 * {@code SUN-SAT}, {@code ?} for a day field, {@code L}, {@code L-3}, {@code LW}, {@code 15W},
 * {@code 5L}, {@code 5#2}, and the macros {@code @yearly}, {@code @annually}, {@code @monthly},
 * {@code @weekly}, {@code @daily}, {@code @midnight} and {@code @hourly}. Day-of-month and
 * day-of-week must <em>both</em> match (as in Spring; classic
 * Vixie cron fires when either does). The full syntax, with the daylight-saving rules, is in
 * {@code docs/cron.md}.
 *
 * <p>Everything wrong with an expression is found by {@link #parse(String)}, including an
 * expression that can never fire ({@code 0 0 30 2 *}), so a schedule that was accepted always has
 * a next fire time. Instances are immutable and thread-safe.
 */
public final class Cron {

    /**
     * The Gregorian calendar repeats every 400 years (146097 days is a whole number of weeks), so a
     * day that matches nowhere in 400 years matches nowhere at all: the search bound is exact.
     */
    private static final int HORIZON_YEARS = 400;

    private static final String[] FIELD_NAMES = {"second", "minute", "hour", "day-of-month", "month", "day-of-week"};
    private static final int[] MIN = {0, 0, 0, 1, 1, 0};
    private static final int[] MAX = {59, 59, 23, 31, 12, 7};
    private static final int SECOND = 0;
    private static final int MINUTE = 1;
    private static final int HOUR = 2;
    private static final int DAY_OF_MONTH = 3;
    private static final int MONTH = 4;
    private static final int DAY_OF_WEEK = 5;

    private static final List<String> MONTH_NAMES =
            List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    // Index + 1 is the java.time value; Spring maps SUN to 7 too, which is what makes FRI-SUN valid.
    private static final List<String> DAY_NAMES = List.of("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN");

    private static final String[][] MACROS = {
            {"@yearly", "0 0 0 1 1 *"},
            {"@annually", "0 0 0 1 1 *"},
            {"@monthly", "0 0 0 1 * *"},
            {"@weekly", "0 0 0 * * 0"},
            {"@daily", "0 0 0 * * *"},
            {"@midnight", "0 0 0 * * *"},
            {"@hourly", "0 0 * * * *"},
    };

    private static final long ALL_HOURS = (1L << 24) - 1;

    private final String expression;
    private final long seconds;
    private final long minutes;
    private final long hours;
    private final long months;
    private final long daysOfMonth;
    private final long daysOfWeek;
    private final List<DayRule> dayOfMonthRules;
    private final List<DayRule> dayOfWeekRules;

    private Cron(String expression, long[] bits, List<DayRule> dayOfMonthRules, List<DayRule> dayOfWeekRules) {
        this.expression = expression;
        this.seconds = bits[SECOND];
        this.minutes = bits[MINUTE];
        this.hours = bits[HOUR];
        this.daysOfMonth = bits[DAY_OF_MONTH];
        this.months = bits[MONTH];
        this.daysOfWeek = bits[DAY_OF_WEEK];
        this.dayOfMonthRules = List.copyOf(dayOfMonthRules);
        this.dayOfWeekRules = List.copyOf(dayOfWeekRules);
    }

    /**
     * Parses a cron expression of 5 or 6 fields, or a macro such as {@code @daily}.
     *
     * @throws InvalidInputException with field {@code cron} and a message naming the cron field
     *                               and the token at fault, or saying that the expression never fires
     */
    public static Cron parse(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new InvalidInputException("cron", "must not be empty");
        }
        String text = expression.strip();
        String[] fields = resolveMacro(text).split("\\s+");
        if (fields.length == 5) {
            String[] withSeconds = new String[6];
            withSeconds[0] = "0";
            System.arraycopy(fields, 0, withSeconds, 1, 5);
            fields = withSeconds;
        } else if (fields.length != 6) {
            throw new InvalidInputException("cron", "expected 5 fields (minute hour day-of-month month day-of-week)"
                    + " or 6 (with second first), found " + fields.length + " in '" + text + "'");
        }
        long[] bits = new long[6];
        List<DayRule> dayOfMonthRules = new ArrayList<>();
        List<DayRule> dayOfWeekRules = new ArrayList<>();
        for (int field = 0; field < 6; field++) {
            List<DayRule> rules = field == DAY_OF_MONTH ? dayOfMonthRules
                    : field == DAY_OF_WEEK ? dayOfWeekRules : null;
            bits[field] = new FieldParser(text, field).parse(fields[field], rules);
        }
        Cron cron = new Cron(text, bits, dayOfMonthRules, dayOfWeekRules);
        if (cron.firstAtOrAfter(LocalDateTime.of(2000, 1, 1, 0, 0), null, null) == null) {
            throw new InvalidInputException("cron", "'" + text + "' never fires: no date has day-of-month '"
                    + fields[DAY_OF_MONTH] + "', month '" + fields[MONTH] + "' and day-of-week '"
                    + fields[DAY_OF_WEEK] + "' at once");
        }
        return cron;
    }

    private static String resolveMacro(String text) {
        if (!text.startsWith("@")) {
            return text;
        }
        for (String[] macro : MACROS) {
            if (macro[0].equalsIgnoreCase(text)) {
                return macro[1];
            }
        }
        String hint = text.toLowerCase(Locale.ROOT).startsWith("@every")
                ? "; fixed-rate repeats are a Schedule: Schedule.parse(\"" + text + "\", zone)"
                : "";
        throw new InvalidInputException("cron", "unknown macro '" + text.split("\\s+")[0]
                + "' (known: @yearly @annually @monthly @weekly @daily @midnight @hourly)" + hint);
    }

    /**
     * The first fire time strictly after {@code after}, in {@code after}'s zone; null only if none is
     * representable (past year 999,999,999).
     *
     * <p>Daylight saving: a wall-clock time that a spring-forward gap skips fires once, moved later by
     * the length of the gap (02:30 becomes 03:30); a wall-clock time that a fall-back overlap repeats
     * fires once, at the earlier offset, unless the expression fires every hour, which keeps its
     * rhythm through the repeated hour.
     */
    public ZonedDateTime next(ZonedDateTime after) {
        Objects.requireNonNull(after, "after");
        Instant next = next(after.toInstant(), after.getZone());
        return next == null ? null : ZonedDateTime.ofInstant(next, after.getZone());
    }

    /**
     * The first fire time strictly after {@code after}, with the fields read as wall-clock time in
     * {@code zone}; null only if none is representable. See {@link #next(ZonedDateTime)} for
     * daylight saving.
     */
    public Instant next(Instant after, ZoneId zone) {
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(zone, "zone");
        try {
            return nextInstant(after, zone.getRules());
        } catch (DateTimeException | ArithmeticException e) {
            // Only at the very ends of the time line: there is no representable next time.
            return null;
        }
    }

    /**
     * Walks the zone's offset periods (the spans between transitions) from {@code after}. Inside one
     * period wall-clock time is the instant plus a fixed offset, so the first matching wall-clock
     * time there is the answer, with two exceptions at the period's start: after a gap, the skipped
     * wall-clock times fire shifted by the gap; after an overlap, the repeated wall-clock times
     * already fired in the previous period, so they fire again only for an every-hour expression.
     */
    private Instant nextInstant(Instant after, ZoneRules rules) {
        Memo memo = new Memo();
        Instant cursor = after;
        boolean inclusive = false;
        ZoneOffsetTransition start = rules.previousTransition(after.plusNanos(1));
        Instant giveUp = after.plus(Duration.ofDays(366L * (HORIZON_YEARS + 1)));
        while (!cursor.isAfter(giveUp)) {
            ZoneOffset offset = rules.getOffset(cursor);
            ZoneOffsetTransition end = rules.nextTransition(cursor);
            LocalDateTime local = LocalDateTime.ofEpochSecond(cursor.getEpochSecond(), cursor.getNano(), offset);
            LocalDateTime from = inclusive ? ceilToSecond(local) : local.withNano(0).plusSeconds(1);

            LocalDateTime regularFrom = from;
            if (start != null && start.isOverlap() && hours != ALL_HOURS && from.isBefore(start.getDateTimeBefore())) {
                regularFrom = start.getDateTimeBefore();
            }
            LocalDateTime regular = firstAtOrAfter(regularFrom, null, memo);
            if (regular == null) {
                return null;
            }
            Instant best = regular.toInstant(offset);
            if (start != null && start.isGap()) {
                LocalDateTime skipped = firstAtOrAfter(from.minus(start.getDuration()), start.getDateTimeAfter(), null);
                if (skipped != null) {
                    Instant shifted = skipped.toInstant(start.getOffsetBefore());
                    if (shifted.isBefore(best)) {
                        best = shifted;
                    }
                }
            }
            if (end == null || best.isBefore(end.getInstant())) {
                return best;
            }
            cursor = end.getInstant();
            inclusive = true;
            start = end;
        }
        return null;
    }

    private static LocalDateTime ceilToSecond(LocalDateTime t) {
        return t.getNano() == 0 ? t : t.withNano(0).plusSeconds(1);
    }

    /** The last search, reused while the walk over offset periods stays short of its result. */
    private static final class Memo {
        LocalDateTime from;
        LocalDateTime result;
    }

    /**
     * The first matching wall-clock time at or after {@code from} (whole seconds), strictly before
     * {@code before} when that is given, else within the 400-year horizon; null if there is none.
     */
    private LocalDateTime firstAtOrAfter(LocalDateTime from, LocalDateTime before, Memo memo) {
        if (memo != null && memo.from != null && memo.result != null
                && !from.isBefore(memo.from) && !from.isAfter(memo.result)) {
            return memo.result;
        }
        LocalDate date = from.toLocalDate();
        LocalDate last = before != null ? before.toLocalDate() : date.plusYears(HORIZON_YEARS);
        int hour = from.getHour();
        int minute = from.getMinute();
        int second = from.getSecond();
        LocalDateTime result = null;
        while (!date.isAfter(last)) {
            if (!hasBit(months, date.getMonthValue())) {
                date = nextMonthStart(date);
            } else if (dayMatches(date)) {
                LocalTime time = firstTime(hour, minute, second);
                if (time != null) {
                    result = date.atTime(time);
                    break;
                }
                date = date.plusDays(1);
            } else {
                date = date.plusDays(1);
            }
            hour = 0;
            minute = 0;
            second = 0;
        }
        if (result != null && before != null && !result.isBefore(before)) {
            result = null;
        }
        if (memo != null) {
            memo.from = from;
            memo.result = result;
        }
        return result;
    }

    private LocalDate nextMonthStart(LocalDate date) {
        int month = nextBit(months, date.getMonthValue() + 1);
        if (month > 0 && month <= 12) {
            return LocalDate.of(date.getYear(), month, 1);
        }
        return LocalDate.of(date.getYear() + 1, nextBit(months, 1), 1);
    }

    private LocalTime firstTime(int fromHour, int fromMinute, int fromSecond) {
        for (int h = nextBit(hours, fromHour); h >= 0; h = nextBit(hours, h + 1)) {
            boolean sameHour = h == fromHour;
            for (int m = nextBit(minutes, sameHour ? fromMinute : 0); m >= 0; m = nextBit(minutes, m + 1)) {
                int s = nextBit(seconds, sameHour && m == fromMinute ? fromSecond : 0);
                if (s >= 0) {
                    return LocalTime.of(h, m, s);
                }
            }
        }
        return null;
    }

    private boolean dayMatches(LocalDate date) {
        return matchesAny(daysOfMonth, date.getDayOfMonth(), dayOfMonthRules, date)
                && matchesAny(daysOfWeek, date.getDayOfWeek().getValue(), dayOfWeekRules, date);
    }

    private static boolean matchesAny(long bits, int value, List<DayRule> rules, LocalDate date) {
        if (hasBit(bits, value)) {
            return true;
        }
        for (DayRule rule : rules) {
            if (rule.matches(date)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasBit(long bits, int index) {
        return (bits & (1L << index)) != 0;
    }

    private static int nextBit(long bits, int from) {
        if (from >= 64) {
            return -1;
        }
        long rest = bits & (-1L << from);
        return rest == 0 ? -1 : Long.numberOfTrailingZeros(rest);
    }

    /** The expression as it was given, without surrounding whitespace. */
    @Override
    public String toString() {
        return expression;
    }

    /** Equal when the expression text is equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Cron other && expression.equals(other.expression);
    }

    @Override
    public int hashCode() {
        return expression.hashCode();
    }

    /** The Quartz-style day tokens that a bit set cannot express. */
    private sealed interface DayRule {
        boolean matches(LocalDate date);
    }

    /** {@code L} (offset 0) or {@code L-n}: the n-th day before the last; none in a month too short for it. */
    private record LastDay(int offset) implements DayRule {
        @Override
        public boolean matches(LocalDate date) {
            return date.getDayOfMonth() == date.lengthOfMonth() - offset;
        }
    }

    /** {@code LW}: the last Monday-to-Friday of the month. */
    private record LastWeekday() implements DayRule {
        @Override
        public boolean matches(LocalDate date) {
            int last = date.lengthOfMonth();
            int target = switch (date.withDayOfMonth(last).getDayOfWeek()) {
                case SATURDAY -> last - 1;
                case SUNDAY -> last - 2;
                default -> last;
            };
            return date.getDayOfMonth() == target;
        }
    }

    /**
     * {@code nW}: the weekday nearest day n, never leaving the month (Quartz's rule): a Saturday
     * moves to Friday unless that is in the previous month (1W on Saturday fires Monday the 3rd); a
     * Sunday moves to Monday unless that is in the next month (then Friday). No fire in a month
     * without day n.
     */
    private record NearestWeekday(int day) implements DayRule {
        @Override
        public boolean matches(LocalDate date) {
            int last = date.lengthOfMonth();
            if (day > last) {
                return false;
            }
            int target = switch (date.withDayOfMonth(day).getDayOfWeek()) {
                case SATURDAY -> day == 1 ? 3 : day - 1;
                case SUNDAY -> day == last ? day - 2 : day + 1;
                default -> day;
            };
            return date.getDayOfMonth() == target;
        }
    }

    /** {@code 5L}: the last given day of the week in the month. */
    private record LastInMonth(DayOfWeek dayOfWeek) implements DayRule {
        @Override
        public boolean matches(LocalDate date) {
            return date.getDayOfWeek() == dayOfWeek && date.getDayOfMonth() + 7 > date.lengthOfMonth();
        }
    }

    /** {@code 5#2}: the n-th given day of the week in the month. */
    private record NthInMonth(DayOfWeek dayOfWeek, int ordinal) implements DayRule {
        @Override
        public boolean matches(LocalDate date) {
            return date.getDayOfWeek() == dayOfWeek && (date.getDayOfMonth() - 1) / 7 + 1 == ordinal;
        }
    }

    /** Parses one field into a bit set (bit i set: value i fires) plus, for day fields, day rules. */
    private static final class FieldParser {
        private final String expression;
        private final int field;
        private final String name;

        FieldParser(String expression, int field) {
            this.expression = expression;
            this.field = field;
            this.name = FIELD_NAMES[field];
        }

        long parse(String text, List<DayRule> rules) {
            if (text.equals("?")) {
                if (rules == null) {
                    throw fail(text, "'?' is allowed only in day-of-month and day-of-week");
                }
                text = "*";
            }
            long bits = 0;
            for (String item : text.split(",", -1)) {
                String upper = asciiUpper(item);
                if (item.isEmpty()) {
                    throw fail(text, "empty list element");
                }
                if (item.equals("?")) {
                    throw fail(text, "'?' must be the whole field");
                }
                if (field == DAY_OF_MONTH && (upper.contains("L") || upper.contains("W"))) {
                    rules.add(dayOfMonthRule(item, upper));
                } else if (field == DAY_OF_WEEK && (upper.contains("L") || upper.contains("#"))) {
                    rules.add(dayOfWeekRule(item, upper));
                } else {
                    bits |= parseItem(item);
                }
            }
            if (field == DAY_OF_WEEK && hasBit(bits, 0)) {
                // Cron's 0 is Sunday; java.time's is 7.
                bits = (bits & ~1L) | (1L << 7);
            }
            return bits;
        }

        private long parseItem(String item) {
            int slash = item.indexOf('/');
            String rangeText = slash < 0 ? item : item.substring(0, slash);
            int step = 1;
            if (slash >= 0) {
                String stepText = item.substring(slash + 1);
                if (!isDigits(stepText)) {
                    throw fail(item, "step '" + stepText + "' is not a whole number");
                }
                step = stepText.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(stepText);
                if (step < 1) {
                    throw fail(item, "step must be at least 1");
                }
            }
            int low;
            int high;
            if (rangeText.equals("*")) {
                // Spring's '*' for day-of-week is 1-7 (MON-SUN), which decides what '*/2' means there.
                low = field == DAY_OF_WEEK ? 1 : MIN[field];
                high = MAX[field];
            } else {
                int dash = rangeText.indexOf('-');
                if (dash < 0) {
                    low = value(rangeText, item);
                    // 'n/step' runs from n to the end of the field's range, as in Spring.
                    high = slash >= 0 ? MAX[field] : low;
                } else {
                    low = value(rangeText.substring(0, dash), item);
                    high = value(rangeText.substring(dash + 1), item);
                    if (field == DAY_OF_WEEK && low == 7 && high != 7) {
                        // Sunday as the start of a range is day 0, so SUN-TUE works.
                        low = 0;
                    }
                    if (low > high) {
                        throw fail(item, "range is reversed (" + low + " is after " + high + ")");
                    }
                }
            }
            long bits = 0;
            for (long i = low; i <= high; i += step) {
                bits |= 1L << i;
            }
            return bits;
        }

        /** A number or, in the month and day-of-week fields, a three-letter name in any case. */
        private int value(String text, String item) {
            if (text.isEmpty()) {
                throw fail(item, "a number is missing");
            }
            String upper = asciiUpper(text);
            int value;
            if (isDigits(text)) {
                value = text.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(text);
            } else if (field == MONTH && MONTH_NAMES.contains(upper)) {
                value = MONTH_NAMES.indexOf(upper) + 1;
            } else if (field == DAY_OF_WEEK && DAY_NAMES.contains(upper)) {
                value = DAY_NAMES.indexOf(upper) + 1;
            } else if (field == MONTH) {
                throw fail(item, "'" + text + "' is not a month (1-12 or JAN-DEC)");
            } else if (field == DAY_OF_WEEK) {
                throw fail(item, "'" + text + "' is not a day of the week (0-7 or SUN-SAT)");
            } else {
                throw fail(item, "'" + text + "' is not a number");
            }
            if (value < MIN[field] || value > MAX[field]) {
                throw fail(item, "out of range " + MIN[field] + "-" + MAX[field]);
            }
            return value;
        }

        /** {@code upper} is {@code item} in ASCII upper case, the same length, so indexes carry over. */
        private DayRule dayOfMonthRule(String item, String upper) {
            if (upper.equals("L")) {
                return new LastDay(0);
            }
            if (upper.equals("LW")) {
                return new LastWeekday();
            }
            if (upper.startsWith("L-")) {
                String offset = item.substring(2);
                if (!isDigits(offset) || offset.length() > 2 || Integer.parseInt(offset) < 1 || Integer.parseInt(offset) > 30) {
                    throw fail(item, "the offset in L-n must be a number from 1 to 30");
                }
                return new LastDay(Integer.parseInt(offset));
            }
            if (upper.indexOf('W') == upper.length() - 1 && upper.indexOf('L') < 0) {
                String day = item.substring(0, item.length() - 1);
                if (day.isEmpty()) {
                    throw fail(item, "W needs a day before it, as in 15W");
                }
                if (!isDigits(day)) {
                    throw fail(item, "W takes a single day of the month, as in 15W");
                }
                return new NearestWeekday(value(day, item));
            }
            throw fail(item, "L and W are allowed only as L, L-n, LW or nW");
        }

        private DayRule dayOfWeekRule(String item, String upper) {
            int hash = item.indexOf('#');
            if (hash >= 0) {
                String ordinal = item.substring(hash + 1);
                DayOfWeek day = dayOfWeek(item.substring(0, hash), item, '#');
                if (!isDigits(ordinal) || ordinal.length() > 1 || ordinal.charAt(0) < '1' || ordinal.charAt(0) > '5') {
                    throw fail(item, "the n in #n must be a number from 1 to 5");
                }
                return new NthInMonth(day, ordinal.charAt(0) - '0');
            }
            if (upper.indexOf('L') != upper.length() - 1) {
                throw fail(item, "L in day-of-week must come last, as in 5L (the last Friday)");
            }
            return new LastInMonth(dayOfWeek(item.substring(0, item.length() - 1), item, 'L'));
        }

        private DayOfWeek dayOfWeek(String text, String item, char marker) {
            if (text.isEmpty()) {
                throw fail(item, marker + " needs a day of the week before it, as in " + (marker == 'L' ? "5L" : "5#2"));
            }
            if (!isDigits(text) && !DAY_NAMES.contains(asciiUpper(text))) {
                throw fail(item, marker + " takes a single day of the week (0-7 or SUN-SAT)");
            }
            int value = value(text, item);
            return DayOfWeek.of(value == 0 ? 7 : value);
        }

        /** Upper case for a-z only: the same length as the input, and no locale surprises. */
        private static String asciiUpper(String s) {
            char[] chars = s.toCharArray();
            for (int i = 0; i < chars.length; i++) {
                if (chars[i] >= 'a' && chars[i] <= 'z') {
                    chars[i] = (char) (chars[i] - 'a' + 'A');
                }
            }
            return new String(chars);
        }

        private InvalidInputException fail(String token, String problem) {
            return new InvalidInputException("cron", name + " '" + token + "' in '" + expression + "': " + problem);
        }

        private static boolean isDigits(String s) {
            if (s.isEmpty()) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    return false;
                }
            }
            return true;
        }
    }
}
