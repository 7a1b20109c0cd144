package io.warden.authn.store;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks AWS Signature Version 4 on a request the way AWS does, written from the published algorithm with
 * {@code javax.crypto} alone, so the stand-in proves the SDK signs correctly instead of trusting the SDK's signer.
 */
final class SigV4Verifier {

    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request,\\s*"
                    + "SignedHeaders=([a-z0-9;-]+),\\s*Signature=([0-9a-f]{64})");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Duration MAX_SKEW = Duration.ofMinutes(15);

    private final String accessKey;
    private final String secretKey;
    private final String region;
    private final String service;

    SigV4Verifier(String accessKey, String secretKey, String region, String service) {
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.region = region;
        this.service = service;
    }

    /**
     * Verifies one request.
     *
     * @param headers request headers, names in any case, repeated headers as several values
     * @return null when the signature is right, otherwise what is wrong
     */
    String verify(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body,
                  Instant now) {
        Map<String, List<String>> lower = new TreeMap<>();
        headers.forEach((name, values) -> lower.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .addAll(values));
        String authorization = first(lower, "authorization");
        if (authorization == null) {
            return "no Authorization header";
        }
        Matcher m = AUTHORIZATION.matcher(authorization);
        if (!m.matches()) {
            return "malformed Authorization header";
        }
        String amzDate = first(lower, "x-amz-date");
        if (amzDate == null) {
            return "no X-Amz-Date header";
        }
        Instant signedAt;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(amzDate));
        } catch (DateTimeParseException e) {
            return "malformed X-Amz-Date " + amzDate;
        }
        if (Duration.between(signedAt, now).abs().compareTo(MAX_SKEW) > 0) {
            return "X-Amz-Date " + amzDate + " too far from now";
        }
        if (!m.group(1).equals(accessKey)) {
            return "unknown access key " + m.group(1);
        }
        if (!m.group(2).equals(amzDate.substring(0, 8))) {
            return "credential scope date " + m.group(2) + " differs from X-Amz-Date";
        }
        if (!m.group(3).equals(region) || !m.group(4).equals(service)) {
            return "credential scope " + m.group(3) + "/" + m.group(4) + " is not " + region + "/" + service;
        }
        List<String> signedHeaders = Arrays.asList(m.group(5).split(";"));
        if (!signedHeaders.contains("host") || !signedHeaders.contains("x-amz-date")) {
            return "host and x-amz-date must be signed";
        }
        List<String> sorted = new ArrayList<>(signedHeaders);
        sorted.sort(null);
        if (!sorted.equals(signedHeaders)) {
            return "signed headers are not sorted";
        }
        StringBuilder canonicalHeaders = new StringBuilder();
        for (String name : signedHeaders) {
            List<String> values = lower.get(name);
            if (values == null) {
                return "signed header " + name + " missing from the request";
            }
            canonicalHeaders.append(name).append(':').append(String.join(",", values.stream()
                    .map(v -> v.trim().replaceAll(" +", " ")).toList())).append('\n');
        }
        String payloadHash = hex(sha256(body));
        String declaredHash = first(lower, "x-amz-content-sha256");
        if (declaredHash != null && !declaredHash.equals(payloadHash)) {
            return "x-amz-content-sha256 does not match the body";
        }
        String canonicalRequest = canonicalRequest(method, rawPath, rawQuery, canonicalHeaders.toString(),
                m.group(5), payloadHash);
        String expected = signature(amzDate, canonicalRequest);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                m.group(6).getBytes(StandardCharsets.US_ASCII))) {
            return "signature mismatch";
        }
        return null;
    }

    static String canonicalRequest(String method, String rawPath, String rawQuery, String canonicalHeaders,
                                   String signedHeaders, String payloadHash) {
        return method + '\n'
                + (rawPath == null || rawPath.isEmpty() ? "/" : rawPath) + '\n'
                + canonicalQuery(rawQuery) + '\n'
                + canonicalHeaders + '\n'
                + signedHeaders + '\n'
                + payloadHash;
    }

    /** The signature over {@code canonicalRequest} with this verifier's key, region and service. */
    String signature(String amzDate, String canonicalRequest) {
        String date = amzDate.substring(0, 8);
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, "aws4_request");
        return hex(hmac(key, stringToSign));
    }

    private static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String> pairs = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            pairs.add(pair.contains("=") ? pair : pair + "=");
        }
        pairs.sort(null);
        return String.join("&", pairs);
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
