package io.warden.authn.store;

import software.amazon.awssdk.protocols.jsoncore.JsonNode;
import software.amazon.awssdk.protocols.jsoncore.JsonNodeParser;

import java.util.Map;

/**
 * Reads the value of an Amazon MSK SCRAM secret, {@code {"username": "...", "password": "..."}}. Uses the AWS SDK's
 * own JSON parser, and reports problems without quoting the value: a parser's error message can echo the text it
 * choked on, which here would be the password.
 */
final class MskSecretValue {

    private static final JsonNodeParser PARSER = JsonNodeParser.builder().removeErrorLocations(true).build();

    private MskSecretValue() {
    }

    static UsernamePassword parse(String secretString) throws MalformedSecretException {
        JsonNode root;
        try {
            root = PARSER.parse(secretString);
        } catch (RuntimeException e) {
            throw new MalformedSecretException("value is not JSON");
        }
        if (!root.isObject()) {
            throw new MalformedSecretException("value is not a JSON object");
        }
        Map<String, JsonNode> fields = root.asObject();
        String username = requiredString(fields, "username");
        String password = requiredString(fields, "password");
        if (username.isBlank()) {
            throw new MalformedSecretException("\"username\" is blank");
        }
        return new UsernamePassword(username, password);
    }

    private static String requiredString(Map<String, JsonNode> fields, String name) throws MalformedSecretException {
        JsonNode node = fields.get(name);
        if (node == null || node.isNull()) {
            throw new MalformedSecretException("\"" + name + "\" is missing");
        }
        if (!node.isString()) {
            throw new MalformedSecretException("\"" + name + "\" is not a string");
        }
        String value = node.asString();
        if (value.isEmpty()) {
            throw new MalformedSecretException("\"" + name + "\" is empty");
        }
        return value;
    }
}
