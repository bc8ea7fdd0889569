/**
 * Process-level crash tests every backend runs: worker JVMs are SIGKILLed mid-run
 * ({@link dev.ferry.testing.crash.SigkillStormContract}) or sent SIGTERM during work
 * ({@link dev.ferry.testing.crash.SigtermDrainContract}); a ledger written by the handlers proves
 * that nothing was lost and that only tasks held by a killed worker ran twice. A backend extends
 * each with one method returning the URL of a fresh store:
 *
 * <pre>{@code
 * class EmbeddedSigkillStormTest extends SigkillStormContract {
 *     protected String brokerUrl(Path dir) { return "sqlite:" + dir.resolve("crash.db"); }
 * }
 * }</pre>
 *
 * The children run {@link dev.ferry.testing.crash.CrashWorkerMain} on the test's own class path,
 * so the backend under test is there too.
 */
package dev.ferry.testing.crash;
