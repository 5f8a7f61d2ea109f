package io.letterbox.broker.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.security.auth.login.AppConfigurationEntry;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.plain.PlainLoginModule;

/**
 * The users a SASL/PLAIN listener accepts, from Kafka's broker JAAS line
 * {@code listener.name.<listener>.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule
 * required user_alice="alice-secret" user_bob="bob-secret";}: one {@code user_<name>="<password>"}
 * option per user; the line's own {@code username} and {@code password} are the login this broker's
 * followers use when this is the inter-broker listener. Passwords are compared in constant time.
 * Immutable.
 */
public final class PlainUsers {

    private static final String USER_PREFIX = "user_";

    /** A broker's own login, the JAAS line's {@code username} and {@code password}: how its followers log in. */
    public record Login(String username, String password) {
        @Override
        public String toString() {
            return "Login[" + username + "]";
        }
    }

    private final Map<String, byte[]> passwords;
    private final Login login;

    private PlainUsers(Map<String, byte[]> passwords, Login login) {
        this.passwords = passwords;
        this.login = login;
    }

    /** The broker's own login from the same line, or null when it names none. */
    public Login login() {
        return login;
    }

    /**
     * Parses a JAAS line.
     *
     * @param key the key it came from, for the error
     * @throws ConfigException when it is missing, unparsable, not PlainLoginModule, or names no user
     */
    public static PlainUsers parse(String key, String jaas) {
        if (jaas == null || jaas.isBlank()) {
            throw new ConfigException(key, null, "a SASL/PLAIN listener needs its users: set it to "
                    + PlainLoginModule.class.getName() + " required user_alice=\"alice-secret\";");
        }
        List<AppConfigurationEntry> entries;
        try {
            // Kafka's own parser of a JAAS line, reached through its public entry point
            entries = JaasContext.loadClientContext(Map.of(SaslConfigs.SASL_JAAS_CONFIG, new Password(jaas)))
                    .configurationEntries();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, "(hidden)", "not a JAAS line: " + e.getMessage());
        }
        if (entries.size() != 1 || !entries.get(0).getLoginModuleName().equals(PlainLoginModule.class.getName())) {
            throw new ConfigException(key, "(hidden)", "must name exactly one login module, "
                    + PlainLoginModule.class.getName());
        }
        Map<String, byte[]> users = new HashMap<>();
        entries.get(0).getOptions().forEach((option, value) -> {
            if (option.startsWith(USER_PREFIX) && option.length() > USER_PREFIX.length()) {
                users.put(option.substring(USER_PREFIX.length()), String.valueOf(value).getBytes(StandardCharsets.UTF_8));
            }
        });
        if (users.isEmpty()) {
            throw new ConfigException(key, "(hidden)", "names no user: add user_<name>=\"<password>\"");
        }
        Object username = entries.get(0).getOptions().get("username");
        Object password = entries.get(0).getOptions().get("password");
        Login login = username == null || password == null ? null
                : new Login(String.valueOf(username), String.valueOf(password));
        return new PlainUsers(Map.copyOf(users), login);
    }

    /** Whether {@code user} exists and {@code password} is its password. */
    public boolean authenticate(String user, byte[] password) {
        byte[] expected = passwords.get(user);
        // Compare against something even for an unknown user, so timing does not tell users apart
        return MessageDigest.isEqual(expected == null ? new byte[0] : expected, password) && expected != null;
    }
}
