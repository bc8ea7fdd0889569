package dev.ferry.bench.jmh;

import dev.ferry.JsonCodec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The default codec on a small payload: the encode every enqueue pays and the decode every
 * handler call pays.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JsonCodecBench {

    /** A typical small payload. */
    public record Email(String to, String subject, long orderId, boolean urgent) {
    }

    private JsonCodec codec;
    private Email email;
    private String json;

    @Setup
    public void setup() {
        codec = JsonCodec.jackson();
        email = new Email("ada@example.com", "Your order has shipped", 4_200_017L, false);
        json = codec.encode(email);
    }

    @Benchmark
    public String encode() {
        return codec.encode(email);
    }

    @Benchmark
    public Email decode() {
        return codec.decode(json, Email.class);
    }
}
