package com.idexa.webhooks.intake;

import com.idexa.webhooks.web.FieldProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An event, or an event of a batch, that cannot be recorded; every broken rule is listed. Nothing was recorded. */
public class InvalidEvent extends RuntimeException {

    private static final Pattern BATCH_FIELD = Pattern.compile("events\\[(\\d+)]\\.?(.*)");

    private final List<FieldProblem> problems;

    InvalidEvent(List<FieldProblem> problems) {
        super(
                problems.size() == 1
                        ? problems.get(0).field() + ": " + problems.get(0).message()
                        : problems.size() + " fields are invalid");
        this.problems = List.copyOf(problems);
    }

    /** Each broken rule, naming its field ({@code document.id}, {@code events[3].type}). */
    public List<FieldProblem> problems() {
        return problems;
    }

    /**
     * For a batch: the problems of each event named ({@code events[3].type} is event 3's {@code type}), by the
     * event's index, fields relative to the event. Problems that name no event (the batch's size) are left out.
     */
    public Map<Integer, List<FieldProblem>> problemsByEvent() {
        Map<Integer, List<FieldProblem>> byEvent = new TreeMap<>();
        for (FieldProblem problem : problems) {
            Matcher field = BATCH_FIELD.matcher(problem.field());
            if (field.matches()) {
                byEvent.computeIfAbsent(Integer.parseInt(field.group(1)), index -> new ArrayList<>())
                        .add(new FieldProblem(field.group(2), problem.message()));
            }
        }
        return byEvent;
    }
}
