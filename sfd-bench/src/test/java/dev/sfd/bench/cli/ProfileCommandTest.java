package dev.sfd.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProfileCommandTest {
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda-emu"})
    void gemmProfilePrintsTheMatmulKernelRow(String backend) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            rc = SfdCli.execute("profile", "gemm", "--size", "96", "--runs", "2", "--backend", backend);
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertTrue(out.contains("profile gemm on " + backend), out);
        assertTrue(out.matches("(?s).*\\nmatmul +kernel +2 .*"), out);
    }
}
