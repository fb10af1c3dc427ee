package net.allocator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.helpers.MessageFormatter;

/** The request log written by its background thread. */
class RequestLogTest {
    private final List<String> lines = new CopyOnWriteArrayList<>();

    /** A log to a logger at INFO (or not) that keeps in {@link #lines} what is logged at INFO. */
    private RequestLog recording(boolean info) {
        return new RequestLog(logger(info));
    }

    private Logger logger(boolean info) {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class}, (proxy, method, args) -> {
            switch (method.getName()) {
                case "isInfoEnabled" -> {
                    return info;
                }
                case "info" -> {
                    lines.add(MessageFormatter.arrayFormat((String) args[0], (Object[]) args[1]).getMessage());
                    return null;
                }
                case "getName" -> {
                    return "requests";
                }
                default -> throw new UnsupportedOperationException(method.getName());
            }
        });
    }

    @Test
    @DisplayName("every line is written, in order, by the time close() returns; after close() the caller writes its own")
    void closeWritesWhatIsQueued() {
        // fewer lines than the queue holds, so none is written by its caller out of order
        RequestLog log = recording(true);
        assertThat(log.enabled()).isTrue();
        InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 40000);
        for (int i = 0; i < 1_000; i++) {
            log.log(remote, "POST /v1/networks/n" + i, 200, 3);
        }
        log.log(null, "GET /v1/health", 503, 0);
        log.close();
        log.close();
        assertThat(lines).hasSize(1_001);
        log.log(remote, "GET /v1/networks", 200, 1);

        assertThat(lines).hasSize(1_002);
        assertThat(lines.get(0)).isEqualTo("127.0.0.1 POST /v1/networks/n0 200 3ms");
        assertThat(lines).contains("127.0.0.1 POST /v1/networks/n999 200 3ms", "- GET /v1/health 503 0ms");
        assertThat(lines.get(1_001)).isEqualTo("127.0.0.1 GET /v1/networks 200 1ms");
    }

    @Test
    @DisplayName("below INFO nothing is logged and no thread is started")
    void off() {
        RequestLog log = recording(false);
        assertThat(log.enabled()).isFalse();
        log.log(new InetSocketAddress("127.0.0.1", 40000), "GET /v1/health", 200, 0);
        log.close();
        assertThat(lines).isEmpty();
    }
}
