package dev.sfd.autograd;

import dev.sfd.SfdException;
import dev.sfd.ShapeException;
import dev.sfd.ops.Ops;
import dev.sfd.profile.Profiler;
import dev.sfd.tensor.Shapes;
import dev.sfd.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode differentiation over the graph that {@link Node}s form.
 *
 * <p>The engine walks nodes, not tensors: the only tensors it holds are the pending gradients and the leaves
 * that receive them. Each node's backward rule is dropped right after it ran, so the activations it saved
 * become garbage while the rest of the backward pass is still running.
 */
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
        Node rootNode = root.gradFn();
        if (rootNode == null) { // a leaf
            root.accumulateGrad(seed);
            return;
        }
        List<Node> order = topoOrder(rootNode);
        Map<Node, Tensor> grads = new IdentityHashMap<>();
        // leaf gradients are summed in the order their consumers run, then accumulated once per leaf
        Map<Tensor, Tensor> leafGrads = new LinkedHashMap<>();
        grads.put(rootNode, seed);
        try (var g = Grad.disabled()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Node node = order.get(i);
                order.set(i, null);
                Tensor gOut = grads.remove(node);
                if (gOut == null) continue;
                if (node.released()) {
                    throw new SfdException("backward: graph of op '" + node.op() + "' was already released by an earlier backward()");
                }
                Tensor[] gIn;
                Profiler.Region region = Profiler.enabled() ? Profiler.region(node.op() + ".backward") : null;
                try {
                    gIn = node.backwardFn().apply(gOut);
                } finally {
                    if (region != null) region.close();
                }
                gOut = null;
                for (int k = 0; k < node.arity(); k++) {
                    Node nk = node.next(k);
                    Tensor leaf = node.leaf(k);
                    if ((nk == null && (leaf == null || !leaf.requiresGrad())) || gIn[k] == null) continue;
                    Tensor gk = gIn[k];
                    int[] want = node.inputShape(k);
                    if (!Shapes.equal(gk.shape(), want)) {
                        throw new ShapeException("backward of '" + node.op() + "': gradient for input " + k + " has shape "
                                + Shapes.str(gk.shape()) + ", expected " + Shapes.str(want));
                    }
                    if (nk != null) {
                        Tensor prev = grads.get(nk);
                        grads.put(nk, prev == null ? gk : Ops.add(prev, gk));
                    } else {
                        Tensor prev = leafGrads.get(leaf);
                        leafGrads.put(leaf, prev == null ? gk : Ops.add(prev, gk));
                    }
                }
                node.release();
            }
            for (Map.Entry<Tensor, Tensor> e : leafGrads.entrySet()) e.getKey().accumulateGrad(e.getValue());
        }
    }

    /** Nodes reachable from root (released nodes are not expanded), inputs before the nodes that use them. */
    private static List<Node> topoOrder(Node root) {
        List<Node> order = new ArrayList<>();
        Map<Node, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Node> nodes = new ArrayDeque<>();
        ArrayDeque<int[]> next = new ArrayDeque<>();
        nodes.push(root);
        next.push(new int[] {0});
        seen.put(root, Boolean.TRUE);
        while (!nodes.isEmpty()) {
            Node n = nodes.peek();
            int[] idx = next.peek();
            if (!n.released() && idx[0] < n.arity()) {
                Node in = n.next(idx[0]++);
                if (in != null && !seen.containsKey(in)) {
                    seen.put(in, Boolean.TRUE);
                    nodes.push(in);
                    next.push(new int[] {0});
                }
            } else {
                nodes.pop();
                next.pop();
                order.add(n);
            }
        }
        return order;
    }
}
