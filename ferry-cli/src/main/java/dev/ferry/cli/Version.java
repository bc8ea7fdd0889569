package dev.ferry.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ferry --version} and {@code ferry version}: Ferry's version and the Java running it. */
final class Version implements IVersionProvider {

    /** The project version the build wrote into {@code version.properties}. */
    static String ferryVersion() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall through: an unknown version is not worth failing for
        }
        return "unknown";
    }

    static String[] lines() {
        return new String[] {
                "ferry " + ferryVersion(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ")"};
    }

    @Override
    public String[] getVersion() {
        return lines();
    }

    /** {@code ferry version}. */
    @picocli.CommandLine.Command(name = "version", mixinStandardHelpOptions = true, versionProvider = Version.class, description = "Print Ferry's version and the Java running it.")
    static final class Command implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            for (String line : lines()) {
                spec.commandLine().getOut().println(line);
            }
            spec.commandLine().getOut().flush();
            return FerryCli.EXIT_OK;
        }
    }
}
