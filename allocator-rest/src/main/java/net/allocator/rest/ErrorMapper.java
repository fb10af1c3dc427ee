package net.allocator.rest;

import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import net.allocator.core.AddressNotFoundException;
import net.allocator.core.ConflictException;
import net.allocator.core.CorruptRecordException;
import net.allocator.core.InvalidInputException;
import net.allocator.core.NetworkNotFoundException;
import net.allocator.core.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns an exception into a status code and a JSON error body. Client
 * errors carry the exception's message, which the core writes for users; anything unexpected
 * becomes a 500 with a generic message and an id that points at the logged stack trace, so no
 * internals ever reach a client.
 */
final class ErrorMapper {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    private ErrorMapper() {}

    static Response toResponse(Exception failure, String requestLine) {
        if (failure instanceof HttpError error) {
            Response response = Response.error(error.status(), messageOf(error, "request rejected"));
            for (Map.Entry<String, String> header : error.headers().entrySet()) {
                response = response.withHeader(header.getKey(), header.getValue());
            }
            return response;
        }
        if (failure instanceof InvalidInputException) {
            return Response.error(400, messageOf(failure, "invalid input"));
        }
        if (failure instanceof NetworkNotFoundException || failure instanceof AddressNotFoundException) {
            return Response.error(404, messageOf(failure, "not found"));
        }
        if (failure instanceof ConflictException) {
            return Response.error(409, messageOf(failure, "conflict"));
        }
        if (failure instanceof CorruptRecordException) {
            // Retrying cannot help, so not a 503; the record's key and text stay in the log.
            String id = errorId();
            LOG.error("{}: corrupt record in the store, error id {}", requestLine, id, failure);
            return Response.error(500, "the store holds a corrupt record that the allocator cannot read; an operator must "
                    + "repair or remove it (the server log has the details under error id " + id + ")");
        }
        if (failure instanceof StoreUnavailableException) {
            LOG.warn("{}: store unavailable: {}", requestLine, failure.getMessage());
            return Response.error(503, messageOf(failure, "the store is unavailable") + "; retry later")
                    .withHeader("Retry-After", "1");
        }
        String id = errorId();
        LOG.error("{}: unexpected failure, error id {}", requestLine, id, failure);
        return Response.error(500, "internal error; the server log has the details under error id " + id);
    }

    /** An id that ties a generic answer to its logged stack trace. */
    private static String errorId() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    }

    private static String messageOf(Exception failure, String fallback) {
        String message = failure.getMessage();
        return message == null || message.isBlank() ? fallback : message;
    }
}
