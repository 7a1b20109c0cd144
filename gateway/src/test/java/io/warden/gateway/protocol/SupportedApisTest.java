package io.warden.gateway.protocol;

import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SupportedApisTest {

    @Test
    void intersectionDropsUnknownAndUnsupportedKeysAndClampsRanges() {
        ApiVersionsResponseData broker = new ApiVersionsResponseData();
        broker.apiKeys().add(new ApiVersion().setApiKey(ApiKeys.PRODUCE.id).setMinVersion((short) 0).setMaxVersion((short) 99));
        broker.apiKeys().add(new ApiVersion().setApiKey(ApiKeys.FETCH.id).setMinVersion((short) 4).setMaxVersion((short) 5));
        broker.apiKeys().add(new ApiVersion().setApiKey(ApiKeys.SASL_HANDSHAKE.id).setMinVersion((short) 0).setMaxVersion((short) 1));
        broker.apiKeys().add(new ApiVersion().setApiKey((short) 32000).setMinVersion((short) 0).setMaxVersion((short) 1));
        broker.apiKeys().add(new ApiVersion().setApiKey(ApiKeys.METADATA.id).setMinVersion((short) 90).setMaxVersion((short) 99));

        SupportedApis.intersect(broker);

        assertThat(broker.apiKeys()).hasSize(2);
        ApiVersion produce = broker.apiKeys().find(ApiKeys.PRODUCE.id);
        assertThat(produce.minVersion()).isEqualTo(ApiKeys.PRODUCE.oldestVersion());
        assertThat(produce.maxVersion()).isEqualTo(ApiKeys.PRODUCE.latestVersion(false));
        ApiVersion fetch = broker.apiKeys().find(ApiKeys.FETCH.id);
        assertThat(fetch.minVersion()).isEqualTo((short) 4);
        assertThat(fetch.maxVersion()).isEqualTo((short) 5);
    }

    @Test
    void unsupportedApiVersionsAnswerNamesTheRangeWeSupport() {
        ApiVersionsResponseData r = SupportedApis.unsupportedApiVersionsResponse();
        assertThat(r.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(r.apiKeys()).singleElement().satisfies(v -> {
            assertThat(v.apiKey()).isEqualTo(ApiKeys.API_VERSIONS.id);
            assertThat(v.maxVersion()).isEqualTo(ApiKeys.API_VERSIONS.latestVersion(false));
        });
    }

    @Test
    void failsClosedForInterBrokerAndAdministrativeApisNotYetEnforced() {
        assertThat(SupportedApis.isSupported(ApiKeys.PRODUCE, ApiKeys.PRODUCE.latestVersion(false))).isTrue();
        assertThat(SupportedApis.isSupported(ApiKeys.PRODUCE, (short) (ApiKeys.PRODUCE.latestVersion(true) + 1))).isFalse();
        assertThat(SupportedApis.isSupported(ApiKeys.CREATE_ACLS)).isFalse();
        assertThat(SupportedApis.isSupported(ApiKeys.SASL_AUTHENTICATE)).isFalse();
        assertThat(SupportedApis.isSupported(ApiKeys.ALTER_PARTITION)).isFalse();
        assertThat(SupportedApis.isSupported(ApiKeys.SHARE_FETCH)).isFalse();
    }
}
