package dev.ferry.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A {@code redis-server} child process started by a test, on a free loopback port, in its own
 * directory: killed (SIGKILL) and restarted on the same port and directory at will. Debian's
 * {@code redis-server} must be on the PATH ({@code .ci/run} installs it).
 */
public final class RedisServer implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final List<String> extra;
    private final boolean tls;
    private Process process;

    private RedisServer(Path dir, int port, List<String> extra) {
        this(dir, port, extra, false);
    }

    private RedisServer(Path dir, int port, List<String> extra, boolean tls) {
        this.dir = dir;
        this.port = port;
        this.extra = List.copyOf(extra);
        this.tls = tls;
    }

    /** Starts a server; {@code extra} are more {@code --name value} arguments. */
    public static RedisServer start(Path dir, String... extra) {
        RedisServer s = new RedisServer(dir, freePort(), List.of(extra));
        s.start();
        return s;
    }

    /**
     * Starts a server that speaks TLS only, on its port ({@code --tls-port}; the plain port is off);
     * {@code extra} must name the certificate files ({@code --tls-cert-file} etc.).
     */
    static RedisServer startTls(Path dir, String... extra) {
        RedisServer s = new RedisServer(dir, freePort(), List.of(extra), true);
        s.start();
        return s;
    }

    /** A server that is not started: its port is free (nothing listens) until {@link #start()}. */
    static RedisServer notStarted(Path dir, String... extra) {
        return new RedisServer(dir, freePort(), List.of(extra));
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    Path dir() {
        return dir;
    }

    /** Starts (or restarts) the process and waits until it answers PING. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", tls ? "0" : Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--daemonize", "no", "--dir", dir.toString(), "--logfile", "redis-" + port + ".log"));
        if (tls) {
            cmd.addAll(List.of("--tls-port", Integer.toString(port)));
        }
        cmd.addAll(extra);
        try {
            Files.createDirectories(dir);
            process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis-" + port + ".out").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server (is it installed? apt-get install redis-server): "
                    + cmd, e);
        }
        Process p = process;
        Awaitility.await("redis-server on port " + port + " answers PING").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(20)).until(() -> {
                    if (!p.isAlive()) {
                        throw new AssertionError("redis-server on port " + port + " exited: " + log());
                    }
                    // A TLS-only server cannot be pinged in plain text: its log says when it listens.
                    return tls ? log().contains("Ready to accept connections") : "+PONG".equals(command("PING"));
                });
    }

    /** SIGKILL, and waits until the process is gone. */
    public synchronized void kill() {
        if (process != null) {
            process.toHandle().destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Sends one inline command and returns the first reply line, or null when nothing answers. */
    String command(String line) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        } catch (IOException e) {
            return null;
        }
    }

    public String log() {
        try {
            Path f = dir.resolve("redis-" + port + ".log");
            Path o = dir.resolve("redis-" + port + ".out");
            return (Files.exists(f) ? Files.readString(f) : "") + (Files.exists(o) ? Files.readString(o) : "");
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        kill();
    }
}
