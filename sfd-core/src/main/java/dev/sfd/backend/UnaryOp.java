package dev.sfd.backend;

/** Elementwise unary primitives. Backward rules live in {@link Backend#unaryBackward}. */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, RSQRT, SQUARE, RECIPROCAL, ABS, SIGN, SIN, COS, TANH, SIGMOID, SILU, RELU,
    /** Replaces NaN by 0, +Inf by 1e5 and -Inf by -1e5 (EDM's gradient sanitiser); no gradient. */
    NAN_TO_NUM
}
