package dev.ferry.redis;

import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A 3-master Redis Cluster on free loopback ports, started by the tests with Debian's
 * {@code redis-server --cluster-enabled yes} and joined with {@code redis-cli --cluster create};
 * torn down (processes killed, directory deleted) by {@link #close()}.
 */
final class RedisCluster implements AutoCloseable {
    private final Path dir;
    private final List<RedisServer> nodes = new ArrayList<>();

    private RedisCluster(Path dir) {
        this.dir = dir;
    }

    private static RedisCluster shared;

    /**
     * One cluster for the whole test JVM: the cluster test classes share it, each test under its
     * own key prefix, instead of starting three nodes per class. Stopped when the JVM exits.
     */
    static synchronized RedisCluster shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "ferry-redis-cluster-stop"));
        }
        return shared;
    }

    static RedisCluster start() {
        Path dir;
        try {
            dir = Files.createTempDirectory("ferry-redis-cluster");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RedisCluster c = new RedisCluster(dir);
        try {
            for (int i = 0; i < 3; i++) {
                Path nodeDir = dir.resolve("node-" + i);
                c.nodes.add(RedisServer.start(nodeDir, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "5000", "--appendonly", "no"));
            }
            List<String> cmd = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            for (RedisServer n : c.nodes) {
                cmd.add("127.0.0.1:" + n.port());
            }
            cmd.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + out);
            }
            Awaitility.await("cluster_state:ok on every node").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> c.nodes.stream().allMatch(n -> clusterOk(n)));
            return c;
        } catch (IOException e) {
            c.close();
            throw new UncheckedIOException("cannot start a Redis Cluster (redis-server and redis-tools installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            c.close();
            throw new IllegalStateException(e);
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    private static boolean clusterOk(RedisServer n) {
        try {
            Process p = new ProcessBuilder("redis-cli", "-p", Integer.toString(n.port()), "cluster", "info")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return out.contains("cluster_state:ok");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3}. */
    String url() {
        return "redis-cluster://" + String.join(",", nodes.stream().map(n -> "127.0.0.1:" + n.port()).toList());
    }

    List<RedisURI> seeds() {
        return nodes.stream().map(n -> RedisURI.create("127.0.0.1", n.port())).toList();
    }

    @Override
    public void close() {
        for (RedisServer n : nodes) {
            n.kill();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
