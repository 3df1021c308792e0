package dev.sfd.bench.jmh;

import dev.sfd.autograd.Grad;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The hot U-Net path: SongUNet denoiser forward and forward+backward (parameter and input gradients), and the
 * fused SiD generator loss with its backward. images/s = batch / (ms/op) * 1000.
 * <pre>java -cp "sfd-bench/target/classes:sfd-bench/target/lib/*" org.openjdk.jmh.Main UNetBench -f 1 -wi 3 -i 5 -p config=fmnist-s -p batch=16</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class UNetBench {
    @Param({"fmnist-s", "fmnist-m"})
    public String config;

    @Param({"16", "64"})
    public int batch;

    private EdmPrecond net;
    private Tensor x;
    private Tensor sigma;
    private Tensor labels;
    private Tensor yReal;
    private Tensor yFake;

    @Setup(Level.Trial)
    public void setup() {
        net = SongUnet.create(SongUnetConfig.named(config), 1);
        net.train(false);
        int[] img = net.imageShape();
        RandomStream rng = new RandomStream(5);
        x = rng.normal(DType.FLOAT32, batch, img[0], img[1], img[2]);
        sigma = Ops.addScalar(rng.uniform(DType.FLOAT32, batch), 0.5);
        labels = Ops.oneHot(new int[batch], net.labelDim(), DType.FLOAT32);
        yReal = rng.normal(DType.FLOAT32, batch, img[0], img[1], img[2]);
        yFake = rng.normal(DType.FLOAT32, batch, img[0], img[1], img[2]);
    }

    @Benchmark
    public void forward(Blackhole bh) {
        try (var g = Grad.disabled()) {
            bh.consume(net.denoise(x, sigma, labels));
        }
    }

    @Benchmark
    public void forwardBackward(Blackhole bh) {
        net.zeroGrad();
        Tensor xin = x.detach().requiresGrad(true);
        Ops.sumAll(net.denoise(xin, sigma, labels)).backward();
        bh.consume(xin.grad());
    }

    @Benchmark
    public void sidLossForwardBackward(Blackhole bh) {
        Tensor xg = x.detach().requiresGrad(true);
        Ops.sumAll(Ops.sidLoss(xg, yReal, yFake, 1.2)).backward();
        bh.consume(xg.grad());
    }
}
