package io.warden.dev;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a gateway's metrics from its admin listener, in particular its {@code warden_request_gateway_time_seconds}
 * histogram: the time requests spend inside the gateway, without the broker's time, as the gateway itself measures it.
 */
final class GatewayHistogram {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern PRODUCE_BUCKET = Pattern.compile(
            "(?m)^warden_request_gateway_time_seconds_bucket\\{api=\"Produce\",le=\"([^\"]+)\"} (\\S+)$");

    private GatewayHistogram() {
    }

    /** The Prometheus text of a gateway's admin listener on 127.0.0.1. */
    static String scrape(int adminPort) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET /metrics on port " + adminPort + ": " + r.statusCode());
        }
        return r.body();
    }

    /** The cumulative Produce bucket counts now, by upper bound in seconds ({@code +Inf} as infinity). */
    static Map<Double, Double> produce(int adminPort) throws Exception {
        Map<Double, Double> buckets = new TreeMap<>();
        Matcher m = PRODUCE_BUCKET.matcher(scrape(adminPort));
        while (m.find()) {
            buckets.put(m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1)),
                    Double.parseDouble(m.group(2)));
        }
        return buckets;
    }

    /**
     * The {@code q} quantile, in ms, of the requests counted between two readings: the upper bound of the first
     * bucket holding it (so an upper estimate); NaN when none were counted.
     */
    static double quantile(Map<Double, Double> before, Map<Double, Double> after, double q) {
        double total = after.getOrDefault(Double.POSITIVE_INFINITY, 0.0) - before.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        if (total <= 0) {
            return Double.NaN;
        }
        for (Map.Entry<Double, Double> bucket : after.entrySet()) {
            double counted = bucket.getValue() - before.getOrDefault(bucket.getKey(), 0.0);
            if (counted >= q * total) {
                return bucket.getKey() * 1000;
            }
        }
        return Double.POSITIVE_INFINITY;
    }
}
