package dev.sfd.backend.cpu;

import static org.junit.jupiter.api.Assertions.fail;

/** Float-vs-double comparisons with an error scale per element. */
final class Check {
    private Check() {}

    /** |got - want| <= rel * scale + abs for every element (scale = sum of |terms| of that element). */
    static void close(String what, float[] got, double[] want, double[] scale, double rel, double abs) {
        if (got.length != want.length) fail(what + ": length " + got.length + ", expected " + want.length);
        for (int i = 0; i < want.length; i++) {
            double tol = rel * (scale == null ? Math.abs(want[i]) : scale[i]) + abs;
            if (!(Math.abs(got[i] - want[i]) <= tol)) {
                fail(what + ": element " + i + " is " + got[i] + ", expected " + want[i] + " (tolerance " + tol + ")");
            }
        }
    }

    static void close(String what, double[] got, double[] want, double rel, double abs) {
        if (got.length != want.length) fail(what + ": length " + got.length + ", expected " + want.length);
        for (int i = 0; i < want.length; i++) {
            double tol = rel * Math.abs(want[i]) + abs;
            if (!(Math.abs(got[i] - want[i]) <= tol)) {
                fail(what + ": element " + i + " is " + got[i] + ", expected " + want[i] + " (tolerance " + tol + ")");
            }
        }
    }
}
