package net.allocator.consul;

import net.allocator.core.testkit.ChangeRecorder;

/**
 * A {@link ChangeRecorder} of every key, kept only for ConsulFailureTest, which is being
 * reworked on another branch: once it uses {@link ChangeRecorder}, this goes.
 */
class Recorder extends ChangeRecorder {
    Recorder() {
        super("");
    }
}
