package net.allocator.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ForwardingKeyValueStoreTest {
    @Test
    @DisplayName("every method of the store SPI, default ones included, is forwarded rather than inherited")
    void forwardsEveryMethod() throws NoSuchMethodException {
        List<String> inherited = Arrays.stream(KeyValueStore.class.getMethods())
                .filter(method -> !Modifier.isStatic(method.getModifiers()))
                .filter(method -> !declaredByForwarding(method))
                .map(Method::getName)
                .collect(Collectors.toList());
        assertThat(inherited).as("SPI methods ForwardingKeyValueStore does not forward").isEmpty();
    }

    private static boolean declaredByForwarding(Method method) {
        try {
            ForwardingKeyValueStore.class.getDeclaredMethod(method.getName(), method.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
