package net.allocator.etcd;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import net.allocator.core.testkit.ChangeRecorder;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The older reading API over {@link ChangeRecorder}, kept only for EtcdOutageTest, which is
 * being reworked on another branch: once it uses {@link ChangeRecorder#awaitTexts}, this goes.
 */
class Recorder extends ChangeRecorder {
    private int taken;

    Recorder(String prefix) {
        super(prefix);
    }

    /** The next {@code count} changes as text, waiting up to {@code patience}; fewer if they do not come. */
    List<String> next(int count, Duration patience) {
        try {
            await().atMost(patience).until(() -> texts().size() >= taken + count);
        } catch (ConditionTimeoutException e) {
            // fewer came: the caller's assertion says what was expected
        }
        List<String> all = texts();
        List<String> next = all.subList(taken, Math.min(all.size(), taken + count));
        taken += next.size();
        return next;
    }
}
