package dev.sfd.profile;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Java Flight Recorder event for one backend primitive call ({@code conv2dBackwardWeight}, {@code matmul}, ...):
 * shapes of its tensor arguments, the floating-point operations it performs (multiply-add = 2; 0 where not
 * counted), the bytes of its tensor arguments (a lower bound of the memory traffic) and the backend.
 */
@Name("dev.sfd.Kernel")
@Label("sfd kernel")
@Category({"sfd"})
@Description("One backend primitive call")
@StackTrace(false)
public final class KernelEvent extends jdk.jfr.Event {
    @Label("Name")
    public String name;

    @Label("Argument shapes")
    public String shapes;

    @Label("Backend")
    public String backend;

    @Label("FLOPs")
    public long flops;

    @Label("Bytes")
    @DataAmount
    public long bytes;
}
