package dev.sfd;

/** An op received tensors whose shapes do not fit together. */
public class ShapeException extends SfdException {
    public ShapeException(String message) { super(message); }
}
