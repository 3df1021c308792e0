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

    @ParameterizedTest
    @ValueSource(strings = {"--clock=bogus", "--clock=cpu --backend=cuda-emu", "--threads=0"})
    void badClockOrThreadsIsAUsageError(String args) {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
            String[] extra = args.split(" ");
            String[] all = new String[4 + extra.length];
            all[0] = "profile";
            all[1] = "gemm";
            all[2] = "--size";
            all[3] = "32";
            System.arraycopy(extra, 0, all, 4, extra.length);
            rc = SfdCli.execute(all);
        } finally {
            System.setErr(oldErr);
        }
        String err = buf.toString(StandardCharsets.UTF_8);
        assertEquals(2, rc, err);
        assertTrue(err.contains(args.startsWith("--threads") ? "--threads" : "--clock"), err);
    }
}
