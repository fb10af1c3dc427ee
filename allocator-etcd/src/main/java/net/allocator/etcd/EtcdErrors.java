package net.allocator.etcd;

import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLHandshakeException;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.StoreOutcomeUnknownException;

/**
 * Turns what jetcd and gRPC report into the store SPI's exceptions, with messages that say what
 * failed and where.
 *
 * <p>The one decision that matters is, for a write, whether it may have been applied: only then
 * is the answer {@link StoreOutcomeUnknownException}, which makes the allocator read back. A
 * write certainly was not applied when the connection could not be opened (gRPC fails such a
 * call before giving it to any connection) or when etcd answered with an error that it returns
 * before applying anything (bad request, permission, auth). Everything else — a timeout, a
 * connection lost on the way, "leader changed", "request timed out" — may have been applied.
 */
final class EtcdErrors {

    /** Answers etcd gives before a request is applied; the request is known to have had no effect. */
    private static final Set<Status.Code> REJECTED_BEFORE_APPLYING = EnumSet.of(
            Status.Code.INVALID_ARGUMENT,
            Status.Code.PERMISSION_DENIED,
            Status.Code.UNAUTHENTICATED,
            Status.Code.FAILED_PRECONDITION,
            Status.Code.OUT_OF_RANGE);

    private final String endpoints;

    EtcdErrors(String endpoints) {
        this.endpoints = endpoints;
    }

    /** {@code what} (such as "get of key 'k'") failed with {@code failure}. */
    StoreUnavailableException failed(String what, Throwable failure, boolean write) {
        Throwable cause = unwrap(failure);
        if (write && !certainlyNotApplied(cause)) {
            return new StoreOutcomeUnknownException(
                    "etcd " + what + " failed on " + endpoints + " and may or may not have been applied: " + describe(cause), cause);
        }
        return new StoreUnavailableException("etcd " + what + " failed on " + endpoints + ": " + describe(cause), cause);
    }

    /** {@code what} got no answer within {@code timeout}. */
    StoreUnavailableException timedOut(String what, Duration timeout, boolean write) {
        String message = "etcd " + what + " got no answer from " + endpoints + " within " + timeout.toMillis() + " ms (setting "
                + EtcdConfig.TIMEOUT + ")";
        return write
                ? new StoreOutcomeUnknownException(message + "; it may or may not have been applied")
                : new StoreUnavailableException(message);
    }

    /** The calling thread was interrupted while waiting for {@code what}. */
    StoreUnavailableException interrupted(String what, InterruptedException e, boolean write) {
        String message = "interrupted while waiting for etcd " + what + " on " + endpoints;
        return write
                ? new StoreOutcomeUnknownException(message + "; it may or may not have been applied", e)
                : new StoreUnavailableException(message, e);
    }

    /**
     * Whether no connection to any endpoint could be opened. gRPC then fails calls before
     * handing them to a connection, so the request was never sent; and a new client would
     * try to connect at once instead of waiting out gRPC's reconnect back-off.
     */
    static boolean isConnectFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    /** The gRPC status code of a jetcd failure ({@code UNKNOWN} when it carries none). */
    static Status.Code code(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof EtcdException etcd) {
            return Status.Code.valueOf(etcd.getErrorCode().name());
        }
        return Status.fromThrowable(cause).getCode();
    }

    private static boolean certainlyNotApplied(Throwable cause) {
        if (isConnectFailure(cause)) {
            return true;
        }
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLHandshakeException) {
                return true; // gRPC sends nothing before the TLS handshake is done
            }
        }
        return REJECTED_BEFORE_APPLYING.contains(code(cause));
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Such as "UNAVAILABLE: io exception (Connection refused: /127.0.0.1:2379)". */
    static String describe(Throwable failure) {
        Throwable cause = unwrap(failure);
        String text;
        if (cause instanceof EtcdException etcd) {
            text = etcd.getErrorCode() + ": " + etcd.getMessage();
        } else if (Status.fromThrowable(cause).getCode() != Status.Code.UNKNOWN || cause instanceof io.grpc.StatusRuntimeException) {
            Status status = Status.fromThrowable(cause);
            // grpc-netty appends lines such as "Channel Pipeline: [...]" that only say where it happened.
            String description = status.getDescription() == null ? "" : status.getDescription().lines().findFirst().orElse("");
            text = status.getCode() + (description.isEmpty() ? "" : ": " + description);
        } else {
            text = cause.toString();
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != cause && root.getMessage() != null && !text.contains(root.getMessage())) {
            text += " (" + root.getMessage() + ")";
        }
        return text;
    }
}
