package io.warden.gateway.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration reference is complete: every key the loader accepts (the keys its {@code allowOnly} checks
 * list) appears in {@code docs/configuration.md}, alone or under its parent, as {@code `key`} or {@code `parent.key`}.
 */
class ConfigurationDocsTest {

    @Test
    void everyKeyTheLoaderAcceptsIsDocumented() throws Exception {
        String loader = Files.readString(Path.of("src/main/java/io/warden/gateway/config/ConfigLoader.java"));
        String docs = Files.readString(Path.of("../docs/configuration.md"));
        TreeSet<String> keys = new TreeSet<>();
        Matcher call = Pattern.compile("allowOnly\\((.*?)\\);", Pattern.DOTALL).matcher(loader);
        while (call.find()) {
            Matcher literal = Pattern.compile("\"([^\"]*)\"").matcher(call.group(1));
            while (literal.find()) {
                if (!literal.group(1).isEmpty() && !literal.group(1).startsWith(".")) { // ".users": a path suffix
                    keys.add(literal.group(1));
                }
            }
        }
        assertThat(keys).as("keys read from ConfigLoader").hasSizeGreaterThan(50).contains("maxFrameBytes", "kafkaStore");
        List<String> undocumented = new ArrayList<>();
        for (String key : keys) {
            if (!Pattern.compile("`(?:[A-Za-z\\[\\]]+\\.)*" + Pattern.quote(key) + "[`.]").matcher(docs).find()) {
                undocumented.add(key);
            }
        }
        assertThat(undocumented).as("keys missing from docs/configuration.md").isEmpty();
    }
}
