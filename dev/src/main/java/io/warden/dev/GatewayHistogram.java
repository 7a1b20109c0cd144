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
 * Reads a gateway's metrics from its admin listener, in particular its latency histograms for Produce:
 * {@code warden_request_gateway_time_seconds}, the time requests spend inside the gateway without the broker's time,
 * and {@code warden_request_upstream_time_seconds}, from a request sent to the broker to its response received, both
 * as the gateway itself measures them.
 */
final class GatewayHistogram {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The time inside the gateway. */
    static final String GATEWAY_TIME = "warden_request_gateway_time_seconds";
    /** The broker's time, as seen from the gateway. */
    static final String UPSTREAM_TIME = "warden_request_upstream_time_seconds";

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

    /**
     * The cumulative Produce bucket counts of histogram {@code metric} in a scrape's text, by upper bound in seconds
     * ({@code +Inf} as infinity).
     */
    static Map<Double, Double> produce(String metrics, String metric) {
        Map<Double, Double> buckets = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "_bucket\\{api=\"Produce\",le=\"([^\"]+)\"} (\\S+)$")
                .matcher(metrics);
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
