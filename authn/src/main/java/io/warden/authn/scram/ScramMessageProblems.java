package io.warden.authn.scram;

import java.util.regex.Pattern;

/**
 * Says which part of a SCRAM message Kafka's parser refused, so the client and the log get "the proof is not
 * base64" instead of "invalid message". The texts name attributes only, never their values.
 */
final class ScramMessageProblems {

    private static final Pattern SASLNAME = Pattern.compile("(?:[\\x01-\\x7F&&[^=,]]|=2C|=3D)+");
    private static final Pattern PRINTABLE = Pattern.compile("[\\x21-\\x7E&&[^,]]+");
    private static final Pattern BASE64 = Pattern.compile("(?:[a-zA-Z0-9/+]{4})*(?:[a-zA-Z0-9/+]{3}=|[a-zA-Z0-9/+]{2}==)?");
    private static final Pattern EXTENSION = Pattern.compile("[A-Za-z]+=[\\x01-\\x7F&&[^,]]+");

    private ScramMessageProblems() {
    }

    /** Checks a user name or authorization id in SCRAM's escaped form ({@code =2C}, {@code =3D}). */
    static boolean isSaslName(String s) {
        return SASLNAME.matcher(s).matches();
    }

    /** The problem with a client-first-message-bare ({@code n=user,r=nonce[,ext=value]...}). */
    static String clientFirstBare(String bare) {
        String[] parts = bare.split(",", -1);
        if (!parts[0].startsWith("n=")) {
            return "client-first message: expected n=<user> after the gs2 header";
        }
        if (!isSaslName(parts[0].substring(2))) {
            return "client-first message: the user name is empty or badly escaped (write ',' as =2C and '=' as =3D)";
        }
        if (parts.length < 2 || !parts[1].startsWith("r=")) {
            return "client-first message: expected r=<nonce> after the user name";
        }
        if (!PRINTABLE.matcher(parts[1].substring(2)).matches()) {
            return "client-first message: the nonce is empty or not printable ASCII";
        }
        return "client-first message: invalid extension after the nonce (expected ,name=value)";
    }

    /** The problem with a client-final message ({@code c=cbind,r=nonce[,ext=value]...,p=proof}). */
    static String clientFinal(String message) {
        String[] parts = message.split(",", -1);
        if (!parts[0].startsWith("c=")) {
            return "client-final message: expected c=<channel binding> first";
        }
        if (!BASE64.matcher(parts[0].substring(2)).matches() || parts[0].length() == 2) {
            return "client-final message: the channel binding c= is not base64";
        }
        if (parts.length < 2 || !parts[1].startsWith("r=")) {
            return "client-final message: expected r=<nonce> after the channel binding";
        }
        if (!PRINTABLE.matcher(parts[1].substring(2)).matches()) {
            return "client-final message: the nonce is empty or not printable ASCII";
        }
        String last = parts[parts.length - 1];
        if (parts.length < 3 || !last.startsWith("p=")) {
            return "client-final message: expected p=<proof> last";
        }
        if (!BASE64.matcher(last.substring(2)).matches()) {
            return "client-final message: the proof p= is not base64";
        }
        for (int i = 2; i < parts.length - 1; i++) {
            if (!EXTENSION.matcher(parts[i]).matches()) {
                return "client-final message: invalid attribute between the nonce and the proof (expected name=value)";
            }
        }
        return "client-final message: invalid format (expected c=<base64>,r=<nonce>,p=<base64 proof>)";
    }
}
