package dev.sfd.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfTest {
    static String hex(short s) { return "0x" + Integer.toHexString(s & 0xffff); }

    @Test
    void everyHalfRoundTripsThroughFloat() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float v = Half.toFloat((short) bits);
            if (Float.isNaN(v)) continue;
            assertEquals((short) bits, Half.fromFloat(v), "round trip of half " + hex((short) bits));
        }
    }

    @Test
    void knownValuesDecode() {
        assertEquals(1.0f, Half.toFloat((short) 0x3c00));
        assertEquals(-2.0f, Half.toFloat((short) 0xc000));
        assertEquals(65504f, Half.toFloat((short) 0x7bff));                 // largest finite half
        assertEquals(0x1p-24f, Half.toFloat((short) 0x0001));               // smallest subnormal
        assertEquals(-0x3ffp-24f, Half.toFloat((short) 0x83ff));            // largest subnormal, negative
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Half.toFloat((short) 0x8000)));
        assertEquals(Float.NEGATIVE_INFINITY, Half.toFloat((short) 0xfc00));
        assertEquals(Float.POSITIVE_INFINITY, Half.toFloat((short) 0x7c00));
        assertTrue(Float.isNaN(Half.toFloat((short) 0x7e00)));
    }

    @Test
    void encodingRoundsToNearestEven() {
        // 1 + 2^-11 lies halfway between 1 (0x3c00, even) and 1 + 2^-10 (0x3c01): ties go to the even one
        assertEquals((short) 0x3c00, Half.fromFloat(1f + 0x1p-11f));
        // 1 + 3 * 2^-11 lies halfway between 0x3c01 (odd) and 0x3c02: up to the even one
        assertEquals((short) 0x3c02, Half.fromFloat(1f + 3 * 0x1p-11f));
        // just above and below the halfway point
        assertEquals((short) 0x3c01, Half.fromFloat(1f + 0x1p-11f + 0x1p-20f));
        assertEquals((short) 0x3c00, Half.fromFloat(1f + 0x1p-11f - 0x1p-20f));
        // rounding up may carry into the exponent: 2 - 2^-12 rounds to 2
        assertEquals((short) 0x4000, Half.fromFloat(2f - 0x1p-12f));
        assertEquals((short) 0xbc00, Half.fromFloat(-1f - 0x1p-13f));
    }

    @Test
    void overflowUnderflowAndSubnormalsEncode() {
        assertEquals((short) 0x7c00, Half.fromFloat(65536f), "above the half range: infinity");
        assertEquals((short) 0xfc00, Half.fromFloat(-1e10f));
        assertEquals((short) 0x7c00, Half.fromFloat(Float.POSITIVE_INFINITY));
        assertEquals((short) 0x7c00, Half.fromFloat(70000f), "between 2^16 and 2^17: still infinity, not a NaN");
        assertEquals((short) 0x7e00, Half.fromFloat(Float.NaN), "NaN stays a quiet NaN");
        assertEquals((short) 0xfe00, Half.fromFloat(Float.intBitsToFloat(0xff800001)), "a signalling NaN becomes quiet");
        assertEquals((short) 0x7e01, Half.fromFloat(Float.intBitsToFloat(0x7fc02000)), "the payload's top bits are kept");
        assertEquals((short) 0x0000, Half.fromFloat(0x1p-30f), "far below the smallest subnormal: zero");
        assertEquals((short) 0x8000, Half.fromFloat(-0x1p-30f), "signed zero");
        assertEquals((short) 0x0001, Half.fromFloat(0x1p-24f));
        // subnormal ties to even: 1.5 * 2^-24 -> 2 * 2^-24, 2.5 * 2^-24 -> 2 * 2^-24, and just above 2.5 -> 3
        assertEquals((short) 0x0002, Half.fromFloat(1.5f * 0x1p-24f));
        assertEquals((short) 0x0002, Half.fromFloat(2.5f * 0x1p-24f));
        assertEquals((short) 0x0003, Half.fromFloat(2.5f * 0x1p-24f + 0x1p-40f));
        // half the smallest subnormal is a tie with zero (even): 0; a bit more rounds up to 1
        assertEquals((short) 0x0000, Half.fromFloat(0x1p-25f));
        assertEquals((short) 0x0001, Half.fromFloat(0x1p-25f + 0x1p-40f));
        // the subnormal just below the normal range rounds up into it
        assertEquals((short) 0x0400, Half.fromFloat(0x1p-14f - 0x1p-30f));
    }
}
