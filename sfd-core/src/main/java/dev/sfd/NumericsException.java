package dev.sfd;

/** A NaN or Inf appeared where it must not (thrown when {@code sfd.checkNaN=true} or by trainers). */
public class NumericsException extends SfdException {
    public NumericsException(String message) { super(message); }
}
