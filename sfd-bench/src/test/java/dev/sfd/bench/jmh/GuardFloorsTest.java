package dev.sfd.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.junit.jupiter.api.Test;

class GuardFloorsTest {
    @Test
    void everyFigureHasAPositiveFloorAndExistingBenchmarks() throws Exception {
        Properties floors = Guard.floors();
        Set<String> methods = new TreeSet<>();
        for (Method m : GuardBench.class.getMethods()) if (m.isAnnotationPresent(Benchmark.class)) methods.add(m.getName());
        Set<String> names = new TreeSet<>();
        for (Guard.Figure f : Guard.FIGURES) {
            names.add(f.name());
            String v = floors.getProperty(f.name());
            assertNotNull(v, "no floor for " + f.name());
            assertTrue(Double.parseDouble(v) > 0, f.name() + " floor " + v);
            assertTrue(methods.contains(f.fast()) && methods.contains(f.reference()), f + " names a missing benchmark; have " + methods);
        }
        assertEquals(names, new TreeSet<>(floors.stringPropertyNames()), "floors without a figure, or figures without a floor");
    }
}
