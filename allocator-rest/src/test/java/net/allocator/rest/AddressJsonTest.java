package net.allocator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.StringWriter;
import java.net.InetAddress;
import net.allocator.core.IpAddresses;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Addresses written straight to JSON read as {@link IpAddresses#format} shows them. */
class AddressJsonTest {

    @Test
    @DisplayName("IPv4 (written from its bytes) and IPv6 addresses come out as IpAddresses.format shows them")
    void sameAsFormat() throws Exception {
        for (String text : new String[] {"0.0.0.0", "255.255.255.255", "10.0.0.1", "10.1.0.254", "192.168.100.9",
                "1.20.199.200", "::", "2001:db8::1", "::ffff:10.0.0.1", "fe80::1:0:0:0"}) {
            InetAddress address = IpAddresses.parse(text, "address");
            StringWriter out = new StringWriter();
            try (JsonGenerator json = RestServer.mapper().createGenerator(out)) {
                AllocatorApi.writeAddress(json, address);
            }
            assertThat(out.toString()).as(text).isEqualTo("\"" + IpAddresses.format(address) + "\"");
        }
    }
}
