package dev.sfd.ops;

import dev.sfd.SfdException;
import dev.sfd.ShapeException;
import dev.sfd.backend.Backend;
import dev.sfd.backend.BinaryOp;
import dev.sfd.backend.ReduceOp;
import dev.sfd.backend.UnaryOp;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Shapes;
import dev.sfd.tensor.Tensor;
import java.util.Arrays;

/**
 * Every differentiable op: the forward (shape checks first, then one or a few backend primitives) and,
 * right next to it, the backward rule recorded on the tape. The op names used with {@code recordOp} are
 * listed in {@link #OP_NAMES}; a test fails if any of them lacks a gradient check.
 */
public final class Ops {
    private Ops() {}

    /** Every op name this class records; GradCheckCoverageTest asserts each has a gradient check. */
    public static final String[] OP_NAMES = {
        "copy", "cast", "add", "sub", "mul", "div", "maximum", "minimum", "addScalar", "mulScalar", "powScalar",
        "neg", "exp", "log", "sqrt", "rsqrt", "square", "reciprocal", "abs", "sin", "cos", "tanh", "sigmoid", "silu", "relu",
        "clamp", "sum", "reshape", "permute", "narrow", "concat", "matmul", "conv2d", "groupNorm", "groupNormSilu", "softmax",
        "upsample2x", "avgPool2x", "dropout", "sidLoss", "where"
    };

    // =================================================================== helpers

    static Tensor empty(Tensor like, int... shape) { return Tensor.zeros(like.backend(), like.dtype(), shape); }

    private static void same(String op, Tensor a, Tensor b) { a.requireCompatible(op, b); }

    private static void requireShape(String op, Tensor t, String name, int rank) {
        if (t.rank() != rank) throw new ShapeException(op + ": " + name + " must have rank " + rank + ", got shape " + Shapes.str(t.shape()));
    }

    /** Sums a broadcast gradient back down to {@code shape} (inverse of numpy broadcasting). */
    public static Tensor reduceToShape(Tensor g, int[] shape) {
        if (Shapes.equal(g.shape(), shape)) return g;
        int[] gs = g.shape();
        int off = gs.length - shape.length;
        int[] keep = new int[gs.length];
        for (int i = 0; i < gs.length; i++) {
            int j = i - off;
            keep[i] = (j < 0 || shape[j] == 1) ? 1 : gs[i];
        }
        Tensor out = empty(g, keep);
        g.backend().reduce(ReduceOp.SUM, g.dense(), out);
        return reshape(out, shape);
    }

    // =================================================================== copies and casts

    /** A dense copy of any (possibly strided) tensor. */
    public static Tensor contiguousCopy(Tensor x) {
        Tensor out = empty(x, x.shape());
        x.backend().copy(x, out);
        return out.recordOp("copy", new Tensor[] {x}, g -> new Tensor[] {g});
    }

    /** Converts between FLOAT32 and FLOAT64. */
    public static Tensor cast(Tensor x, DType dtype) {
        Tensor out = Tensor.zeros(x.backend(), dtype, x.shape());
        x.backend().copy(x, out);
        DType from = x.dtype();
        return out.recordOp("cast", new Tensor[] {x}, g -> new Tensor[] {castNoGrad(g, from)});
    }

    private static Tensor castNoGrad(Tensor g, DType dtype) {
        if (g.dtype() == dtype) return g;
        Tensor out = Tensor.zeros(g.backend(), dtype, g.shape());
        g.backend().copy(g, out);
        return out;
    }

    // =================================================================== elementwise binary (broadcasting)

    private static Tensor binary(String op, BinaryOp kind, Tensor a, Tensor b) {
        same(op, a, b);
        int[] shape = Shapes.broadcast(op, a.shape(), b.shape());
        Tensor out = empty(a, shape);
        a.backend().binary(kind, a.dense(), b.dense(), out);
        return out;
    }

    public static Tensor add(Tensor a, Tensor b) {
        Tensor out = binary("add", BinaryOp.ADD, a, b);
        int[] as = a.shape(), bs = b.shape();
        return out.recordOp("add", new Tensor[] {a, b}, g -> new Tensor[] {reduceToShape(g, as), reduceToShape(g, bs)});
    }

