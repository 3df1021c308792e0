package dev.sfd.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code -Dsfd.checkNaN=true} names the first op that produced a NaN (checked in a child JVM, since the flag is read once). */
class CheckNanTest {
    public static void main(String[] args) {
        Tensor x = Tensor.of(new float[] {1, -1, 4}, 3);
        Tensor y = dev.sfd.ops.Ops.sqrt(x); // sqrt(-1) = NaN
        System.out.println("no error: " + y);
    }

    @Test
    void firstNanProducingOpIsNamed() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(List.of(java, "-Dsfd.checkNaN=true", "-cp", System.getProperty("java.class.path"), CheckNanTest.class.getName()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.waitFor(), out);
        assertTrue(out.contains("op 'sqrt' produced NaN"), out);
    }
}
