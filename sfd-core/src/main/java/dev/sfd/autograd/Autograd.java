package dev.sfd.autograd;

import dev.sfd.SfdException;
import dev.sfd.ShapeException;
import dev.sfd.ops.Ops;
import dev.sfd.tensor.Shapes;
import dev.sfd.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Reverse-mode differentiation over the tape that {@link Node}s form. */
public final class Autograd {
    private Autograd() {}

    /**
     * Back-propagates {@code seed} (the gradient of some scalar with respect to {@code root}) and accumulates
     * into {@link Tensor#grad()} of every leaf that requires a gradient. The graph is released afterwards.
     */
    public static void backward(Tensor root, Tensor seed) {
        if (!root.requiresGrad()) {
            throw new SfdException("backward: tensor " + Shapes.str(root.shape()) + " does not require grad (no input of the graph requires grad, or grad mode was disabled)");
        }
        if (!Shapes.equal(root.shape(), seed.shape())) {
            throw new ShapeException("backward: gradient shape " + Shapes.str(seed.shape()) + " does not match tensor shape " + Shapes.str(root.shape()));
        }
        List<Tensor> order = topoOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        try (var g = Grad.disabled()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor gOut = grads.remove(t);
                if (gOut == null) continue;
                Node node = t.gradFn();
                if (node == null) {
                    t.accumulateGrad(gOut);
                    continue;
                }
                if (node.released()) {
                    throw new SfdException("backward: graph of op '" + node.op() + "' was already released by an earlier backward()");
                }
                Tensor[] ins = node.inputs();
                Tensor[] gIn = node.backwardFn().apply(gOut);
                for (int k = 0; k < ins.length; k++) {
                    Tensor in = ins[k];
                    if (in == null || !in.requiresGrad() || gIn[k] == null) continue;
                    Tensor gk = gIn[k];
                    if (!Shapes.equal(gk.shape(), in.shape())) {
                        throw new ShapeException("backward of '" + node.op() + "': gradient for input " + k + " has shape "
                                + Shapes.str(gk.shape()) + ", expected " + Shapes.str(in.shape()));
                    }
                    Tensor prev = grads.get(in);
                    grads.put(in, prev == null ? gk : Ops.add(prev, gk));
                }
                node.release();
            }
        }
    }

    /** Tensors reachable from root through recorded nodes, inputs before the tensors that use them. */
    private static List<Tensor> topoOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        seen.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Tensor t = (Tensor) top[0];
            int idx = (Integer) top[1];
            Node n = t.gradFn();
            Tensor[] ins = (n == null || n.released()) ? null : n.inputs();
            if (ins != null && idx < ins.length) {
                top[1] = idx + 1;
                Tensor in = ins[idx];
                if (in != null && in.requiresGrad() && !seen.containsKey(in)) {
                    seen.put(in, Boolean.TRUE);
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
