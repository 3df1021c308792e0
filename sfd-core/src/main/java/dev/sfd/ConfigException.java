package dev.sfd;

/**
 * A setting or a combination of settings that cannot do what was asked (a batch of 0 with classes to forget, a
 * negative interval, an empty plan entry), refused before any work or file write. The message names the setting,
 * its value and the valid range; command lines report it as a usage error.
 */
public class ConfigException extends SfdException {
    public ConfigException(String message) { super(message); }
}
