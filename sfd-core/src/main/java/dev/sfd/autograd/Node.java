package dev.sfd.autograd;

import dev.sfd.tensor.Tensor;

/**
 * One recorded op on the tape: its name, edges to the nodes (or leaves) that produced its inputs, and the rule
 * that maps the output gradient to input gradients. The rule is written next to the op's forward in
 * {@code dev.sfd.ops}.
 *
 * <p>Memory: a node never references the tensors it consumed, only the nodes that produced them (and the leaf
 * tensors, such as parameters, that need a gradient). An intermediate tensor therefore stays alive only while
 * some backward rule saved it, and {@link Autograd#backward} drops a node's rule (with everything it saved) as
 * soon as that rule has run.
 */
public final class Node {
    /** Maps the gradient of the op's output to one gradient per input (null where an input needs none). */
    @FunctionalInterface
    public interface BackwardFn {
        Tensor[] apply(Tensor gradOutput);
    }

    private final String op;
    private final int arity;
    /** Per input: the node that produced it (an op result), else null. */
    private Node[] next;
    /** Per input: the tensor itself when it is a leaf that required a gradient when the op ran, else null. */
    private Tensor[] leaves;
    /** Per input: its shape (null for a null input), to check the gradient a rule returns. */
    private int[][] shapes;
    private BackwardFn backward;

    /** Records an op over {@code inputs} (entries may be null); keeps edges and shapes, not the inputs. */
    public Node(String op, Tensor[] inputs, BackwardFn backward) {
        this.op = op;
        this.arity = inputs.length;
        this.next = new Node[arity];
        this.leaves = new Tensor[arity];
        this.shapes = new int[arity][];
        for (int k = 0; k < arity; k++) {
            Tensor t = inputs[k];
            if (t == null) continue;
            shapes[k] = t.shape();
            if (t.gradFn() != null) next[k] = t.gradFn();
            else if (t.requiresGrad()) leaves[k] = t;
        }
        this.backward = backward;
    }

    public String op() { return op; }

    /** Number of inputs the op was recorded with. */
    public int arity() { return arity; }

    /** The node that produced input {@code k}, or null (leaf, constant or released node). */
    Node next(int k) { return next[k]; }

    /** Input {@code k} when it is a leaf that required a gradient at record time, else null. */
    Tensor leaf(int k) { return leaves[k]; }

    int[] inputShape(int k) { return shapes[k]; }

    BackwardFn backwardFn() { return backward; }

    boolean released() { return backward == null; }

    /** Drops the backward rule (and the tensors it saved) and the edges, so the graph can be collected. */
    void release() {
        next = null;
        leaves = null;
        shapes = null;
        backward = null;
    }
}
