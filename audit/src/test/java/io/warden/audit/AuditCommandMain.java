package io.warden.audit;

/** {@link AuditCommand} as a program of its own, for tests that run it in a JVM with a small heap. */
final class AuditCommandMain {

    private AuditCommandMain() {
    }

    public static void main(String[] args) {
        System.exit(AuditCommand.run(java.util.List.of(args), System.out, System.err));
    }
}
