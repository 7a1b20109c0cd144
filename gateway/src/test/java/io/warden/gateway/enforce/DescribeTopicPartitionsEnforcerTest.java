package io.warden.gateway.enforce;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Listing all topics page by page when whole pages hold only topics the client may not describe. */
class DescribeTopicPartitionsEnforcerTest {

    private static final short VERSION = 0;
    private final Access bob = PolicyAccess.of("""
            acls:
              - principal: User:bob
                operations: [describe]
                topics: {prefix: orders.}
            """, "User:bob", "127.0.0.1", id -> Optional.empty());
    private final DescribeTopicPartitionsEnforcer enforcer = new DescribeTopicPartitionsEnforcer();

    @Test
    void aPageOfHiddenTopicsGetsACursorThatGoesOnWithoutNamingThem() throws Exception {
        DescribeTopicPartitionsRequestData first = allTopics(null);
        DescribeTopicPartitionsResponseData page = new DescribeTopicPartitionsResponseData()
                .setTopics(new DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopicCollection(List.of(
                        topic("a-secret", 0)).iterator()))
                .setNextCursor(new DescribeTopicPartitionsResponseData.Cursor().setTopicName("b-secret").setPartitionIndex(3));
        edit(enforcer.enforce(bob, VERSION, first), page);

        assertThat(page.topics()).isEmpty();
        DescribeTopicPartitionsResponseData.Cursor next = page.nextCursor();
        assertThat(next).as("the listing goes on").isNotNull();
        assertThat(next.topicName()).doesNotContain("secret").startsWith("~");
        assertThat(next.partitionIndex()).isZero();

        // Handed back, it goes on from where the broker stopped.
        Verdict second = enforcer.enforce(bob, VERSION, allTopics(new DescribeTopicPartitionsRequestData.Cursor()
                .setTopicName(next.topicName()).setPartitionIndex(next.partitionIndex())));
        assertThat(second).isInstanceOf(Verdict.Forward.class);
        DescribeTopicPartitionsRequestData forwarded = (DescribeTopicPartitionsRequestData) ((Verdict.Forward) second).request();
        assertThat(forwarded.cursor().topicName()).isEqualTo("b-secret");
        assertThat(forwarded.cursor().partitionIndex()).isEqualTo(3);
        DescribeTopicPartitionsResponseData nextPage = new DescribeTopicPartitionsResponseData()
                .setTopics(new DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopicCollection(List.of(
                        topic("b-secret", 3), topic("orders.eu", 0)).iterator()));
        edit(second, nextPage);
        assertThat(nextPage.topics()).extracting(DescribeTopicPartitionsResponseTopic::name).containsExactly("orders.eu");
    }

    @Test
    void aCursorThisGatewayDidNotSealIsAnInvalidRequest() {
        Verdict verdict = enforcer.enforce(bob, VERSION, allTopics(new DescribeTopicPartitionsRequestData.Cursor()
                .setTopicName("~" + "A".repeat(60)).setPartitionIndex(0)));
        assertThat(verdict).isInstanceOf(Verdict.Respond.class);
        assertThat(((DescribeTopicPartitionsResponseData) ((Verdict.Respond) verdict).response()).topics()).isEmpty();
        assertThat(SealedCursor.open("~not base64!")).isEmpty();
    }

    private static DescribeTopicPartitionsRequestData allTopics(DescribeTopicPartitionsRequestData.Cursor cursor) {
        return new DescribeTopicPartitionsRequestData().setTopics(List.of()).setResponsePartitionLimit(1).setCursor(cursor);
    }

    private static void edit(Verdict verdict, DescribeTopicPartitionsResponseData response) throws Exception {
        assertThat(verdict).isInstanceOf(Verdict.Forward.class);
        ((Verdict.Forward) verdict).edit().edit(response);
    }

    private static DescribeTopicPartitionsResponseTopic topic(String name, int partition) {
        DescribeTopicPartitionsResponseTopic topic = new DescribeTopicPartitionsResponseTopic().setName(name)
                .setTopicId(Uuid.randomUuid()).setErrorCode(Errors.NONE.code());
        topic.partitions().add(new DescribeTopicPartitionsResponsePartition().setPartitionIndex(partition));
        return topic;
    }
}
