package dev.ferry.internal;

import dev.ferry.internal.workflow.WorkflowEngine;
import dev.ferry.spi.Broker;
import dev.ferry.spi.PromoteRequest;
import dev.ferry.spi.PruneRequest;
import dev.ferry.spi.RecoverRequest;
import dev.ferry.spi.RecoverResponse;
import java.time.Duration;

/**
 * The store's housekeeping duties, run by workers (and by a standalone scheduler process when
 * workers are scaled to zero). All are idempotent, so many workers may run them at once.
 */
final class Maintenance {
    private Maintenance() {
    }

    /** Moves due scheduled and retrying tasks to pending, so ready counts stay true. */
    static final class Promoter extends PeriodicDuty {
        private final Broker broker;

        Promoter(Broker broker, Duration interval) {
            super("promoter", interval);
            this.broker = broker;
        }

        @Override
        protected void runOnce() {
            while (broker.promote(new PromoteRequest(1000)).promoted() == 1000) {
                // a backlog of due tasks: keep going in bounded batches
            }
        }
    }

    /** Sends tasks whose lease expired (their worker died or hung) back to pending, or dead as poison. */
    static final class Recoverer extends PeriodicDuty {
        private final Broker broker;
        private final int maxLeaseExpirations;
        private final WorkflowEngine workflows;
        private final long sweepEvery;
        private long runs;

        Recoverer(Broker broker, Duration interval, int maxLeaseExpirations) {
            this(broker, interval, maxLeaseExpirations, null);
        }

        /**
         * With a workflow engine: a step the recoverer makes dead never reached a worker's
         * continuation, so its failure path runs here. {@link RecoverResponse} only counts the
         * dead, so the newest dead tasks are scanned for workflow steps without a record; a slow
         * sweep about once a minute also covers a recoverer that died between the two.
         */
        Recoverer(Broker broker, Duration interval, int maxLeaseExpirations, WorkflowEngine workflows) {
            super("recoverer", interval);
            this.broker = broker;
            this.maxLeaseExpirations = maxLeaseExpirations;
            this.workflows = workflows;
            this.sweepEvery = Math.max(1, Duration.ofMinutes(1).toMillis() / Math.max(1, interval.toMillis()));
        }

        @Override
        protected void runOnce() {
            int dead = 0;
            while (true) {
                RecoverResponse r = broker.recoverExpired(new RecoverRequest(maxLeaseExpirations, 1000));
                dead += r.dead();
                if (r.requeued() + r.dead() < 1000) {
                    break;
                }
            }
            if (workflows != null) {
                if (dead > 0) {
                    workflows.sweepDead(Math.max(100, 2 * dead));
                } else if (runs++ % sweepEvery == 0) {
                    workflows.sweepDead(100);
                }
            }
        }
    }

    /** Deletes finished tasks after their retention, and expired keys. */
    static final class Pruner extends PeriodicDuty {
        private final Broker broker;

        Pruner(Broker broker, Duration interval) {
            super("pruner", interval);
            this.broker = broker;
        }

        @Override
        protected void runOnce() {
            for (int i = 0; i < 100 && broker.prune(new PruneRequest(1000)).pruned() == 1000; i++) {
                // bounded: at most 100k deletions per run so a huge backlog does not hog the store
            }
        }
    }
}
