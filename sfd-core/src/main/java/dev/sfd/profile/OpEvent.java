package dev.sfd.profile;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Java Flight Recorder event for one op: an autograd backward rule ({@code conv2d.backward}) or a named region
 * of a workload ({@link Profiler#region}). Its duration includes the kernels it ran (their own
 * {@link KernelEvent}s, on the same thread).
 */
@Name("dev.sfd.Op")
@Label("sfd op")
@Category({"sfd"})
@Description("An sfd op (autograd backward rule or named region)")
@StackTrace(false)
public final class OpEvent extends jdk.jfr.Event {
    @Label("Name")
    public String name;

    @Label("Input shapes")
    public String shapes;

    @Label("Backend")
    public String backend;

    @Label("FLOPs")
    public long flops;

    @Label("Bytes")
    @DataAmount
    public long bytes;
}