    public static Tensor sub(Tensor a, Tensor b) {
        Tensor out = binary("sub", BinaryOp.SUB, a, b);
        int[] as = a.shape(), bs = b.shape();
        boolean needB = b.requiresGrad(); // a flag, not b: the rule must not keep b's data alive
        return out.recordOp("sub", new Tensor[] {a, b}, g -> new Tensor[] {reduceToShape(g, as), needB ? reduceToShape(neg(g), bs) : null});
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = binary("mul", BinaryOp.MUL, a, b);
        int[] as = a.shape(), bs = b.shape();
        boolean needA = a.requiresGrad(), needB = b.requiresGrad();
        Tensor ad = needB ? a.detach() : null, bd = needA ? b.detach() : null; // save only what a gradient needs
        return out.recordOp("mul", new Tensor[] {a, b}, g -> new Tensor[] {
            needA ? reduceToShape(mul(g, bd), as) : null,
            needB ? reduceToShape(mul(g, ad), bs) : null});
    }

    public static Tensor div(Tensor a, Tensor b) {
        Tensor out = binary("div", BinaryOp.DIV, a, b);
        int[] as = a.shape(), bs = b.shape();
        boolean needA = a.requiresGrad(), needB = b.requiresGrad();
        Tensor res = needB ? out.detach() : null, bd = b.detach();
        return out.recordOp("div", new Tensor[] {a, b}, g -> new Tensor[] {
            needA ? reduceToShape(div(g, bd), as) : null,
            needB ? reduceToShape(neg(div(mul(g, res), bd)), bs) : null});
    }

    /** Elementwise maximum; the gradient goes to {@code a} where a >= b, else to b. */
    public static Tensor maximum(Tensor a, Tensor b) {
        Tensor out = binary("maximum", BinaryOp.MAX, a, b);
        int[] as = a.shape(), bs = b.shape();
        return out.recordOp("maximum", new Tensor[] {a, b}, g -> {
            Tensor maskA = geMask(a.detach(), b.detach(), g.shape());
            return new Tensor[] {reduceToShape(mul(g, maskA), as), reduceToShape(mul(g, rsubScalar(maskA, 1.0)), bs)};
        });
    }

    /** Elementwise minimum; the gradient goes to {@code a} where {@code a <= b}, else to {@code b}. */
    public static Tensor minimum(Tensor a, Tensor b) {
        Tensor out = binary("minimum", BinaryOp.MIN, a, b);
        int[] as = a.shape(), bs = b.shape();
        return out.recordOp("minimum", new Tensor[] {a, b}, g -> {
            Tensor maskA = geMask(b.detach(), a.detach(), g.shape());
            return new Tensor[] {reduceToShape(mul(g, maskA), as), reduceToShape(mul(g, rsubScalar(maskA, 1.0)), bs)};
        });
    }

    /** 1 where a >= b (broadcast to shape), else 0; no gradient. */
    static Tensor geMask(Tensor a, Tensor b, int[] shape) {
        // (sign(a - b) + 1) / 2 gives 1, 0.5, 0; ties resolved by max(., sign) trick: step(a-b) = 1 - (sign(b-a)+1)/2 rounded
        Tensor diff = empty(a, shape);
        a.backend().binary(BinaryOp.SUB, b.dense(), a.dense(), diff); // b - a
        Tensor s = empty(a, shape);
        a.backend().unary(UnaryOp.SIGN, diff, s); // 1 where b > a
        Tensor pos = empty(a, shape);
        a.backend().clamp(s, 0.0, 1.0, pos);  // 1 where b > a else 0
        Tensor mask = empty(a, shape);
        a.backend().axpby(-1.0, pos, 0.0, pos, mask);
        a.backend().binaryScalar(BinaryOp.ADD, mask, 1.0, mask); // 1 where a >= b
        return mask;
    }

    /** Picks {@code a} where mask != 0 and {@code b} elsewhere; mask is 0/1 valued with broadcastable shape. */
    public static Tensor where(Tensor mask, Tensor a, Tensor b) {
        same("where", a, b);
        same("where", a, mask);
        Tensor inv = rsubScalar(mask.detach(), 1.0);
        int[] as = a.shape(), bs = b.shape();
        Tensor out;
        try (var g = dev.sfd.autograd.Grad.disabled()) {
            out = add(mul(mask.detach(), a.detach()), mul(inv, b.detach()));
        }
        Tensor m = mask.detach();
        boolean needA = a.requiresGrad(), needB = b.requiresGrad();
        return out.detach().recordOp("where", new Tensor[] {a, b}, g -> new Tensor[] {
            needA ? reduceToShape(mul(g, m), as) : null,
            needB ? reduceToShape(mul(g, inv), bs) : null});
    }

    // =================================================================== scalar ops

    public static Tensor addScalar(Tensor x, double s) {
        Tensor out = empty(x, x.shape());
        x.backend().binaryScalar(BinaryOp.ADD, x.dense(), s, out);
        return out.recordOp("addScalar", new Tensor[] {x}, g -> new Tensor[] {g});
    }

