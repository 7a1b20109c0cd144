package io.warden.gateway.enforce;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Small list helpers for enforcers that split a request into what may go on and what is answered with an error.
 * Lists are created only once something is denied, so an all-allowed request allocates nothing.
 */
final class Parts {

    private Parts() {
    }

    /** Appends to {@code list}, creating it on first use. */
    static <T> List<T> add(List<T> list, T item) {
        List<T> out = list == null ? new ArrayList<>() : list;
        out.add(item);
        return out;
    }

    /**
     * Removes these very objects (by identity) from a request's list or generated collection. Kafka's generated
     * collections may hold equal elements twice, so equality would not say which one to remove.
     */
    static <T> void removeAll(Iterable<T> from, Collection<T> parts) {
        for (Iterator<T> it = from.iterator(); it.hasNext(); ) {
            T item = it.next();
            for (T part : parts) {
                if (part == item) {
                    it.remove();
                    break;
                }
            }
        }
    }

    /** The keys that occur more than once: Kafka answers such entries INVALID_REQUEST without checking them. */
    static <T, K> Set<K> repeated(Iterable<T> items, Function<T, K> key) {
        Set<K> seen = new HashSet<>();
        Set<K> repeated = new HashSet<>();
        for (T item : items) {
            K k = key.apply(item);
            if (!seen.add(k)) {
                repeated.add(k);
            }
        }
        return repeated;
    }
}
