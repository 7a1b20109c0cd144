package io.warden.gateway.it;

import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerTokenCallback;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Kafka client login handler that hands the OAUTHBEARER login module whatever token the test set, as an identity
 * provider would. The gateway validates the token; the client only carries it.
 */
public final class StaticTokenLoginHandler implements AuthenticateCallbackHandler {

    static volatile String token;

    @Override
    public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
    }

    @Override
    public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
        for (Callback callback : callbacks) {
            if (!(callback instanceof OAuthBearerTokenCallback tokenCallback)) {
                throw new UnsupportedCallbackException(callback);
            }
            String value = token;
            long now = System.currentTimeMillis();
            tokenCallback.token(new OAuthBearerToken() {
                @Override
                public String value() {
                    return value;
                }

                @Override
                public Set<String> scope() {
                    return Set.of();
                }

                @Override
                public long lifetimeMs() {
                    return now + 3_600_000;
                }

                @Override
                public String principalName() {
                    return "token-holder";
                }

                @Override
                public Long startTimeMs() {
                    return now;
                }
            });
        }
    }

    @Override
    public void close() {
    }
}
