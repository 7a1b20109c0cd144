package io.warden.gateway.enforce;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** What the gateway does with a request once it has been checked against the policy. */
public sealed interface Verdict {

    /** Forward the request exactly as the client sent it. */
    Forward FORWARD = new Forward(null, null);

    /**
     * Forward to the broker: the client's bytes when {@code request} is null, else this rewritten request (the
     * parts the principal may not touch removed). {@code edit}, when set, completes the broker's answer, e.g. with
     * the errors for what was removed, or removes what the principal may not see. {@code closeAfter}, when set, is
     * why the connection closes once the request has gone on: an acks=0 Produce has no response to carry the errors
     * of what was removed, so, as Kafka does, the allowed part is appended and the connection closed.
     * {@code upstreamVersion}, when not {@link #CLIENT_VERSION}, is the version the rewritten request goes to the
     * broker at (one the client's version cannot say what is needed in); the broker's answer at that version is
     * edited, then encoded at the client's version. {@code autoCreate}, when not empty, names the topics of a
     * Metadata request the principal may create, where the request goes with auto-creation off because it names
     * others it may not: those the answer shows missing ({@link #missingToCreate}) the gateway has a broker
     * auto-create with a Metadata request of its own naming only them, as the client's request would have had them
     * created.
     */
    record Forward(ApiMessage request, ResponseEdit edit, String closeAfter, short upstreamVersion, List<String> autoCreate)
            implements Verdict {

        /** The request goes to the broker at the version the client sent it at. */
        public static final short CLIENT_VERSION = -1;

        public Forward {
            autoCreate = List.copyOf(autoCreate);
        }

        public Forward(ApiMessage request, ResponseEdit edit) {
            this(request, edit, null);
        }

        public Forward(ApiMessage request, ResponseEdit edit, String closeAfter) {
            this(request, edit, closeAfter, CLIENT_VERSION, List.of());
        }

        /** Of {@link #autoCreate}, the topics this Metadata response answers as missing. */
        public List<String> missingToCreate(ApiMessage response) {
            List<String> missing = new ArrayList<>();
            for (MetadataResponseData.MetadataResponseTopic topic : ((MetadataResponseData) response).topics()) {
                if (topic.errorCode() == Errors.UNKNOWN_TOPIC_OR_PARTITION.code() && autoCreate.contains(topic.name())) {
                    missing.add(topic.name());
                }
            }
            return missing;
        }

        /** The version the broker gets the request at, the client's being {@code clientVersion}. */
        public short upstreamVersion(short clientVersion) {
            return upstreamVersion == CLIENT_VERSION ? clientVersion : upstreamVersion;
        }
    }

    /** Answer the client with this response; nothing reaches a broker. */
    record Respond(ApiMessage response) implements Verdict {
    }

    /**
     * Close the connection (as Kafka does, e.g. for a denied acks=0 Produce, which has no response to carry an error).
     * {@code error} is the one the refusal stands for, which the audit event carries: the authorization error of
     * the resource refused (TOPIC_AUTHORIZATION_FAILED for a topic), CLUSTER_AUTHORIZATION_FAILED for a request only
     * brokers may send.
     */
    record Refuse(String reason, Errors error) implements Verdict {
    }

    /** Changes a decoded broker response in place before it goes to the client. */
    @FunctionalInterface
    interface ResponseEdit {
        void edit(ApiMessage response);

        /**
         * Topic ids of the response that the edit needs named: those the gateway does not know yet are looked up on
         * the cluster before {@link #edit} runs (an id still unknown then is one the cluster does not know).
         */
        default Collection<Uuid> topicIds(ApiMessage response) {
            return List.of();
        }

        /** {@code first}'s edit, then {@code second}'s, naming the topic ids either needs; null when both are. */
        static ResponseEdit chain(ResponseEdit first, ResponseEdit second) {
            if (first == null || second == null) {
                return first == null ? second : first;
            }
            return new ResponseEdit() {
                @Override
                public void edit(ApiMessage response) {
                    first.edit(response);
                    second.edit(response);
                }

                @Override
                public Collection<Uuid> topicIds(ApiMessage response) {
                    Collection<Uuid> firstIds = first.topicIds(response);
                    Collection<Uuid> secondIds = second.topicIds(response);
                    if (secondIds.isEmpty()) {
                        return firstIds;
                    }
                    List<Uuid> ids = new ArrayList<>(firstIds);
                    ids.addAll(secondIds);
                    return ids;
                }
            };
        }
    }
}
