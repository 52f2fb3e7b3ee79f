package dev.vane.engine.tokenizer;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.IsoFields;
import java.util.Locale;

/**
 * Python's {@code datetime.now().strftime(fmt)} in the C locale, as HF's {@code strftime_now} global
 * uses it. The time is naive (no zone), so {@code %z} and {@code %Z} print nothing, as in Python.
 * glibc's {@code %-d}-style "no padding" flag is supported.
 */
final class Strftime {
    private Strftime() {}

    static String format(String fmt, LocalDateTime t) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%' || i + 1 >= fmt.length()) {
                sb.append(c);
                continue;
            }
            char d = fmt.charAt(++i);
            boolean noPad = false;
            if (d == '-' && i + 1 < fmt.length()) {
                noPad = true;
                d = fmt.charAt(++i);
            }
            String s = directive(d, t, noPad);
            if (s == null) {
                sb.append('%');
                if (noPad) {
                    sb.append('-');
                }
                sb.append(d);
            } else {
                sb.append(s);
            }
        }
        return sb.toString();
    }

    private static String num(long v, int width, boolean noPad) {
        String s = Long.toString(v);
        return noPad || s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }

    private static String directive(char d, LocalDateTime t, boolean noPad) {
        int hour12 = t.getHour() % 12 == 0 ? 12 : t.getHour() % 12;
        return switch (d) {
            case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.US);
            case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.US);
            case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
            case 'u' -> Integer.toString(t.getDayOfWeek().getValue());
            case 'd' -> num(t.getDayOfMonth(), 2, noPad);
            case 'e' -> noPad ? Integer.toString(t.getDayOfMonth()) : String.format("%2d", t.getDayOfMonth());
            case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.US);
            case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.US);
            case 'm' -> num(t.getMonthValue(), 2, noPad);
            case 'y' -> num(t.getYear() % 100, 2, noPad);
            case 'Y' -> Integer.toString(t.getYear());
            case 'C' -> num(t.getYear() / 100, 2, noPad);
            case 'H' -> num(t.getHour(), 2, noPad);
            case 'k' -> String.format("%2d", t.getHour());
            case 'I' -> num(hour12, 2, noPad);
            case 'l' -> String.format("%2d", hour12);
            case 'p' -> t.getHour() < 12 ? "AM" : "PM";
            case 'M' -> num(t.getMinute(), 2, noPad);
            case 'S' -> num(t.getSecond(), 2, noPad);
            case 'f' -> num(t.getNano() / 1000, 6, false);
            case 'j' -> num(t.getDayOfYear(), 3, noPad);
            case 'U' -> num(weekOfYear(t, DayOfWeek.SUNDAY), 2, noPad);
            case 'W' -> num(weekOfYear(t, DayOfWeek.MONDAY), 2, noPad);
            case 'V' -> num(t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), 2, noPad);
            case 'G' -> Integer.toString(t.get(IsoFields.WEEK_BASED_YEAR));
            case 'z', 'Z' -> "";
            case 'c' -> format("%a %b %e %H:%M:%S %Y", t);
            case 'x' -> format("%m/%d/%y", t);
            case 'X', 'T' -> format("%H:%M:%S", t);
            case 'D' -> format("%m/%d/%y", t);
            case 'F' -> format("%Y-%m-%d", t);
            case 'R' -> format("%H:%M", t);
            case 'r' -> format("%I:%M:%S %p", t);
            case 'n' -> "\n";
            case 't' -> "\t";
            case '%' -> "%";
            default -> null;
        };
    }

    /** %U / %W: week number where weeks start on {@code first}; days before the first such day are week 0. */
    private static int weekOfYear(LocalDateTime t, DayOfWeek first) {
        int yday = t.get(ChronoField.DAY_OF_YEAR) - 1;
        int wday = (t.getDayOfWeek().getValue() - first.getValue() + 7) % 7; // days since week start
        return (yday + 7 - wday) / 7;
    }
}
