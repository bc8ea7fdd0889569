package dev.ferry.server;

import dev.ferry.Ferry;
import dev.ferry.Task;
import dev.ferry.RawJson;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load figures, as a program (not a test: it measures, it asserts nothing). Run:
 *
 * <pre>
 * ./mvnw -q -o -f ferry-server/pom.xml test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java --enable-native-access=ALL-UNNAMED -cp ferry-server/target/test-classes:ferry-server/target/classes:$(cat ferry-server/target/cp.txt) \
 *      dev.ferry.server.LoadCheck [requests=200000] [clients=32] [stored=1000000]
 * </pre>
 *
 * Part 1: {@code POST /api/v1/queues/load/tasks} from {@code clients} keep-alive connections on the
 * embedded broker; tasks per second and latency percentiles. Part 2: {@code stored} tasks in the
 * store, then the dashboard's pages and the stats endpoint, server response time percentiles.
 * Everything stays on 127.0.0.1 and stops by itself.
 */
public final class LoadCheck {
    private LoadCheck() {
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int stored = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        Path dir = Files.createTempDirectory("ferry-load");
        try (Ferry ferry = Ferry.open("sqlite:" + dir.resolve("ferry.db"));
             FerryServer server = FerryServer.builder(ferry).port(0).build().start()) {
            String base = "http://127.0.0.1:" + server.port();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            System.out.printf(Locale.ROOT, "JDK %s, %d cores%n", Runtime.version(), Runtime.getRuntime().availableProcessors());

            // warm-up: JIT, connection pool, SQLite caches
            enqueueLoad(server.port(), Math.min(20_000, requests / 5), clients, false);
            enqueueLoad(server.port(), requests, clients, true);

            // part 2: a big store, then page views
            long t0 = System.nanoTime();
            List<Task> batch = new ArrayList<>(1000);
            long already = ferry.inspector().queue("load").count(dev.ferry.TaskState.PENDING);
            for (long i = already; i < stored; i++) {
                String queue = i % 10 == 0 ? "big-dead-ish" : "big";
                batch.add(Task.of("load.task", new RawJson("{\"n\":" + i + ",\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}")).queue(queue));
                if (batch.size() == 1000) {
                    ferry.client().enqueueAll(batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                ferry.client().enqueueAll(batch);
            }
            long total = 0;
            for (var q : ferry.inspector().queues()) {
                total += q.counts().values().stream().mapToLong(Long::longValue).sum();
            }
            System.out.printf(Locale.ROOT, "stored %,d tasks in total (filled in %.1f s)%n", total, (System.nanoTime() - t0) / 1e9);
            String someId = ferry.inspector().tasks("load", dev.ferry.TaskState.PENDING, 0, 1).tasks().get(0).id();
            String[] pages = {"/", "/queues/big?state=pending", "/queues/big?state=pending&offset=5000", "/dead",
                    "/tasks/" + someId, "/workers", "/api/v1/queues", "/api/v1/queues/big/tasks?state=pending&limit=50", "/metrics"};
            for (String page : pages) {
                pageLatency(http, base, page, 300);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * {@code clients} keep-alive connections, each a plain HTTP/1.1 client on a socket (as lean as a
     * load tool such as wrk: the JDK's HttpClient would spend most of the two cores itself).
     */
    private static void enqueueLoad(int port, int requests, int clients, boolean report) throws Exception {
        long[] latencies = new long[requests];
        AtomicInteger next = new AtomicInteger();
        AtomicLong errors = new AtomicLong();
        byte[] body = "{\"type\":\"load.task\",\"payload\":{\"orderId\":\"ord-123\",\"cents\":4200}}".getBytes(StandardCharsets.UTF_8);
        byte[] request = ("POST /api/v1/queues/load/tasks HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n"
                + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    socket.setTcpNoDelay(true);
                    socket.setSoTimeout(30_000);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new BufferedInputStream(socket.getInputStream());
                    int i;
                    while ((i = next.getAndIncrement()) < requests) {
                        long t = System.nanoTime();
                        out.write(request);
                        out.flush();
                        if (readResponse(in) != 201) {
                            errors.incrementAndGet();
                        }
                        latencies[i] = System.nanoTime() - t;
                    }
                } catch (IOException e) {
                    errors.incrementAndGet();
                    System.err.println("client failed: " + e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join(Duration.ofMinutes(10));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (report) {
            Arrays.sort(latencies);
            System.out.printf(Locale.ROOT, "POST enqueue x %,d from %d keep-alive clients: %,.0f tasks/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms, errors %d%n",
                    requests, clients, requests / seconds, ms(latencies, 0.50), ms(latencies, 0.99), ms(latencies, 0.999),
                    latencies[latencies.length - 1] / 1e6, errors.get());
        }
    }

    /** Reads one response (status line, headers, Content-Length body); returns the status. */
    private static int readResponse(InputStream in) throws IOException {
        String status = line(in);
        int code = Integer.parseInt(status.substring(9, 12));
        int length = 0;
        String header;
        while (!(header = line(in)).isEmpty()) {
            if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(header.substring(15).trim());
            }
        }
        in.skipNBytes(length);
        return code;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder(64);
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    private static void pageLatency(HttpClient http, String base, String page, int n) throws Exception {
        long[] latencies = new long[n];
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + page)).GET().build();
        for (int i = 0; i < 20; i++) {
            http.send(req, HttpResponse.BodyHandlers.discarding());
        }
        int status = 0;
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            status = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
            latencies[i] = System.nanoTime() - t;
        }
        Arrays.sort(latencies);
        System.out.printf(Locale.ROOT, "GET %-45s %d  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms%n", page, status,
                ms(latencies, 0.5), ms(latencies, 0.99), latencies[n - 1] / 1e6);
    }

    private static double ms(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }
}
