package com.idexa.webhooks.intake;

import com.idexa.webhooks.web.FieldProblem;
import java.util.List;

/** An event, or an event of a batch, that cannot be recorded; every broken rule is listed. Nothing was recorded. */
public class InvalidEvent extends RuntimeException {

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
}
