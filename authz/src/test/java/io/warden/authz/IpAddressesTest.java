package io.warden.authz;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressesTest {

    @Test
    void parsesIpv4() {
        assertThat(IpAddresses.parseV4("0.0.0.0")).isZero();
        assertThat(IpAddresses.parseV4("255.255.255.255")).isEqualTo(0xFFFF_FFFFL);
        assertThat(IpAddresses.parseV4("10.1.2.3")).isEqualTo(0x0A01_0203L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "1.2.3", "1.2.3.4.5", "1.2.3.4.", ".1.2.3", "256.1.1.1", "1.2.3.1000",
        "1..2.3", "a.b.c.d", "1.2.3.4 ", "::1", "1.2.3.-4"})
    void refusesNonIpv4(String text) {
        assertThat(IpAddresses.parseV4(text)).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"::", "::1", "1::", "1:2:3:4:5:6:7:8", "1::8", "1:2:3:4:5:6::8", "1::3:4:5:6:7:8",
        "FFFF:ffff::", "::ffff:10.0.0.1", "64:ff9b::192.0.2.33", "1:2:3:4:5:6:1.2.3.4", "fe80::1%eth0",
        "fe80::1%1", "0000:0000:0000:0000:0000:0000:0000:0001"})
    void acceptsIpv6(String text) {
        assertThat(IpAddresses.v6InNetwork(text, 0, 0, 0, 0)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", ":::", "1", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::", "1::2:",
        "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "12345::", "g::", "1.2.3.4", "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4",
        "::1.2.3.4:5", "1:2", "%eth0", "1::2 "})
    void refusesNonIpv6(String text) {
        assertThat(IpAddresses.v6InNetwork(text, 0, 0, 0, 0)).isFalse();
    }

    /** Random addresses in full, compressed and upper-case forms against random networks, checked with BigInteger. */
    @Test
    void ipv6NetworkMembershipAgreesWithInetAddress() throws UnknownHostException {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            for (int g = 0; g < 8; g++) {
                if (random.nextInt(3) == 0) {
                    bytes[2 * g] = 0;
                    bytes[2 * g + 1] = 0;
                }
            }
            String full = Inet6Address.getByAddress(null, bytes, null).getHostAddress();
            byte[] network = bytes.clone();
            if (random.nextBoolean()) {
                network[random.nextInt(16)] ^= (byte) (1 << random.nextInt(8));
            }
            int prefix = random.nextInt(129);
            long maskHi = prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
            long maskLo = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
            long netHi = new BigInteger(1, network).shiftRight(64).longValue() & maskHi;
            long netLo = new BigInteger(1, network).longValue() & maskLo;
            boolean expected = sameBits(bytes, network, prefix);
            for (String form : new String[] {full, compress(full), compress(full).toUpperCase(Locale.ROOT)}) {
                assertThat(InetAddress.getByName(form).getAddress()).as(form).isEqualTo(bytes);
                assertThat(IpAddresses.v6InNetwork(form, netHi, netLo, maskHi, maskLo))
                    .as("%s in %s/%d", form, Inet6Address.getByAddress(null, network, null).getHostAddress(), prefix)
                    .isEqualTo(expected);
            }
        }
    }

    private static boolean sameBits(byte[] a, byte[] b, int prefix) {
        BigInteger x = new BigInteger(1, a).shiftRight(128 - prefix);
        BigInteger y = new BigInteger(1, b).shiftRight(128 - prefix);
        return x.equals(y);
    }

    /** The longest run of two or more zero groups written as "::". */
    private static String compress(String full) {
        String[] groups = full.split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; ) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail;
    }
}
