package io.warden.gateway.protocol;

import io.warden.gateway.config.HostPort;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.protocol.types.RawTaggedField;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Rewrites the KIP-951 node endpoints of a Fetch (v16+) response whose beginning has already been forwarded.
 *
 * <p>Large Fetch responses are forwarded as their bytes arrive, so the size prefix is sent before the gateway can
 * see the node endpoints, which sit in the top-level tagged fields at the very end. The re-encoded body must
 * therefore keep its original size: the endpoints are rewritten to gateway addresses and the difference is made up
 * by a padding tagged field that clients skip as unknown. If the gateway addresses do not fit, the endpoints are
 * dropped instead (clients then refresh metadata, as before KIP-951) — a broker address is never forwarded.
 */
public final class FetchTail {

    /** A tag far beyond any Kafka assigns, so that no client reads the padding as a field. */
    static final int PADDING_TAG = Integer.MAX_VALUE - 1;

    private FetchTail() {
    }

    /**
     * Re-encodes {@code body} with gateway addresses at exactly {@code originalSize} bytes.
     *
     * @throws IllegalStateException if no same-size encoding exists (never for a body that carried endpoints)
     */
    public static ByteBuffer rewriteAtSize(FetchResponseData body, short version, int originalSize, IntFunction<HostPort> gatewayAddress) {
        BrokerAddresses.replace(body, gatewayAddress);
        if (padTo(body, version, originalSize)) {
            return KafkaFrames.serialize(body, version);
        }
        body.setNodeEndpoints(new FetchResponseData.NodeEndpointCollection());
        if (padTo(body, version, originalSize)) {
            return KafkaFrames.serialize(body, version);
        }
        throw new IllegalStateException("a Fetch v" + version + " response cannot be re-encoded at its original size " + originalSize);
    }

    /** Adds (or resizes) the padding field until the encoded size is {@code target}; false if already too large. */
    private static boolean padTo(FetchResponseData body, short version, int target) {
        List<RawTaggedField> unknown = body.unknownTaggedFields();
        unknown.removeIf(f -> f.tag() == PADDING_TAG);
        int size = size(body, version);
        if (size == target) {
            return true;
        }
        if (size > target) {
            return false;
        }
        // The padding costs its tag, its length and perhaps a longer field count: converge in a few steps.
        int padding = Math.max(0, target - size - 8);
        for (int attempt = 0; attempt < 8; attempt++) {
            RawTaggedField field = new RawTaggedField(PADDING_TAG, new byte[padding]);
            unknown.add(field);
            int padded = size(body, version);
            if (padded == target) {
                return true;
            }
            unknown.remove(field);
            padding += target - padded;
            if (padding < 0) {
                return false;
            }
        }
        return false;
    }

    private static int size(FetchResponseData body, short version) {
        return body.size(new ObjectSerializationCache(), version);
    }
}