    public static Tensor mulScalar(Tensor x, double s) {
        Tensor out = empty(x, x.shape());
        x.backend().binaryScalar(BinaryOp.MUL, x.dense(), s, out);
        return out.recordOp("mulScalar", new Tensor[] {x}, g -> new Tensor[] {mulScalar(g, s)});
    }

    /** {@code s - x}. */
    public static Tensor rsubScalar(Tensor x, double s) { return addScalar(neg(x), s); }

    public static Tensor powScalar(Tensor x, double p) {
        Tensor out = empty(x, x.shape());
        x.backend().binaryScalar(BinaryOp.POW, x.dense(), p, out);
        Tensor xd = x.detach();
        return out.recordOp("powScalar", new Tensor[] {x}, g -> new Tensor[] {mul(g, mulScalar(powScalar(xd, p - 1), p))});
    }

    /** Clamps into [lo, hi]; the gradient passes where {@code lo <= x <= hi}. */
    public static Tensor clamp(Tensor x, double lo, double hi) {
        Tensor out = empty(x, x.shape());
        x.backend().clamp(x.dense(), lo, hi, out);
        Tensor xd = x.detach();
        return out.recordOp("clamp", new Tensor[] {x}, g -> {
            Tensor lower = geMask(xd, Tensor.scalar(xd.dtype(), lo), xd.shape());
            Tensor upper = geMask(Tensor.scalar(xd.dtype(), hi), xd, xd.shape());
            return new Tensor[] {mul(g, mul(lower, upper))};
        });
    }

    // =================================================================== unary

    private static Tensor unary(String name, UnaryOp op, Tensor x) {
        Tensor xd = x.dense();
        Tensor out = empty(x, x.shape());
        x.backend().unary(op, xd, out);
        Tensor y = out.detach();
        Tensor xin = xd.detach();
        return out.recordOp(name, new Tensor[] {x}, g -> {
            Tensor gi = empty(g, g.shape());
            g.backend().unaryBackward(op, xin, y, g.dense(), gi);
            return new Tensor[] {gi};
        });
    }

    public static Tensor neg(Tensor x) { return unary("neg", UnaryOp.NEG, x); }
    public static Tensor exp(Tensor x) { return unary("exp", UnaryOp.EXP, x); }
    public static Tensor log(Tensor x) { return unary("log", UnaryOp.LOG, x); }
    public static Tensor sqrt(Tensor x) { return unary("sqrt", UnaryOp.SQRT, x); }
    public static Tensor rsqrt(Tensor x) { return unary("rsqrt", UnaryOp.RSQRT, x); }
    public static Tensor square(Tensor x) { return unary("square", UnaryOp.SQUARE, x); }
    public static Tensor reciprocal(Tensor x) { return unary("reciprocal", UnaryOp.RECIPROCAL, x); }
    public static Tensor abs(Tensor x) { return unary("abs", UnaryOp.ABS, x); }
    public static Tensor sin(Tensor x) { return unary("sin", UnaryOp.SIN, x); }
    public static Tensor cos(Tensor x) { return unary("cos", UnaryOp.COS, x); }
    public static Tensor tanh(Tensor x) { return unary("tanh", UnaryOp.TANH, x); }
    public static Tensor sigmoid(Tensor x) { return unary("sigmoid", UnaryOp.SIGMOID, x); }
    public static Tensor silu(Tensor x) { return unary("silu", UnaryOp.SILU, x); }
    public static Tensor relu(Tensor x) { return unary("relu", UnaryOp.RELU, x); }

    /** NaN -> 0, +Inf -> 1e5, -Inf -> -1e5 (EDM's gradient sanitiser). Not differentiable; no tape. */
    public static Tensor nanToNum(Tensor x) {
        Tensor out = empty(x, x.shape());
        x.backend().unary(UnaryOp.NAN_TO_NUM, x.dense(), out);
        return out;
    }

    // =================================================================== reductions

    /** Sum over the given axes. */
    public static Tensor sum(Tensor x, int[] axes, boolean keepDim) {
        int[] shape = x.shape();
        int[] kept = shape.clone();
        boolean[] red = new boolean[shape.length];
        for (int a : axes) {
            int ax = Shapes.axis("sum", a, shape.length);
            red[ax] = true;
            kept[ax] = 1;
        }
        Tensor out = empty(x, kept);
        x.backend().reduce(ReduceOp.SUM, x.dense(), out);
        Tensor res = out;
        if (!keepDim) {
            int n = 0;
            for (boolean r : red) if (!r) n++;
            int[] squeezed = new int[n];
            for (int i = 0, j = 0; i < shape.length; i++) if (!red[i]) squeezed[j++] = shape[i];
            res = new Tensor(out.storage(), squeezed);
        }
        return res.recordOp("sum", new Tensor[] {x}, g -> new Tensor[] {expandTo(g, kept, shape)});
    }

