package io.warden.gateway.admin;

import io.warden.authn.store.LocalUserStore;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData.UserName;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.CredentialInfo;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class ScramCredentialsAnswerTest {

    @TempDir
    Path dir;
    LocalUserStore store;

    @BeforeEach
    void users() {
        store = LocalUserStore.loadOrEmpty(dir.resolve("users.txt"));
        store.addUser("alice", "alice-secret".toCharArray(), List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512), 8192);
        store.addUser("bob", "bob-secret".toCharArray(), List.of(ScramMechanism.SCRAM_SHA_512), 4096);
        store = LocalUserStore.load(dir.resolve("users.txt"));
    }

    @Test
    void everyUserWithEachOfItsMechanismsAndIterationsWhenNoneIsNamed() {
        for (List<UserName> none : Arrays.asList(null, List.<UserName>of())) {
            DescribeUserScramCredentialsResponseData answer = ScramCredentialsAnswer.answer(
                    new DescribeUserScramCredentialsRequestData().setUsers(none), store);
            assertThat(answer.errorCode()).isZero();
            assertThat(answer.results()).extracting(DescribeUserScramCredentialsResult::user, DescribeUserScramCredentialsResult::errorCode)
                    .containsExactly(tuple("alice", (short) 0), tuple("bob", (short) 0));
            assertThat(answer.results().get(0).credentialInfos()).extracting(CredentialInfo::mechanism, CredentialInfo::iterations)
                    .containsExactly(tuple((byte) 1, 8192), tuple((byte) 2, 8192)); // SCRAM-SHA-256 is 1, -512 is 2
            assertThat(answer.results().get(1).credentialInfos()).extracting(CredentialInfo::mechanism, CredentialInfo::iterations)
                    .containsExactly(tuple((byte) 2, 4096));
        }
    }

    /** As Kafka: a user without credentials is RESOURCE_NOT_FOUND, a user named twice DUPLICATE_RESOURCE, once. */
    @Test
    void namedUsersAreAnsweredOneByOne() {
        DescribeUserScramCredentialsResponseData answer = ScramCredentialsAnswer.answer(new DescribeUserScramCredentialsRequestData()
                .setUsers(names("bob", "nobody", "alice", "alice")), store);
        assertThat(answer.results()).extracting(DescribeUserScramCredentialsResult::user, r -> Errors.forCode(r.errorCode()))
                .containsExactly(tuple("bob", Errors.NONE), tuple("nobody", Errors.RESOURCE_NOT_FOUND), tuple("alice", Errors.DUPLICATE_RESOURCE));
        assertThat(answer.results().get(1).errorMessage()).isEqualTo("Attempt to describe a user credential that does not exist: nobody");
        assertThat(answer.results().get(2).credentialInfos()).isEmpty();
    }

    @Test
    void aGatewayWithoutUsersHasNone() {
        assertThat(ScramCredentialsAnswer.answer(new DescribeUserScramCredentialsRequestData().setUsers(null), null).results()).isEmpty();
        assertThat(ScramCredentialsAnswer.answer(new DescribeUserScramCredentialsRequestData().setUsers(names("alice")), null).results())
                .extracting(r -> Errors.forCode(r.errorCode())).containsExactly(Errors.RESOURCE_NOT_FOUND);
    }

    private static List<UserName> names(String... names) {
        return Arrays.stream(names).map(n -> new UserName().setName(n)).toList();
    }
}
