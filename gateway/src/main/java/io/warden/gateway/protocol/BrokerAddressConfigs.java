package io.warden.gateway.protocol;

import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Broker configs that would tell a client where the brokers really are (listeners, advertised.listeners, the
 * controller quorum, any *.bootstrap.servers, or any value holding a host:port) are hidden in DescribeConfigs
 * responses the way Kafka hides a password: value null, marked sensitive, and the same for their synonyms. They
 * are hidden rather than rewritten because most of them (controller listeners, remote storage clients) have no
 * gateway address to stand for them. Stateless.
 */
public final class BrokerAddressConfigs {

    private static final Set<String> ADDRESS_CONFIGS = Set.of("listeners", "advertised.listeners",
            "controller.quorum.voters", "controller.quorum.bootstrap.servers");
    /** host:port, host possibly an [IPv6] literal, as in listener lists, voter lists and bootstrap server lists. */
    private static final Pattern HOST_PORT = Pattern.compile("[\\w.\\-\\]]:\\d{1,5}\\b");

    private BrokerAddressConfigs() {
    }

    /** Hides every address-bearing config of the BROKER results; true when anything was hidden. */
    public static boolean hide(DescribeConfigsResponseData response) {
        boolean hidden = false;
        for (DescribeConfigsResult result : response.results()) {
            if (result.resourceType() != ConfigResource.Type.BROKER.id()) {
                continue;
            }
            for (DescribeConfigsResourceResult config : result.configs()) {
                if (carriesAddress(config)) {
                    config.setValue(null).setIsSensitive(true);
                    config.synonyms().forEach(s -> s.setValue(null));
                    hidden = true;
                }
            }
        }
        return hidden;
    }

    private static boolean carriesAddress(DescribeConfigsResourceResult config) {
        String name = config.name();
        if (ADDRESS_CONFIGS.contains(name) || name.endsWith(".bootstrap.servers") || name.endsWith(".listeners")
                || mayBeAddress(config.value())) {
            return true;
        }
        for (DescribeConfigsSynonym synonym : config.synonyms()) {
            if (mayBeAddress(synonym.value())) {
                return true;
            }
        }
        return false;
    }

    private static boolean mayBeAddress(String value) {
        return value != null && HOST_PORT.matcher(value).find();
    }
}