    /** Broadcasts g (whose data has shape {@code kept}) to {@code shape}. */
    static Tensor expandTo(Tensor g, int[] kept, int[] shape) {
        Tensor gk = new Tensor(g.dense().storage(), kept);
        Tensor out = empty(g, shape);
        g.backend().fill(out, 0.0);
        g.backend().binary(BinaryOp.ADD, out, gk, out);
        return out;
    }

    public static Tensor mean(Tensor x, int[] axes, boolean keepDim) {
        int n = 1;
        for (int a : axes) n *= x.dim(a);
        return mulScalar(sum(x, axes, keepDim), 1.0 / n);
    }

    public static Tensor sumAll(Tensor x) {
        int[] axes = new int[x.rank()];
        for (int i = 0; i < axes.length; i++) axes[i] = i;
        return sum(x, axes, false);
    }

    public static Tensor meanAll(Tensor x) { return mulScalar(sumAll(x), 1.0 / x.numel()); }

    // =================================================================== shape ops

    /** Same data in a new shape (one dimension may be -1); a view when the input is dense. */
    public static Tensor reshape(Tensor x, int... newShape) {
        int[] shape = newShape.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) throw new ShapeException("reshape: more than one -1 in " + Arrays.toString(newShape));
                infer = i;
            } else known *= shape[i];
        }
        if (infer >= 0) {
            if (known == 0 || x.numel() % known != 0) throw new ShapeException("reshape: cannot reshape " + Shapes.str(x.shape()) + " to " + Arrays.toString(newShape));
            shape[infer] = x.numel() / known;
        }
        if (Shapes.numel(shape) != x.numel()) {
            throw new ShapeException("reshape: cannot reshape " + Shapes.str(x.shape()) + " (" + x.numel() + " elements) to " + Shapes.str(shape));
        }
        Tensor d = x.dense();
        Tensor out = new Tensor(d.storage(), shape);
        int[] orig = x.shape();
        return out.recordOp("reshape", new Tensor[] {d}, g -> new Tensor[] {reshape(g, orig)});
    }

    /** Reorders dimensions (a strided view; no copy). */
    public static Tensor permute(Tensor x, int... axes) {
        int r = x.rank();
        if (axes.length != r) throw new ShapeException("permute: " + axes.length + " axes for rank " + r);
        boolean[] seen = new boolean[r];
        int[] shape = new int[r], strides = new int[r], inv = new int[r];
        int[] xs = x.shape(), xst = x.strides();
        for (int i = 0; i < r; i++) {
            int a = Shapes.axis("permute", axes[i], r);
            if (seen[a]) throw new ShapeException("permute: axis " + a + " repeated in " + Arrays.toString(axes));
            seen[a] = true;
            shape[i] = xs[a];
            strides[i] = xst[a];
            inv[a] = i;
        }
        Tensor out = new Tensor(x.storage(), shape, strides, x.offset());
        return out.recordOp("permute", new Tensor[] {x}, g -> new Tensor[] {permute(g, inv)});
    }

    public static Tensor transpose(Tensor x, int a, int b) {
        int r = x.rank();
        int[] axes = new int[r];
        for (int i = 0; i < r; i++) axes[i] = i;
        a = Shapes.axis("transpose", a, r);
        b = Shapes.axis("transpose", b, r);
        axes[a] = b;
        axes[b] = a;
        return permute(x, axes);
    }

    /** The slice [start, start+length) of one axis (a strided view; no copy). */
    public static Tensor narrow(Tensor x, int axis, int start, int length) {
        int ax = Shapes.axis("narrow", axis, x.rank());
        int[] shape = x.shape();
        if (start < 0 || length < 0 || start + length > shape[ax]) {
            throw new ShapeException("narrow: range [" + start + ", " + (start + length) + ") out of bounds for axis " + ax + " of " + Shapes.str(shape));
        }
        int[] strides = x.strides();
        int[] ns = shape.clone();
        ns[ax] = length;
        Tensor out = new Tensor(x.storage(), ns, strides, x.offset() + start * strides[ax]);
        return out.recordOp("narrow", new Tensor[] {x}, g -> {
            Tensor gi = empty(g, shape);
            Tensor dst = new Tensor(gi.storage(), ns, gi.strides(), start * gi.strides()[ax]);
            g.backend().copy(g, dst);
            return new Tensor[] {gi};
        });
    }

    /** Concatenates along an axis (all other dimensions equal). */
    public static Tensor concat(int axis, Tensor... xs) {
        if (xs.length == 0) throw new ShapeException("concat: no tensors");
        int r = xs[0].rank();
        int ax = Shapes.axis("concat", axis, r);
        int[] shape = xs[0].shape();
        int total = 0;
        for (Tensor t : xs) {
            same("concat", xs[0], t);
            int[] s = t.shape();
            if (s.length != r) throw new ShapeException("concat: rank mismatch " + Shapes.str(shape) + " vs " + Shapes.str(s));
            for (int i = 0; i < r; i++) {
                if (i != ax && s[i] != shape[i]) throw new ShapeException("concat along " + ax + ": shapes " + Shapes.str(shape) + " and " + Shapes.str(s) + " differ in dim " + i);
            }
            total += s[ax];
        }
        shape[ax] = total;
        Tensor out = empty(xs[0], shape);
        int[] ost = out.strides();
        int pos = 0;
        int[] starts = new int[xs.length];
        for (int k = 0; k < xs.length; k++) {
            int[] s = xs[k].shape();
            starts[k] = pos;
            out.backend().copy(xs[k], new Tensor(out.storage(), s, ost, pos * ost[ax]));
            pos += s[ax];
        }
        // sizes and flags, not the inputs: the rule must not keep their data alive
        int[] lengths = new int[xs.length];
        boolean[] need = new boolean[xs.length];
        for (int k = 0; k < xs.length; k++) {
            lengths[k] = xs[k].dim(ax);
            need[k] = xs[k].requiresGrad();
        }
        return out.recordOp("concat", xs.clone(), g -> {
            Tensor[] gs = new Tensor[lengths.length];
            for (int k = 0; k < lengths.length; k++) {
                if (need[k]) gs[k] = contiguousCopyNoGrad(narrow(g, ax, starts[k], lengths[k]));
            }
            return gs;
        });
    }

    private static Tensor contiguousCopyNoGrad(Tensor x) {
        Tensor out = empty(x, x.shape());
        x.backend().copy(x, out);
        return out;
    }

    // =================================================================== linear algebra

    /**
     * Matrix product: [M,K] @ [K,N], or batched [B,M,K] @ [B,K,N] (either side may have batch 1 or no batch:
     * it broadcasts).
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        same("matmul", a, b);
        if (a.rank() < 2 || a.rank() > 3 || b.rank() < 2 || b.rank() > 3) {
            throw new ShapeException("matmul: expects rank 2 or 3 operands, got " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()));
        }
        Tensor a3 = a.rank() == 2 ? reshape(a, 1, a.dim(0), a.dim(1)) : a;
        Tensor b3 = b.rank() == 2 ? reshape(b, 1, b.dim(0), b.dim(1)) : b;
        int ba = a3.dim(0), bb = b3.dim(0), m = a3.dim(1), k = a3.dim(2), k2 = b3.dim(1), n = b3.dim(2);
        if (k != k2) throw new ShapeException("matmul: inner dimensions differ: " + Shapes.str(a.shape()) + " @ " + Shapes.str(b.shape()));
        if (ba != bb && ba != 1 && bb != 1) throw new ShapeException("matmul: batch sizes " + ba + " and " + bb + " do not broadcast");
        int batch = Math.max(ba, bb);
        Tensor out = empty(a, batch, m, n);
        Tensor ad0 = a3.dense().detach(), bd0 = b3.dense().detach();
        a.backend().matmul(ad0, bd0, out, false, false, 1.0, 0.0);
        Tensor res = (a.rank() == 2 && b.rank() == 2) ? new Tensor(out.storage(), m, n) : out;
        int[] aShape = a.shape(), bShape = b.shape();
        boolean needA = a.requiresGrad(), needB = b.requiresGrad();
        Tensor ad = needB ? ad0 : null, bd = needA ? bd0 : null; // each operand is saved only for the other's gradient
        return res.recordOp("matmul", new Tensor[] {a, b}, g -> {
            Tensor g3 = reshape(g.dense(), batch, m, n);
            Tensor ga = null, gb = null;
            if (needA) {
                Tensor t = empty(g, batch, m, k);
                g.backend().matmul(g3, bd, t, false, true, 1.0, 0.0);            // dA = dC @ B^T
                ga = reshape(ba == 1 && batch > 1 ? sum(t, new int[] {0}, true) : t, aShape);
            }
            if (needB) {
                Tensor t = empty(g, batch, k, n);
                g.backend().matmul(ad, g3, t, true, false, 1.0, 0.0);            // dB = A^T @ dC
                gb = reshape(bb == 1 && batch > 1 ? sum(t, new int[] {0}, true) : t, bShape);
            }
            return new Tensor[] {ga, gb};
        });
    }

    /** y = x W^T + b for x [N, in], W [out, in], b [out] (nullable). */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        requireShape("linear", w, "weight", 2);
        if (x.rank() != 2 || x.dim(1) != w.dim(1)) {
            throw new ShapeException("linear: input " + Shapes.str(x.shape()) + " does not match weight " + Shapes.str(w.shape()) + " (expected [N, " + w.dim(1) + "])");
        }
        Tensor y = matmul(x, transpose(w, 0, 1));
        return b == null ? y : add(y, b);
    }

    // =================================================================== convolution

    /** 2-D convolution, stride 1, zero padding {@code pad}: x [N,Ci,H,W], w [Co,Ci,K,K], bias [Co] or null. */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int pad) {
        requireShape("conv2d", x, "input", 4);
        requireShape("conv2d", w, "weight", 4);
        same("conv2d", x, w);
        int n = x.dim(0), ci = x.dim(1), h = x.dim(2), wd = x.dim(3), co = w.dim(0), kk = w.dim(2);
        if (w.dim(1) != ci || w.dim(3) != kk) {
            throw new ShapeException("conv2d: weight " + Shapes.str(w.shape()) + " does not fit input " + Shapes.str(x.shape()) + " (expected [Co, " + ci + ", K, K])");
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != co)) throw new ShapeException("conv2d: bias " + Shapes.str(bias.shape()) + " expected [" + co + "]");
        int ho = h + 2 * pad - kk + 1, wo = wd + 2 * pad - kk + 1;
        if (ho <= 0 || wo <= 0) throw new ShapeException("conv2d: kernel " + kk + " with padding " + pad + " is larger than input " + Shapes.str(x.shape()));
        Tensor xd = x.dense().detach(), wdn = w.dense().detach();
        Tensor out = empty(x, n, co, ho, wo);
        x.backend().conv2d(xd, wdn, bias == null ? null : bias.dense(), pad, out);
        int[] xShape = x.shape(), wShape = w.shape();
        Tensor[] ins = bias == null ? new Tensor[] {x, w} : new Tensor[] {x, w, bias};
        boolean needX = x.requiresGrad(), needW = w.requiresGrad(), hasBias = bias != null, needB = hasBias && bias.requiresGrad();
        Tensor xSaved = needW || needB ? xd : null; // frozen weights (teacher, fake net in the generator step): the input is not kept
        Tensor wSaved = needX ? wdn : null;
        return out.recordOp("conv2d", ins, g -> {
            Tensor gd = g.dense();
            Tensor gx = null, gw = null, gb = null;
            if (needX) {
                gx = empty(g, xShape);
                g.backend().conv2dBackwardData(gd, wSaved, pad, gx);
            }
            if (needW || needB) {
                Tensor tw = empty(g, wShape);
                Tensor tb = needB ? empty(g, co) : null;
                g.backend().conv2dBackwardWeight(xSaved, gd, pad, tw, tb);
                gw = needW ? tw : null;
                gb = tb;
            }
            return hasBias ? new Tensor[] {gx, gw, gb} : new Tensor[] {gx, gw};
        });
    }

    // =================================================================== normalisation

    /** Group norm of x [N, C, ...] with affine gamma/beta [C] (either may be null). */
    public static Tensor groupNorm(Tensor x, int groups, Tensor gamma, Tensor beta, double eps) {
        if (x.rank() < 2) throw new ShapeException("groupNorm: input must be [N, C, ...], got " + Shapes.str(x.shape()));
        int n = x.dim(0), c = x.dim(1);
        if (groups <= 0 || c % groups != 0) throw new ShapeException("groupNorm: " + c + " channels cannot be split into " + groups + " groups");
        if (gamma != null && (gamma.rank() != 1 || gamma.dim(0) != c)) throw new ShapeException("groupNorm: weight " + Shapes.str(gamma.shape()) + " expected [" + c + "]");
        if (beta != null && (beta.rank() != 1 || beta.dim(0) != c)) throw new ShapeException("groupNorm: bias " + Shapes.str(beta.shape()) + " expected [" + c + "]");
        Tensor xd = x.dense().detach();
        Tensor gd = gamma == null ? null : gamma.dense().detach();
        Tensor out = empty(x, x.shape());
        Tensor mean = empty(x, n, groups), rstd = empty(x, n, groups);
        x.backend().groupNorm(xd, gd, beta == null ? null : beta.dense(), groups, eps, out, mean, rstd);
        int[] shape = x.shape();
        boolean hasGamma = gamma != null, hasBeta = beta != null;
        return out.recordOp("groupNorm", new Tensor[] {x, gamma, beta}, g -> {
            Tensor gx = empty(g, shape);
            Tensor gg = hasGamma ? empty(g, c) : null;
            Tensor gb = hasBeta ? empty(g, c) : null;
            g.backend().groupNormBackward(xd, gd, mean, rstd, groups, g.dense(), gx, gg, gb);
            return new Tensor[] {gx, gg, gb};
        });
    }

    /**
     * {@code silu(groupNorm(x, ...))} in one op that saves only {@code x} (and the group statistics) for backward:
     * the normalised tensor is recomputed there instead of being kept alive between forward and backward. Its
     * values and gradients are bit-identical to the two separate ops, since backward reruns the same kernels.
     */
    public static Tensor groupNormSilu(Tensor x, int groups, Tensor gamma, Tensor beta, double eps) {
        if (x.rank() < 2) throw new ShapeException("groupNormSilu: input must be [N, C, ...], got " + Shapes.str(x.shape()));
        int n = x.dim(0), c = x.dim(1);
        if (groups <= 0 || c % groups != 0) throw new ShapeException("groupNormSilu: " + c + " channels cannot be split into " + groups + " groups");
        if (gamma != null && (gamma.rank() != 1 || gamma.dim(0) != c)) throw new ShapeException("groupNormSilu: weight " + Shapes.str(gamma.shape()) + " expected [" + c + "]");
        if (beta != null && (beta.rank() != 1 || beta.dim(0) != c)) throw new ShapeException("groupNormSilu: bias " + Shapes.str(beta.shape()) + " expected [" + c + "]");
        Tensor xd = x.dense().detach();
        Tensor gd = gamma == null ? null : gamma.dense().detach();
        Tensor bd = beta == null ? null : beta.dense().detach();
        int[] shape = x.shape();
        Backend be = x.backend();
        Tensor normed = empty(x, shape);
        Tensor mean = empty(x, n, groups), rstd = empty(x, n, groups);
        be.groupNorm(xd, gd, bd, groups, eps, normed, mean, rstd);
        Tensor out = empty(x, shape);
        be.unary(UnaryOp.SILU, normed, out);
        normed = null; // not saved: backward recomputes it
        boolean hasGamma = gamma != null, hasBeta = beta != null;
        return out.recordOp("groupNormSilu", new Tensor[] {x, gamma, beta}, g -> {
            Tensor y = empty(g, shape);
            Tensor m2 = empty(g, n, groups), r2 = empty(g, n, groups);
            g.backend().groupNorm(xd, gd, bd, groups, eps, y, m2, r2);
            Tensor gy = empty(g, shape);
            g.backend().unaryBackward(UnaryOp.SILU, y, y, g.dense(), gy); // silu's derivative reads its input only
            Tensor gx = empty(g, shape);
            Tensor gg = hasGamma ? empty(g, c) : null;
            Tensor gb = hasBeta ? empty(g, c) : null;
            g.backend().groupNormBackward(xd, gd, mean, rstd, groups, gy, gx, gg, gb);
            return new Tensor[] {gx, gg, gb};
        });
    }

    /** Softmax over the last dimension. */
    public static Tensor softmax(Tensor x) {
        Tensor out = empty(x, x.shape());
        x.backend().softmax(x.dense(), out);
        Tensor y = out.detach();
        return out.recordOp("softmax", new Tensor[] {x}, g -> {
            Tensor gi = empty(g, g.shape());
            g.backend().softmaxBackward(y, g.dense(), gi);
            return new Tensor[] {gi};
        });
    }

    // =================================================================== resampling

    /** Nearest-neighbour 2x upsampling of NCHW. */
    public static Tensor upsample2x(Tensor x) {
        requireShape("upsample2x", x, "input", 4);
        Tensor out = empty(x, x.dim(0), x.dim(1), 2 * x.dim(2), 2 * x.dim(3));
        x.backend().upsample2x(x.dense(), out);
        int[] xs = x.shape();
        return out.recordOp("upsample2x", new Tensor[] {x}, g -> {
            Tensor gi = empty(g, xs);
            g.backend().upsample2xBackward(g.dense(), gi);
            return new Tensor[] {gi};
        });
    }

    /** 2x2 average pooling (stride 2) of NCHW with even H and W. */
    public static Tensor avgPool2x(Tensor x) {
        requireShape("avgPool2x", x, "input", 4);
        if (x.dim(2) % 2 != 0 || x.dim(3) % 2 != 0) throw new ShapeException("avgPool2x: H and W must be even, got " + Shapes.str(x.shape()));
        Tensor out = empty(x, x.dim(0), x.dim(1), x.dim(2) / 2, x.dim(3) / 2);
        x.backend().avgPool2x(x.dense(), out);
        int[] xs = x.shape();
        return out.recordOp("avgPool2x", new Tensor[] {x}, g -> {
            Tensor gi = empty(g, xs);
            g.backend().avgPool2xBackward(g.dense(), gi);
            return new Tensor[] {gi};
        });
    }

    // =================================================================== stochastic

    /**
     * Inverted dropout with probability p: keeps an element when a Philox uniform draw (seed, counter) is
     * >= p and scales kept elements by 1/(1-p). Deterministic for a given (seed, counter).
     */
    public static Tensor dropout(Tensor x, double p, long seed, long counter) {
        if (p < 0 || p >= 1) throw new SfdException("dropout: probability must be in [0, 1), got " + p);
        if (p == 0) return x;
        Tensor u = empty(x, x.shape());
        x.backend().randomUniform(seed, counter, u);
        Tensor mask = geMask(u, Tensor.scalar(x.dtype(), p), x.shape());
        x.backend().binaryScalar(BinaryOp.MUL, mask, 1.0 / (1.0 - p), mask);
        Tensor out = empty(x, x.shape());
        x.backend().binary(BinaryOp.MUL, x.dense(), mask, out);
        return out.recordOp("dropout", new Tensor[] {x}, g -> new Tensor[] {mul(g, mask)});
    }

    // =================================================================== fused SiD generator loss

    /**
     * Per-sample SiD generator loss (SPEC-SFD eq. in section 6): with omega = max(mean|yReal - xg|, 1e-5)
     * held constant, loss_n = sum (yReal - yFake) * ((yReal - xg) - alpha (yReal - yFake)) / omega_n.
     * Returns [N]; gradients flow to all three inputs.
     */
    public static Tensor sidLoss(Tensor xg, Tensor yReal, Tensor yFake, double alpha) {
        same("sidLoss", xg, yReal);
        same("sidLoss", xg, yFake);
        if (!Shapes.equal(xg.shape(), yReal.shape()) || !Shapes.equal(xg.shape(), yFake.shape())) {
            throw new ShapeException("sidLoss: shapes differ: xg " + Shapes.str(xg.shape()) + ", yReal " + Shapes.str(yReal.shape()) + ", yFake " + Shapes.str(yFake.shape()));
        }
        int n = xg.dim(0);
        Tensor x = xg.dense().detach(), r = yReal.dense().detach(), f = yFake.dense().detach();
        Tensor loss = empty(xg, n), omega = empty(xg, n);
        xg.backend().sidLoss(x, r, f, alpha, loss, omega);
        int[] shape = xg.shape();
        return loss.recordOp("sidLoss", new Tensor[] {xg, yReal, yFake}, g -> {
            Tensor gx = empty(g, shape), gr = empty(g, shape), gf = empty(g, shape);
            g.backend().sidLossBackward(x, r, f, alpha, omega, g.dense(), gx, gr, gf);
            return new Tensor[] {gx, gr, gf};
        });
    }

    // =================================================================== non-differentiable constructors

    /** One-hot rows [N, classes] for integer labels; -1 gives an all-zero row (the null label). */
    public static Tensor oneHot(int[] labels, int classes, DType dtype) {
        double[] d = new double[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            int l = labels[i];
            if (l == -1) continue;
            if (l < 0 || l >= classes) throw new SfdException("oneHot: class id " + l + " out of range [0, " + classes + ")");
            d[i * classes + l] = 1.0;
        }
        Tensor t = Tensor.of(d, labels.length, classes);
        return dtype == DType.FLOAT64 ? t : cast(t, dtype);
    }

    /** Standard normal tensor from the Philox stream (seed, counter). */
    public static Tensor randn(Backend backend, DType dtype, long seed, long counter, int... shape) {
        Tensor t = Tensor.zeros(backend, dtype, shape);
        backend.randomNormal(seed, counter, t);
        return t;
    }

    /** Uniform [0,1) tensor from the Philox stream (seed, counter). */
    public static Tensor rand(Backend backend, DType dtype, long seed, long counter, int... shape) {
        Tensor t = Tensor.zeros(backend, dtype, shape);
        backend.randomUniform(seed, counter, t);
        return t;
    }
}
