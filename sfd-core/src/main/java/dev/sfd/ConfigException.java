package dev.sfd;

/**
 * A setting or a combination of settings that cannot do what was asked (a batch of 0 with classes to forget, a
 * negative interval, an empty plan entry), refused before any work or file write. The message names the setting,
 * its value and the valid range; command lines report it as a usage error.
 */
public class ConfigException extends SfdException {
    public ConfigException(String message) { super(message); }

    /** Throws unless {@code value >= 1}, naming the setting and the value. */
    public static void requirePositive(String setting, long value) {
        if (value < 1) throw new ConfigException(setting + " must be positive, got " + value);
    }

    /** Throws unless {@code value >= 0}, naming the setting and the value. */
    public static void requireNonNegative(String setting, long value) {
        if (value < 0) throw new ConfigException(setting + " must be >= 0, got " + value);
    }

    /** Throws unless {@code value} is finite and {@code > 0}, naming the setting and the value. */
    public static void requirePositive(String setting, double value) {
        if (!(value > 0) || Double.isInfinite(value)) throw new ConfigException(setting + " must be a positive finite number, got " + value);
    }

    /** Throws unless {@code value} is finite and {@code >= 0}, naming the setting and the value. */
    public static void requireNonNegative(String setting, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) throw new ConfigException(setting + " must be a finite number >= 0, got " + value);
    }
}
