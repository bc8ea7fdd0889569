package dev.ferry.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickStartTest {
    @TempDir
    Path dir;

    @Test
    void sendsEveryInvoiceExactlyOnce() throws Exception {
        QuickStart.Mailer mailer = new QuickStart.Mailer();
        String summary = QuickStart.run(dir.resolve("ferry.db"), mailer, 25);

        assertThat(summary).isEqualTo("sent 25 invoices, 25 tasks completed");
        assertThat(mailer.sent.values()).allMatch(n -> n == 1);
    }
}
