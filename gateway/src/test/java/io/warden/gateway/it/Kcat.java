package io.warden.gateway.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs kcat (librdkafka), the second client implementation the tests use, against a bootstrap address. */
final class Kcat {

    /** A broker as {@code kcat -L} lists it. */
    record Broker(int id, String host, int port) {
        @Override
        public String toString() {
            return "broker " + id + " at " + host + ":" + port;
        }
    }

    private static final Pattern BROKER_LINE = Pattern.compile("broker (\\d+) at ([^:\\s]+):(\\d+)");

    private Kcat() {
    }

    /** Runs {@code kcat -b bootstrap -m 30 args...} with this standard input (or none) and waits up to a minute. */
    static ExternalProcess.Result run(String bootstrap, String stdin, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kcat", "-b", bootstrap, "-m", "30"));
        command.addAll(args);
        return ExternalProcess.run(command, null, stdin, 60);
    }

    /** The brokers the output of {@code kcat -L} lists. */
    static List<Broker> brokers(String listing) {
        List<Broker> brokers = new ArrayList<>();
        Matcher m = BROKER_LINE.matcher(listing);
        while (m.find()) {
            brokers.add(new Broker(Integer.parseInt(m.group(1)), m.group(2), Integer.parseInt(m.group(3))));
        }
        return brokers;
    }
}
