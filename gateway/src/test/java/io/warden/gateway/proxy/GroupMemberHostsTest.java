package io.warden.gateway.proxy;

import io.warden.gateway.enforce.Verdict;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import java.util.Collection;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which members' hosts are learned and forgotten, how many are held, and what a described group shows. */
class GroupMemberHostsTest {

    private final GroupMemberHosts hosts = new GroupMemberHosts(3);

    @Test
    void aMemberJoinedThroughTheGatewayIsDescribedWithItsClientsHostAndAnyOtherAsTheBrokerSaysIt() {
        answer(ApiKeys.JOIN_GROUP, new JoinGroupRequestData().setGroupId("billing"), "/10.0.0.7",
                new JoinGroupResponseData().setMemberId("m-1"));
        answer(ApiKeys.JOIN_GROUP, new JoinGroupRequestData().setGroupId("billing"), "/10.0.0.8",
                new JoinGroupResponseData().setErrorCode(Errors.MEMBER_ID_REQUIRED.code()).setMemberId("m-2"));

        DescribeGroupsResponseData described = new DescribeGroupsResponseData().setGroups(List.of(
                new DescribeGroupsResponseData.DescribedGroup().setGroupId("billing").setMembers(List.of(
                        classicMember("m-1"), classicMember("m-2"), classicMember("m-3"))),
                new DescribeGroupsResponseData.DescribedGroup().setGroupId("other").setMembers(List.of(classicMember("m-1")))));
        answer(ApiKeys.DESCRIBE_GROUPS, null, "/10.0.0.9", described);

        assertThat(described.groups().get(0).members()).extracting(DescribeGroupsResponseData.DescribedGroupMember::clientHost)
                .containsExactly("/10.0.0.7", "/192.0.2.1", "/192.0.2.1");
        assertThat(described.groups().get(1).members().get(0).clientHost()).isEqualTo("/192.0.2.1");
    }

    @Test
    void aKip848MemberIsLearnedFromItsHeartbeatsAnswerAndForgottenWhenItLeaves() {
        String memberId = Uuid.randomUuid().toString();
        answer(ApiKeys.CONSUMER_GROUP_HEARTBEAT, heartbeat(memberId, 0), "/10.0.0.7",
                new ConsumerGroupHeartbeatResponseData().setMemberId(memberId).setMemberEpoch(1));
        assertThat(describedHost(memberId)).isEqualTo("/10.0.0.7");

        assertThat(GroupMemberHostEdits.forRequest(hosts, ApiKeys.CONSUMER_GROUP_HEARTBEAT, heartbeat(memberId, -1), "/10.0.0.7"))
                .isNull();
        assertThat(describedHost(memberId)).isEqualTo("/192.0.2.1");
    }

    @Test
    void aClassicMemberIsForgottenWhenItLeaves() {
        hosts.record("billing", "m-1", "/10.0.0.7");
        hosts.record("billing", "m-2", "/10.0.0.8");
        hosts.record("billing", "m-3", "/10.0.0.9");
        GroupMemberHostEdits.forRequest(hosts, ApiKeys.LEAVE_GROUP, new LeaveGroupRequestData().setGroupId("billing").setMemberId("m-1"), null);
        GroupMemberHostEdits.forRequest(hosts, ApiKeys.LEAVE_GROUP, new LeaveGroupRequestData().setGroupId("billing").setMembers(List.of(
                new LeaveGroupRequestData.MemberIdentity().setMemberId("m-2"))), null);
        assertThat(hosts.hostOf("billing", "m-1")).isNull();
        assertThat(hosts.hostOf("billing", "m-2")).isNull();
        assertThat(hosts.hostOf("billing", "m-3")).isEqualTo("/10.0.0.9");
    }

    @Test
    void pastItsSizeTheMemberRecordedLongestAgoIsForgotten() {
        hosts.record("g", "a", "/10.0.0.1");
        hosts.record("g", "b", "/10.0.0.2");
        hosts.record("g", "c", "/10.0.0.3");
        hosts.record("g", "a", "/10.0.0.1"); // a rejoins: b is now the oldest
        hosts.record("g", "d", "/10.0.0.4");
        assertThat(hosts.size()).isEqualTo(3);
        assertThat(hosts.hostOf("g", "b")).isNull();
        assertThat(List.of("a", "c", "d")).allMatch(m -> hosts.hostOf("g", m) != null);
    }

    @Test
    void aMemberWithAnOverlongKeyIsNotRecorded() {
        hosts.record("g", "m".repeat(GroupMemberHosts.MAX_KEY_CHARS), "/10.0.0.1");
        hosts.record("g", "m".repeat(GroupMemberHosts.MAX_KEY_CHARS - 1), "/10.0.0.1");
        assertThat(hosts.size()).isEqualTo(1);
    }

    @Test
    void theSizeFollowsTheConnectionLimitWithinItsMaximum() {
        GroupMemberHosts few = GroupMemberHosts.forConnections(1);
        few.record("g", "a", "/10.0.0.1");
        few.record("g", "b", "/10.0.0.2");
        few.record("g", "c", "/10.0.0.3");
        assertThat(few.size()).isEqualTo(2);
        GroupMemberHosts.forConnections(Integer.MAX_VALUE); // no overflow: held at MAX_MEMBERS
    }

    @Test
    void aChainedEditRunsBothAndNamesTheTopicIdsOfBoth() {
        Uuid first = Uuid.randomUuid();
        Uuid second = Uuid.randomUuid();
        StringBuilder ran = new StringBuilder();
        Verdict.ResponseEdit chained = Verdict.ResponseEdit.chain(idsEdit(first, ran, "1"), idsEdit(second, ran, "2"));
        chained.edit(new JoinGroupResponseData());
        assertThat(ran).hasToString("12");
        assertThat(chained.topicIds(new JoinGroupResponseData())).containsExactly(first, second);
        Verdict.ResponseEdit only = idsEdit(first, ran, "1");
        assertThat(Verdict.ResponseEdit.chain(null, only)).isSameAs(only);
        assertThat(Verdict.ResponseEdit.chain(only, null)).isSameAs(only);
    }

    private static Verdict.ResponseEdit idsEdit(Uuid id, StringBuilder ran, String name) {
        return new Verdict.ResponseEdit() {
            @Override
            public void edit(ApiMessage response) {
                ran.append(name);
            }

            @Override
            public Collection<Uuid> topicIds(ApiMessage response) {
                return List.of(id);
            }
        };
    }

    private void answer(ApiKeys api, ApiMessage request, String clientHost, ApiMessage response) {
        GroupMemberHostEdits.forRequest(hosts, api, request, clientHost).edit(response);
    }

    private String describedHost(String memberId) {
        ConsumerGroupDescribeResponseData described = new ConsumerGroupDescribeResponseData().setGroups(List.of(
                new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId("billing").setMembers(List.of(
                        new ConsumerGroupDescribeResponseData.Member().setMemberId(memberId).setClientHost("/192.0.2.1")))));
        answer(ApiKeys.CONSUMER_GROUP_DESCRIBE, null, "/10.0.0.9", described);
        return described.groups().get(0).members().get(0).clientHost();
    }

    private static ConsumerGroupHeartbeatRequestData heartbeat(String memberId, int epoch) {
        return new ConsumerGroupHeartbeatRequestData().setGroupId("billing").setMemberId(memberId).setMemberEpoch(epoch);
    }

    private static DescribeGroupsResponseData.DescribedGroupMember classicMember(String memberId) {
        return new DescribeGroupsResponseData.DescribedGroupMember().setMemberId(memberId).setClientHost("/192.0.2.1");
    }
}
