package io.warden.gateway.proxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The topics the gateway has asked a broker to auto-create ({@link AutoTopicCreation}) and not yet long enough ago to
 * ask again, so that a topic is asked for once, not once per client request that finds it missing: a client polling
 * metadata for it, or many clients at once, would otherwise each cost the broker a connection and a login.
 * A topic is not asked for again while its request is out, nor for {@link #QUIET} after the broker answered it (or
 * the request failed). Kafka's broker keeps such an in-flight set too, for its own requests to the controller, but
 * only after the connection and the login this spares.
 * <p>
 * The broker answers as soon as it has passed the creation on to the controller, before the topic exists; the topic
 * is usually there within a few hundred milliseconds. One second covers that, and is also the longest a Java client
 * waits between two metadata requests by default ({@code retry.backoff.max.ms}), so a client still waiting gets the
 * topic asked for again about once per poll at most; against a broker that never creates it
 * ({@code auto.create.topics.enable=false}, before the gateway has read that setting) that is one request per second
 * per topic for the whole gateway.
 * <p>
 * At most {@code capacity} topics are remembered: beyond them, a topic is not asked for now (the client's answer says
 * it is missing, and the client asks again), so that a client naming ever new topics cannot grow this without limit.
 * Thread-safe: the listeners' event loops share one.
 */
final class RecentAutoCreations {

    /** How long after its answer a topic is not asked for again. */
    static final Duration QUIET = Duration.ofSeconds(1);
    /** Topics remembered at most, in flight or quiet. */
    static final int CAPACITY = 10_000;

    private final long quietNanos;
    private final int capacity;
    private final Set<String> inFlight = new HashSet<>();
    /** Answered topics by the time (System.nanoTime) they may be asked for again; oldest first. */
    private final LinkedHashMap<String, Long> quietUntil = new LinkedHashMap<>();

    RecentAutoCreations() {
        this(QUIET, CAPACITY);
    }

    RecentAutoCreations(Duration quiet, int capacity) {
        this.quietNanos = quiet.toNanos();
        this.capacity = capacity;
    }

    /** Of {@code topics}, those to ask for now; they count as in flight until {@link #answered}. */
    synchronized List<String> claim(Collection<String> topics) {
        return claim(topics, System.nanoTime());
    }

    synchronized List<String> claim(Collection<String> topics, long now) {
        forgetQuietBefore(now);
        List<String> claimed = new ArrayList<>(topics.size());
        for (String topic : topics) {
            if (inFlight.contains(topic) || quietUntil.containsKey(topic)
                    || inFlight.size() + quietUntil.size() >= capacity) {
                continue;
            }
            inFlight.add(topic);
            claimed.add(topic);
        }
        return claimed;
    }

    /** The request for these claimed topics has been answered, or has failed: they stay quiet for a while. */
    synchronized void answered(Collection<String> topics) {
        answered(topics, System.nanoTime());
    }

    synchronized void answered(Collection<String> topics, long now) {
        for (String topic : topics) {
            if (inFlight.remove(topic)) {
                // the clock is read under this lock, so the map stays ordered by deadline
                quietUntil.put(topic, now + quietNanos);
            }
        }
    }

    /** Topics remembered now, in flight or quiet. */
    synchronized int size() {
        return inFlight.size() + quietUntil.size();
    }

    private void forgetQuietBefore(long now) {
        Iterator<Map.Entry<String, Long>> oldestFirst = quietUntil.entrySet().iterator();
        while (oldestFirst.hasNext()) {
            if (now - oldestFirst.next().getValue() < 0) {
                return;
            }
            oldestFirst.remove();
        }
    }
}
