package dev.ferry.bench.jmh;

import dev.ferry.QueueSelection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

/** {@link QueueSelection#claimOrder()}, computed by the fetch loop before every claim. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class QueueSelectionBench {
    private QueueSelection strict;
    private QueueSelection weighted3;
    private QueueSelection weighted10;

    @Setup
    public void setup() {
        strict = QueueSelection.strict("critical", "default", "low");
        weighted3 = QueueSelection.weighted(Map.of("critical", 6, "default", 3, "low", 1));
        Map<String, Integer> ten = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            ten.put("queue-" + i, i + 1);
        }
        weighted10 = QueueSelection.weighted(ten);
    }

    @Benchmark
    public List<String> strictThree() {
        return strict.claimOrder();
    }

    @Benchmark
    public List<String> weightedThree() {
        return weighted3.claimOrder();
    }

    @Benchmark
    public List<String> weightedTen() {
        return weighted10.claimOrder();
    }
}
