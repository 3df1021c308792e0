package dev.sfd;

/** Root of every exception sfd throws on purpose; the message names the op, the shapes and what was expected. */
public class SfdException extends RuntimeException {
    public SfdException(String message) { super(message); }
    public SfdException(String message, Throwable cause) { super(message, cause); }
}
