package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsResponse;
import org.apache.kafka.common.resource.ResourceType;

import java.util.List;

/**
 * DeleteRecords (KafkaApis.handleDeleteRecordsRequest): DELETE on each topic; the partitions of a topic without it
 * get TOPIC_AUTHORIZATION_FAILED and an invalid low watermark, the others go to the broker.
 */
final class DeleteRecordsEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        DeleteRecordsRequestData request = (DeleteRecordsRequestData) message;
        List<DeleteRecordsTopic> denied = null;
        for (DeleteRecordsTopic topic : request.topics()) {
            if (!access.allowed(AclOperation.DELETE, ResourceType.TOPIC, topic.name())) {
                denied = Parts.add(denied, topic);
            }
        }
        if (denied == null) {
            return Verdict.FORWARD;
        }
        Parts.removeAll(request.topics(), denied);
        List<DeleteRecordsTopic> refused = denied;
        if (request.topics().isEmpty()) {
            DeleteRecordsResponseData response = new DeleteRecordsResponseData();
            refused.forEach(topic -> response.topics().add(denied(topic)));
            return new Verdict.Respond(response);
        }
        return new Verdict.Forward(request, edit -> refused.forEach(topic -> ((DeleteRecordsResponseData) edit).topics().add(denied(topic))));
    }

    private static DeleteRecordsTopicResult denied(DeleteRecordsTopic topic) {
        DeleteRecordsTopicResult out = new DeleteRecordsTopicResult().setName(topic.name());
        topic.partitions().forEach(p -> out.partitions().add(new DeleteRecordsPartitionResult()
                .setPartitionIndex(p.partitionIndex()).setLowWatermark(DeleteRecordsResponse.INVALID_LOW_WATERMARK)
                .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())));
        return out;
    }
}
