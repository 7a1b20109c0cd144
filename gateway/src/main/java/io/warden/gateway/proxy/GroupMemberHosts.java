package io.warden.gateway.proxy;

import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The client address of each group member that joined through this gateway, by group id and member id. The broker
 * records as a member's host the address of the connection it joined on, which behind the gateway is the gateway's
 * own; what is held here is put back in its place when groups are described ({@link GroupMemberHostEdits}).
 *
 * <p>Bounded: at most {@code maxMembers} members; past that, the one recorded or refreshed longest ago is forgotten
 * for each new one (it is then described with the broker's host again). A member's key of more than
 * {@link #MAX_KEY_CHARS} characters is not recorded, so that the bound holds in bytes too. Shared by every connection
 * and event loop of the gateway: thread-safe, each call holding the lock for one map operation.
 */
final class GroupMemberHosts {

    /**
     * The longest group id and member id, together, that is recorded. A classic member id is the client id, a dash
     * and a UUID: with ordinary group and client ids it is far shorter.
     */
    static final int MAX_KEY_CHARS = 512;

    /** The most members held however many connections the gateway admits. */
    static final int MAX_MEMBERS = 200_000;

    /**
     * Room for two members per connection the gateway admits (a consumer's coordinator connection is one of several it
     * opens, so live members take at most half of that), the rest for members gone without leaving; at most
     * {@link #MAX_MEMBERS}. With the default 10,000 connections, 20,000 members: a few MB, at most about 30 MB.
     */
    static GroupMemberHosts forConnections(int maxConnections) {
        return new GroupMemberHosts((int) Math.min(2L * maxConnections, MAX_MEMBERS));
    }

    private record Member(String groupId, String memberId) {
    }

    private final int maxMembers;
    /** In the order recorded, a refreshed member moved to the end: the first is the one to forget. */
    private final LinkedHashMap<Member, String> hosts = new LinkedHashMap<>();

    GroupMemberHosts(int maxMembers) {
        if (maxMembers < 1) {
            throw new IllegalArgumentException("maxMembers must be positive: " + maxMembers);
        }
        this.maxMembers = maxMembers;
    }

    /** Records (or refreshes) the host of a member, in Kafka's form ("/" and the IP address). */
    void record(String groupId, String memberId, String host) {
        if (groupId == null || memberId == null || memberId.isEmpty()
                || groupId.length() + memberId.length() > MAX_KEY_CHARS) {
            return;
        }
        Member member = new Member(groupId, memberId);
        synchronized (hosts) {
            hosts.remove(member);
            hosts.put(member, host);
            Iterator<Member> oldest = hosts.keySet().iterator();
            while (hosts.size() > maxMembers) {
                oldest.next();
                oldest.remove();
            }
        }
    }

    /** Forgets a member that left its group. */
    void forget(String groupId, String memberId) {
        if (groupId == null || memberId == null) {
            return;
        }
        synchronized (hosts) {
            hosts.remove(new Member(groupId, memberId));
        }
    }

    /** The recorded host of a member, or null when it did not join through this gateway (or was forgotten). */
    String hostOf(String groupId, String memberId) {
        if (groupId == null || memberId == null) {
            return null;
        }
        synchronized (hosts) {
            return hosts.get(new Member(groupId, memberId));
        }
    }

    int size() {
        synchronized (hosts) {
            return hosts.size();
        }
    }
}
