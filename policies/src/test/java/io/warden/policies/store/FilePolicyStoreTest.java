package io.warden.policies.store;

import io.warden.policies.LogCapture;
import io.warden.policies.PolicyDocument;
import io.warden.policies.PolicyException;
import io.warden.policies.PolicyParser;
import io.warden.policies.PolicyWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

class FilePolicyStoreTest extends PolicyStoreContractTest {

    private static final Duration FAST = Duration.ofMillis(50);
    /** Long enough that no poll runs during a test: checks happen through refresh() and apply(). */
    private static final Duration NEVER = Duration.ofHours(1);
    private static final String HAND_WRITTEN = """
            # the policy, as an operator wrote it
            superUsers: [User:admin]
            acls:
              - principal: User:alice   # the orders service
                operations: [read]
                topic: t1
            """;

    @TempDir
    Path dir;
    private final AtomicInteger files = new AtomicInteger();
    private Path file;
    private LogCapture log;

    @BeforeEach
    void setUp() throws IOException {
        file = dir.resolve("policy.yaml");
        Files.writeString(file, HAND_WRITTEN);
        log = LogCapture.attach(FilePolicyStore.class.getName());
    }

    @AfterEach
    void tearDown() {
        log.close();
    }

    @Override
    protected PolicyStore newStore(PolicyDocument initial) throws IOException {
        Path f = dir.resolve("contract-" + files.incrementAndGet() + ".yaml");
        Files.writeString(f, PolicyWriter.toYaml(initial));
        return new FilePolicyStore(f, FAST);
    }

    @Override
    protected PolicyStore sameBacking(PolicyStore store) {
        return new FilePolicyStore(((FilePolicyStore) store).file(), FAST);
    }

