package com.idexa.webhooks.deliverylog;

import com.idexa.webhooks.web.FieldProblem;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * A time a client gives the log (a filter, a recovery window): ISO-8601 with an offset, taken in UTC (PostgreSQL's
 * offsets are narrower than Java's) and kept to years PostgreSQL's timestamps hold well.
 */
final class IsoTimes {

    static final int MAX_YEAR = 9999;

    private IsoTimes() {}

    /**
     * @return the time in UTC, or the problem naming {@code field}
     */
    static Result parse(String field, String value) {
        OffsetDateTime time;
        try {
            time = OffsetDateTime.parse(value).withOffsetSameInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return new Result(
                    null,
                    new FieldProblem(
                            field, field + " must be an ISO-8601 time with an offset, like 2026-11-29T10:00:00Z"));
        }
        if (time.getYear() < 1 || time.getYear() > MAX_YEAR) {
            return new Result(null, new FieldProblem(field, field + " must be between the years 1 and " + MAX_YEAR));
        }
        return new Result(time, null);
    }

    /** A parsed time, or the problem with it. */
    record Result(OffsetDateTime time, FieldProblem problem) {

        Optional<FieldProblem> problemIfAny() {
            return Optional.ofNullable(problem);
        }
    }
}
