package dev.sfd.tensor;

/** Element type of a tensor. Training runs in FLOAT32; FLOAT64 serves gradient checks and samplers. */
public enum DType {
    FLOAT32(4), FLOAT64(8);

    private final int bytes;

    DType(int bytes) { this.bytes = bytes; }

    /** Size of one element in bytes. */
    public int bytes() { return bytes; }
}