    @Override
    protected boolean resourcesReleased(PolicyStore store) {
        String name = ((FilePolicyStore) store).threadName();
        return Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    private FilePolicyStore store(Duration interval) {
        return (FilePolicyStore) track(new FilePolicyStore(file, interval));
    }

    private Path history(long version) {
        return FilePolicyStore.historyDirectory(file).resolve(String.format("%08d.yaml", version));
    }

    /** Writes elsewhere and renames over the file, as editors and deploy tools do. */
    private void edit(String text) throws IOException {
        Path temp = dir.resolve("edit.tmp");
        Files.writeString(temp, text);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private List<String> leftovers() throws IOException {
        try (Stream<Path> top = Files.list(dir); Stream<Path> hist = Files.list(FilePolicyStore.historyDirectory(file))) {
            return Stream.concat(top, hist).map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(".") && !n.equals(".lock")).toList();
        }
    }

    @Test
    void withoutHistoryTheFileAsWrittenIsVersionOne() throws IOException {
        FilePolicyStore store = store(NEVER);

        PolicyVersion v1 = store.current();
        assertThat(v1.version()).isEqualTo(1);
        assertThat(v1.yaml()).isEqualTo(HAND_WRITTEN);
        assertThat(v1.author()).isEqualTo(FilePolicyStore.FILE_AUTHOR);
        assertThat(v1.document().sameRulesAs(readOn("t1"))).isTrue();
        String stored = Files.readString(history(1));
        assertThat(stored).startsWith("# warden-policy-version {\"version\":1,\"author\":\"file\",\"time\":\"")
                .endsWith("\n" + HAND_WRITTEN);
        // a history file is a policy file in its own right
        assertThat(PolicyParser.load(history(1)).sameRulesAs(v1.document())).isTrue();
        assertThat(Files.readString(file)).isEqualTo(HAND_WRITTEN);
    }

    @Test
    void applyWritesTheHistoryThenReplacesTheFile() throws Exception {
        FilePolicyStore store = store(NEVER);

        PolicyVersion v2 = store.apply(readOn("t2"), 1, "User:ädmin \"root\"\n", "line one\nline two ✓");

        assertThat(v2.yaml()).isEqualTo(PolicyWriter.toYaml(readOn("t2")));
        assertThat(Files.readString(file)).isEqualTo(v2.yaml());
        String stored = Files.readString(history(2), StandardCharsets.UTF_8);
        String header = stored.substring(0, stored.indexOf('\n'));
        assertThat(header).startsWith("# warden-policy-version {\"version\":2,")
                .contains("\"author\":\"User:\\u00E4dmin \\\"root\\\"\\n\"", "\"comment\":\"line one\\nline two \\u2713\"");
        assertThat(header.chars().allMatch(c -> c >= 0x20 && c < 0x7F)).isTrue();
        assertThat(stored.substring(header.length() + 1)).isEqualTo(v2.yaml());
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aHandEditBecomesAVersionByTheFile() throws Exception {
        FilePolicyStore store = store(FAST);
        List<PolicyVersion> seen = new CopyOnWriteArrayList<>();
        store.onChange(seen::add);
        String edited = HAND_WRITTEN.replace("topic: t1", "topic: t9");

        edit(edited);

        await().atMost(CONVERGENCE).until(() -> seen.size() == 1);
        PolicyVersion v2 = store.current();
        assertThat(seen).containsExactly(v2);
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.author()).isEqualTo(FilePolicyStore.FILE_AUTHOR);
        assertThat(v2.yaml()).isEqualTo(edited);
        assertThat(v2.document().sameRulesAs(readOn("t9"))).isTrue();
        assertThat(Files.readString(history(2))).endsWith("\n" + edited);
    }

    @Test
    void anEditThatGrantsTheSameMakesNoVersion() throws Exception {
        FilePolicyStore store = store(NEVER);

        edit("# reworded\n" + HAND_WRITTEN.replace("# the orders service", ""));

        assertThat(store.refresh().version()).isEqualTo(1);
        assertThat(Files.exists(history(2))).isFalse();
    }

    @Test
    void aBrokenHandEditIsLoggedOnceAndTheLastGoodVersionStays() throws Exception {
        FilePolicyStore store = store(NEVER);
        List<PolicyVersion> seen = new CopyOnWriteArrayList<>();
        store.onChange(seen::add);

        edit(HAND_WRITTEN.replace("[read]", "[wirte]"));
        store.refresh();
        store.refresh();

        assertThat(store.current().version()).isEqualTo(1);
        assertThat(seen).isEmpty();
        assertThat(log.linesContaining("event=policy_rejected")).hasSize(1).first().asString()
                .contains("unknown operation 'wirte'", "keeping the last good policy");

        edit(HAND_WRITTEN.replace("topic: t1", "topic: t2"));
        assertThat(store.refresh().version()).isEqualTo(2);
        assertThat(seen).extracting(PolicyVersion::version).containsExactly(2L);
    }

    @Test
    void anApplyLooksAtTheFileFirstSoAHandEditIsNotOverwrittenUnseen() throws Exception {
        FilePolicyStore store = store(NEVER);
        edit(HAND_WRITTEN.replace("topic: t1", "topic: t2"));

        PolicyConflictException conflict = catchThrowableOfType(PolicyConflictException.class,
                () -> store.apply(readOn("t3"), 1, "User:admin", ""));

        assertThat(conflict.currentVersion()).isEqualTo(2);
        assertThat(store.current().author()).isEqualTo(FilePolicyStore.FILE_AUTHOR);
        assertThat(store.current().document().sameRulesAs(readOn("t2"))).isTrue();
        assertThat(store.apply(readOn("t3"), 2, "User:admin", "").version()).isEqualTo(3);
    }

    @Test
    void aRestartedStoreReadsTheSameHistoryAndMakesNoVersion() throws Exception {
        FilePolicyStore first = store(NEVER);
        first.apply(readOn("t2"), 1, "User:alice", "two");
        first.apply(readOn("t3"), 2, "User:bob", "three");
        List<PolicyVersion> before = first.history();
        first.close();

        FilePolicyStore again = store(NEVER);

        assertThat(again.history()).isEqualTo(before);
    }

    @Test
    void aFileEditedWhileNoStoreRanBecomesTheNextVersionAtStart() throws Exception {
        store(NEVER).close();
        edit(HAND_WRITTEN.replace("topic: t1", "topic: t5"));

        FilePolicyStore store = store(NEVER);

        assertThat(store.current().version()).isEqualTo(2);
        assertThat(store.current().author()).isEqualTo(FilePolicyStore.FILE_AUTHOR);
        assertThat(store.current().document().sameRulesAs(readOn("t5"))).isTrue();
    }

    @Test
    void aBrokenFileAtStartWithHistoryIsIgnoredAndAMissingOneIsWrittenBack() throws Exception {
        FilePolicyStore first = store(NEVER);
        first.apply(readOn("t2"), 1, "User:alice", "");
        first.close();

        edit("acls: [");
        assertThat(store(NEVER).current().version()).isEqualTo(2);
        assertThat(log.linesContaining("event=policy_rejected")).hasSize(1);

        Files.delete(file);
        FilePolicyStore store = store(NEVER);
        assertThat(store.current().version()).isEqualTo(2);
        assertThat(Files.readString(file)).isEqualTo(store.current().yaml());
        assertThat(log.linesContaining("event=policy_file_restored")).hasSize(1);
    }

    @Test
    void withoutHistoryABrokenOrMissingFileFailsTheStart() throws IOException {
        Files.writeString(file, "acls:\n  - principal: alice\n");

        assertThatThrownBy(() -> new FilePolicyStore(file, NEVER)).isInstanceOf(PolicyException.class)
                .hasMessageContaining("policy.yaml:2:");

        Files.delete(file);
        assertThatThrownBy(() -> new FilePolicyStore(file, NEVER)).isInstanceOf(PolicyException.class)
                .hasMessageContaining("file not found");
    }

    @Test
    void aDamagedHistoryFailsTheStart() throws Exception {
        store(NEVER).apply(readOn("t2"), 1, "User:alice", "");
        Files.writeString(history(2), "acls: []\n");

        assertThatThrownBy(() -> new FilePolicyStore(file, NEVER)).isInstanceOf(PolicyStoreException.class)
                .hasMessageContaining("00000002.yaml: not a readable policy version");

        Files.delete(history(2));
        Files.writeString(history(3), Files.readString(history(1)));
        assertThatThrownBy(() -> new FilePolicyStore(file, NEVER)).isInstanceOf(PolicyStoreException.class)
                .hasMessageContaining("version 2 is missing but version 3 exists");
    }

    @Test
    void anInvalidDocumentIsRefusedAndChangesNothing() throws Exception {
        FilePolicyStore store = store(NEVER);
        PolicyDocument invalid = new PolicyDocument(java.util.Set.of("alice"), false, List.of());

        assertThatThrownBy(() -> store.apply(invalid, 1, "User:admin", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be Type:name");
        assertThat(store.history()).hasSize(1);
        assertThat(Files.readString(file)).isEqualTo(HAND_WRITTEN);
    }
}
