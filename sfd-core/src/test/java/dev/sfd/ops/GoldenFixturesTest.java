package dev.sfd.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.io.SafeTensors;
import dev.sfd.nn.Attention;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * Golden outputs and gradients from PyTorch (tools/make_fixtures.py) for conv2d (3x3 and 1x1), group norm,
 * SongUNet's attention sub-block (interleaved q/k/v) and 2x resampling. Tolerance: max |a - b| <= 1e-4 * max(1, max |b|).
 */
class GoldenFixturesTest {
    static SafeTensors.Contents load(String name) throws IOException {
        try (InputStream in = GoldenFixturesTest.class.getResourceAsStream("/fixtures/" + name + ".safetensors")) {
            return SafeTensors.read(in, name, DType.FLOAT32);
        }
    }

    static void close(Tensor expected, Tensor actual, String what) {
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        assertEquals(e.length, a.length, what);
        double maxRef = 1, err = 0;
        for (int i = 0; i < e.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(e[i]));
            err = Math.max(err, Math.abs(e[i] - a[i]));
        }
        assertTrue(err <= 1e-4 * maxRef, what + ": max error " + err);
    }

    static Tensor leaf(SafeTensors.Contents c, String k) { return c.get(k).detach().requiresGrad(true); }

    @Test
    void conv2d() throws IOException {
        SafeTensors.Contents c = load("conv2d");
        for (String s : new String[] {"", "2"}) {
            Tensor x = leaf(c, "x" + s), w = leaf(c, "w" + s), b = leaf(c, "b" + s);
            Tensor y = Ops.conv2d(x, w, b, w.dim(2) / 2);
            close(c.get("y" + s), y, "conv y" + s);
            Ops.sumAll(Ops.mul(y, c.get("r" + s))).backward();
            close(c.get("grad_x" + s), x.grad(), "conv grad_x" + s);
            close(c.get("grad_w" + s), w.grad(), "conv grad_w" + s);
            close(c.get("grad_b" + s), b.grad(), "conv grad_b" + s);
        }
    }

    @Test
    void groupNorm() throws IOException {
        SafeTensors.Contents c = load("groupnorm");
        Tensor x = leaf(c, "x"), g = leaf(c, "gamma"), b = leaf(c, "beta");
        Tensor y = Ops.groupNorm(x, 3, g, b, 1e-6);
        close(c.get("y"), y, "gn y");
        Ops.sumAll(Ops.mul(y, c.get("r"))).backward();
        close(c.get("grad_x"), x.grad(), "gn grad_x");
        close(c.get("grad_gamma"), g.grad(), "gn grad_gamma");
        close(c.get("grad_beta"), b.grad(), "gn grad_beta");
    }

    @Test
    void attentionBlockWithInterleavedQkv() throws IOException {
        SafeTensors.Contents c = load("attention");
        Tensor h = leaf(c, "h");
        Tensor nw = leaf(c, "norm2.weight"), nb = leaf(c, "norm2.bias"), qw = leaf(c, "qkv.weight"), qb = leaf(c, "qkv.bias");
        Tensor pw = leaf(c, "proj.weight"), pb = leaf(c, "proj.bias");
        int n = 2, ch = 8, hw = 16;
        Tensor t = Ops.reshape(Ops.conv2d(Ops.groupNorm(h, 2, nw, nb, 1e-6), qw, qb, 0), n, ch, 3, hw);
        Tensor q = Ops.reshape(Ops.narrow(t, 2, 0, 1), n, ch, hw);
        Tensor k = Ops.reshape(Ops.narrow(t, 2, 1, 1), n, ch, hw);
        Tensor v = Ops.reshape(Ops.narrow(t, 2, 2, 1), n, ch, hw);
        close(c.get("q"), q, "q");
        close(c.get("k"), k, "k");
        close(c.get("v"), v, "v");
        Tensor a = Attention.channelsFirst(q, k, v);
        close(c.get("a"), a, "a");
        Tensor out = Ops.mulScalar(Ops.add(Ops.conv2d(Ops.reshape(a, n, ch, 4, 4), pw, pb, 0), h), Math.sqrt(0.5));
        close(c.get("out"), out, "out");
        Ops.sumAll(Ops.mul(out, c.get("r"))).backward();
        close(c.get("grad_h"), h.grad(), "grad_h");
        close(c.get("grad_norm2.weight"), nw.grad(), "grad norm2.weight");
        close(c.get("grad_qkv.weight"), qw.grad(), "grad qkv.weight");
        close(c.get("grad_qkv.bias"), qb.grad(), "grad qkv.bias");
        close(c.get("grad_proj.weight"), pw.grad(), "grad proj.weight");
        close(c.get("grad_proj.bias"), pb.grad(), "grad proj.bias");
    }

    @Test
    void resampling() throws IOException {
        SafeTensors.Contents c = load("resample");
        Tensor x = leaf(c, "x");
        Tensor down = Ops.avgPool2x(x);
        close(c.get("down"), down, "down");
        Ops.sumAll(Ops.mul(down, c.get("r_down"))).backward();
        close(c.get("grad_x_down"), x.grad(), "grad down");
        Tensor x2 = leaf(c, "x");
        Tensor up = Ops.upsample2x(x2);
        close(c.get("up"), up, "up");
        Ops.sumAll(Ops.mul(up, c.get("r_up"))).backward();
        close(c.get("grad_x_up"), x2.grad(), "grad up");
    }
}
