package dev.sfd.autograd;

import dev.sfd.tensor.Tensor;

/**
 * One recorded op on the tape: its name, its inputs and the rule that maps the output gradient to input
 * gradients. The rule is written next to the op's forward in {@code dev.sfd.ops}.
 */
public final class Node {
    /** Maps the gradient of the op's output to one gradient per input (null where an input needs none). */
    @FunctionalInterface
    public interface BackwardFn {
        Tensor[] apply(Tensor gradOutput);
    }

    private final String op;
    private Tensor[] inputs;
    private BackwardFn backward;

    public Node(String op, Tensor[] inputs, BackwardFn backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    public String op() { return op; }

    public Tensor[] inputs() { return inputs; }

    BackwardFn backwardFn() { return backward; }

    boolean released() { return backward == null; }

    /** Drops the references held for backward so the graph can be collected. */
    void release() {
        inputs = null;
        backward = null;
    }
}
