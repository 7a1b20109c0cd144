package io.warden.gateway.enforce;

import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;

import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * A DescribeTopicPartitions cursor on a topic the client may not describe, sealed so that the client can hand it back
 * to go on listing without learning the topic or where in it the listing stands: the topic name and partition index,
 * encrypted (AES-GCM) under a key made when the gateway starts, behind a {@code ~} (which no topic name has), with
 * partition index 0. Only this gateway process can open it. Thread-safe.
 */
final class SealedCursor {

    private static final String PREFIX = "~";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final SecretKey KEY = newKey();

    private SealedCursor() {
    }

    /** True when a cursor's topic name is one this class sealed (or looks like one: no topic has a {@code ~}). */
    static boolean isSealed(String topicName) {
        return topicName != null && topicName.startsWith(PREFIX);
    }

    /** The cursor to give the client in place of {@code cursor}. */
    static DescribeTopicPartitionsResponseData.Cursor seal(DescribeTopicPartitionsResponseData.Cursor cursor) {
        byte[] name = cursor.topicName().getBytes(StandardCharsets.UTF_8);
        byte[] plain = ByteBuffer.allocate(4 + name.length).putInt(cursor.partitionIndex()).put(name).array();
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, KEY, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = ByteBuffer.allocate(NONCE_BYTES + plain.length + TAG_BITS / 8).put(nonce).put(cipher.doFinal(plain)).array();
            return new DescribeTopicPartitionsResponseData.Cursor()
                    .setTopicName(PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(sealed)).setPartitionIndex(0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** The cursor a sealed one stands for; empty when this gateway process did not seal it, or it was altered. */
    static Optional<DescribeTopicPartitionsRequestData.Cursor> open(String topicName) {
        try {
            byte[] sealed = Base64.getUrlDecoder().decode(topicName.substring(PREFIX.length()));
            if (sealed.length < NONCE_BYTES + TAG_BITS / 8 + 4) {
                return Optional.empty();
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, KEY, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
            ByteBuffer plain = ByteBuffer.wrap(cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES));
            int partitionIndex = plain.getInt();
            String topic = StandardCharsets.UTF_8.decode(plain).toString();
            return Optional.of(new DescribeTopicPartitionsRequestData.Cursor().setTopicName(topic).setPartitionIndex(partitionIndex));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    private static SecretKey newKey() {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256, RANDOM);
            return generator.generateKey();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is not available", e);
        }
    }
}
