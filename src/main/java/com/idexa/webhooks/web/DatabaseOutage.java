package com.idexa.webhooks.web;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.List;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.TransactionTimedOutException;

/**
 * Tells a failure that is the database's passing trouble (unreachable, restarting, out of connections, a
 * statement timed out or lost to a deadlock, a commit or rollback on a connection that broke) from a fault in the
 * service. The first is a 503 the caller can retry (and an outcome the dispatcher writes again); only the second
 * is a 500.
 */
public final class DatabaseOutage {

    /**
     * SQLSTATE prefixes of passing trouble: connection exceptions (08), insufficient resources (53, too many
     * connections among them), shutdown or start-up (57P01-57P03), statement cancelled or timed out (57014),
     * serialization failure and deadlock (40001, 40P01), lock not available (55P03).
     */
    private static final List<String> SQL_STATES =
            List.of("08", "53", "57P01", "57P02", "57P03", "57014", "40001", "40P01", "55P03");

    private DatabaseOutage() {}

    public static boolean causedBy(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof DataAccessResourceFailureException
                    || cause instanceof TransientDataAccessException
                    || cause instanceof RecoverableDataAccessException
                    || cause instanceof CannotCreateTransactionException
                    || cause instanceof TransactionSystemException
                    || cause instanceof TransactionTimedOutException
                    || cause instanceof SQLTransientException
                    || cause instanceof SQLRecoverableException
                    || cause instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                if (SQL_STATES.stream().anyMatch(sql.getSQLState()::startsWith)) {
                    return true;
                }
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }
}
