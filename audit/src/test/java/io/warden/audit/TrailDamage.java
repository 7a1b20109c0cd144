package io.warden.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A copy of an audit trail (its segments, digests and checkpoints, not the writer's lock file) with one byte of one
 * of its files damaged at random — a bit flipped, the byte dropped, or a
 * byte added before it — for tests that every such damage is reported.
 *
 * @param dir  the damaged copy
 * @param what the damage, for a failing assertion
 */
record TrailDamage(Path dir, String what) {

    static TrailDamage of(Path trail, Path copy, Random random) throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(trail)) {
            files = listing.filter(f -> !f.getFileName().toString().equals(Segments.LOCK_FILE)).sorted().toList();
        }
        Files.createDirectories(copy);
        for (Path f : files) {
            Files.copy(f, copy.resolve(f.getFileName()));
        }
        Path target = copy.resolve(files.get(random.nextInt(files.size())).getFileName());
        byte[] bytes = Files.readAllBytes(target);
        int at = random.nextInt(bytes.length);
        String damage;
        switch (random.nextInt(3)) {
            case 0 -> {
                int bit = random.nextInt(8);
                bytes[at] ^= (byte) (1 << bit);
                damage = "bit " + bit + " of byte " + at + " flipped";
            }
            case 1 -> {
                byte[] out = new byte[bytes.length - 1];
                System.arraycopy(bytes, 0, out, 0, at);
                System.arraycopy(bytes, at + 1, out, at, bytes.length - at - 1);
                bytes = out;
                damage = "byte " + at + " dropped";
            }
            default -> {
                byte[] out = new byte[bytes.length + 1];
                System.arraycopy(bytes, 0, out, 0, at);
                out[at] = (byte) random.nextInt(256);
                System.arraycopy(bytes, at, out, at + 1, bytes.length - at);
                bytes = out;
                damage = "byte added at " + at;
            }
        }
        Files.write(target, bytes);
        return new TrailDamage(copy, damage + " in " + target.getFileName());
    }
}
