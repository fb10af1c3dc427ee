package net.allocator.core;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Claim times as text, exactly as {@link Instant#toString()} writes them ({@code
 * 2026-11-25T17:55:48.597462Z}: UTC, the fraction in groups of three digits), without
 * java.time's general formatter and parser, which cost more than the rest of an allocation or a
 * release. Anything else goes to {@link Instant#parse} and {@link Instant#toString()}.
 */
final class InstantText {
    private static final long MIN_DAY = LocalDate.of(0, 1, 1).toEpochDay();
    private static final long MAX_DAY = LocalDate.of(9999, 12, 31).toEpochDay();

    /** A day and its text up to the time ({@code 2026-11-25T}). */
    private record Day(long epochDay, String text) {}

    /** The day last written or read: claim times of one process mostly fall on one day. */
    private static volatile Day lastDay = day(0);

    private InstantText() {}

    /** The most chars {@link #write} writes. */
    static final int MAX_LENGTH = 40; // Instant.MAX is 38

    /**
     * Writes the instant's text into {@code into} at {@code at}, which has room for {@link
     * #MAX_LENGTH} chars, and returns where it ends.
     */
    static int write(char[] into, int at, Instant instant) {
        long seconds = instant.getEpochSecond();
        long epochDay = Math.floorDiv(seconds, 86_400);
        if (epochDay < MIN_DAY || epochDay > MAX_DAY) {
            String text = instant.toString();
            text.getChars(0, text.length(), into, at);
            return at + text.length();
        }
        Second second = lastSecond;
        if (second.epochSecond() != seconds) {
            second = second(seconds, epochDay);
            lastSecond = second;
        }
        second.text().getChars(0, SECOND_LENGTH, into, at);
        at += SECOND_LENGTH;
        int nanos = instant.getNano();
        if (nanos != 0) {
            into[at++] = '.';
            if (nanos % 1_000_000 == 0) {
                at = digits(into, at, nanos / 1_000_000, 3);
            } else if (nanos % 1_000 == 0) {
                at = digits(into, at, nanos / 1_000, 6);
            } else {
                at = digits(into, at, nanos, 9);
            }
        }
        into[at++] = 'Z';
        return at;
    }

    static Instant parse(String text) {
        int length = text.length();
        if (length < 20 || length > 30 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(length - 1) != 'Z') {
            return Instant.parse(text);
        }
        int hour = number(text, 11, 13);
        int minute = number(text, 14, 16);
        int second = number(text, 17, 19);
        if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return Instant.parse(text); // leap seconds and errors, as java.time has them
        }
        int nanos = 0;
        if (length > 20) {
            int digits = length - 21;
            if (text.charAt(19) != '.' || digits < 1 || digits > 9 || (nanos = number(text, 20, length - 1)) < 0) {
                return Instant.parse(text);
            }
            for (int i = digits; i < 9; i++) {
                nanos *= 10;
            }
        }
        Day day = lastDay;
        if (!text.startsWith(day.text())) {
            int year = number(text, 0, 4);
            int month = number(text, 5, 7);
            int dayOfMonth = number(text, 8, 10);
            if (year < 0 || month < 0 || dayOfMonth < 0) {
                return Instant.parse(text);
            }
            try {
                day = new Day(LocalDate.of(year, month, dayOfMonth).toEpochDay(), text.substring(0, 11));
            } catch (DateTimeException e) {
                return Instant.parse(text);
            }
            lastDay = day;
        }
        return Instant.ofEpochSecond(day.epochDay() * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** A second and its text up to the fraction ({@code 2026-11-25T17:55:48}). */
    private record Second(long epochSecond, String text) {}

    private static final int SECOND_LENGTH = 19;

    /** The second last written: claims made within one second share its text. */
    private static volatile Second lastSecond = new Second(Long.MIN_VALUE, "");

    private static Second second(long seconds, long epochDay) {
        Day day = lastDay;
        if (day.epochDay() != epochDay) {
            day = day(epochDay);
            lastDay = day;
        }
        char[] text = new char[SECOND_LENGTH];
        day.text().getChars(0, day.text().length(), text, 0);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400);
        int at = digits(text, day.text().length(), secondOfDay / 3_600, 2);
        text[at++] = ':';
        at = digits(text, at, secondOfDay / 60 % 60, 2);
        text[at++] = ':';
        digits(text, at, secondOfDay % 60, 2);
        return new Second(seconds, new String(text));
    }

    private static Day day(long epochDay) {
        LocalDate date = LocalDate.ofEpochDay(epochDay);
        char[] text = new char[11];
        digits(text, 0, date.getYear(), 4);
        text[4] = '-';
        digits(text, 5, date.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, date.getDayOfMonth(), 2);
        text[10] = 'T';
        return new Day(epochDay, new String(text));
    }

    private static int digits(char[] into, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            into[i] = (char) ('0' + value % 10);
            value /= 10;
        }
        return at + width;
    }

    /** The ASCII decimal digits between {@code from} and {@code to}, or -1 if any is not one. */
    private static int number(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
