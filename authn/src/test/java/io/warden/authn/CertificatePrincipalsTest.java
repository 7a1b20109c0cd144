package io.warden.authn;

import org.junit.jupiter.api.Test;

import javax.security.auth.x500.X500Principal;
import java.security.cert.X509Certificate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Kafka's mapping-rule semantics (the examples of Kafka's documentation for ssl.principal.mapping.rules). */
class CertificatePrincipalsTest {

    /** A certificate that only knows its subject: all the mapping reads. */
    private static X509Certificate withSubject(String dn) {
        return new FakeSubjectCertificate(new X500Principal(dn));
    }

    @Test
    void defaultIsUserAndTheWholeSubject() {
        assertThat(CertificatePrincipals.defaults().principalOf(withSubject("CN=alice,OU=payments,O=Example")))
                .isEqualTo("User:CN=alice,OU=payments,O=Example");
    }

    @Test
    void rulesAreTriedInOrderWithCaseConversionAndDefaultLast() {
        CertificatePrincipals p = CertificatePrincipals.fromRules(
                "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,RULE:^CN=(.*?),OU=(.*?),O=(.*?)$/$1@$2/L,RULE:^CN=(.*?),OU=(.*?)$/$1/U,DEFAULT");
        assertThat(p.principalOf(withSubject("CN=kafka-ui,OU=ServiceUsers,O=Example"))).isEqualTo("User:kafka-ui");
        assertThat(p.principalOf(withSubject("CN=Alice,OU=Payments,O=Example"))).isEqualTo("User:alice@payments");
        assertThat(p.principalOf(withSubject("CN=bob,OU=team"))).isEqualTo("User:BOB");
        assertThat(p.principalOf(withSubject("CN=carol"))).isEqualTo("User:CN=carol");
        // Patterns are case-sensitive, as in Kafka: a lower-case rule does not match an upper-case DN.
        assertThat(CertificatePrincipals.fromRules("RULE:^cn=(.*?)$/$1/,DEFAULT").principalOf(withSubject("CN=erin")))
                .isEqualTo("User:CN=erin");
    }

    @Test
    void noMatchingRuleAndBadRulesAreErrors() {
        CertificatePrincipals onlyServices = CertificatePrincipals.fromRules("RULE:^CN=(.*?),OU=ServiceUsers$/$1/");
        assertThatThrownBy(() -> onlyServices.principalOf(withSubject("CN=dave,OU=Humans")))
                .hasMessage("no principal mapping rule matches 'CN=dave,OU=Humans'");
        assertThatThrownBy(() -> CertificatePrincipals.fromRules("RULE:not a rule"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CertificatePrincipals.fromRules(" ")).hasMessageContaining("use DEFAULT");
    }

}
