package dev.sfd;

/** An op received tensors whose dtypes are not allowed or do not match. */
public class DTypeException extends SfdException {
    public DTypeException(String message) { super(message); }
}
