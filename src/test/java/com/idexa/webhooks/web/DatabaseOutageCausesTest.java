package com.idexa.webhooks.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/** Which failures are the database's passing trouble (a 503 to retry) and which are faults (a 500). */
class DatabaseOutageCausesTest {

    @Test
    void takesAnUnreachableOrRestartingDatabaseForAnOutage() {
        SQLTransientConnectionException poolTimeout =
                new SQLTransientConnectionException("Connection is not available, request timed out after 3000ms");
        assertThat(DatabaseOutage.causedBy(new CannotGetJdbcConnectionException("no connection", poolTimeout)))
                .isTrue();
        assertThat(DatabaseOutage.causedBy(new CannotCreateTransactionException("no connection", poolTimeout)))
                .isTrue();
        assertThat(DatabaseOutage.causedBy(new TransactionSystemException(
                        "JDBC rollback failed", new SQLException("Connection is closed"))))
                .isTrue();
        for (String state : new String[] {"08006", "08001", "57P01", "57P03", "53300", "40P01"}) {
            assertThat(DatabaseOutage.causedBy(
                            new UncategorizedSQLException("task", "SQL", new SQLException("lost", state))))
                    .as(state)
                    .isTrue();
        }
        assertThat(DatabaseOutage.causedBy(new IllegalStateException("wrapped", new SQLException("lost", "08006"))))
                .isTrue();
    }

    @Test
    void takesAFaultInTheServiceForNoOutage() {
        assertThat(DatabaseOutage.causedBy(
                        new BadSqlGrammarException("task", "SELECT", new SQLException("syntax", "42601"))))
                .isFalse();
        assertThat(DatabaseOutage.causedBy(new DataIntegrityViolationException("duplicate")))
                .isFalse();
        assertThat(DatabaseOutage.causedBy(new IllegalStateException("bug"))).isFalse();
        assertThat(DatabaseOutage.causedBy(
                        new UncategorizedSQLException("task", "SQL", new SQLException("odd", "XX000"))))
                .isFalse();
    }
}
