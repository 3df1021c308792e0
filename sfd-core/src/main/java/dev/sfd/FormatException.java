package dev.sfd;

/** A file (safetensors, checkpoint, dataset) is missing, truncated or malformed. */
public class FormatException extends SfdException {
    public FormatException(String message) { super(message); }
    public FormatException(String message, Throwable cause) { super(message, cause); }
}
