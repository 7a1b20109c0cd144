package io.warden.audit;

import java.util.Locale;

/**
 * What happened, in the gateway's own terms; the OCSF class and activity follow from it (see {@link OcsfEncoder}),
 * and {@code warden audit query --type} filters on its lower-case name.
 */
public enum AuditEventType {
    PRODUCE,
    CONSUME,
    AUTHENTICATION_SUCCESS,
    AUTHENTICATION_FAILURE,
    AUTHORIZATION_DENIED,
    CONNECTION_OPEN,
    CONNECTION_CLOSE,
    POLICY_CHANGE,
    ADMIN_ACTION;

    /** Computed once: every event written asks for it. */
    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** The name written into events and accepted on the command line: {@code produce}, {@code authentication_failure}, ... */
    public String wireName() {
        return wireName;
    }

    /** Parses a wire name, accepting hyphens for underscores and any case. */
    public static AuditEventType fromWireName(String name) {
        return valueOf(name.trim().replace('-', '_').toUpperCase(Locale.ROOT));
    }
}
