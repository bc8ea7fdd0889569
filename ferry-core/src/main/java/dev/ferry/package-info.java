/**
 * Ferry's public API: enqueue with a {@link dev.ferry.Client}, run with a {@link dev.ferry.Worker},
 * look and administer with an {@link dev.ferry.Inspector}, all from one {@link dev.ferry.Ferry}.
 *
 * <pre>{@code
 * record Resize(String imageId, int width) {}
 *
 * try (Ferry ferry = Ferry.open("sqlite:./ferry.db")) {
 *     ferry.client().enqueue(Task.of("image.resize", new Resize("img-1", 640)).queue("media"));
 *     ferry.worker()
 *          .queues("media")
 *          .handle("image.resize", Resize.class, (job, ctx) -> images.resize(job.imageId(), job.width()))
 *          .start();
 * }
 * }</pre>
 *
 * Handler outcomes are a closed set (see {@link dev.ferry.Handler}); every error Ferry throws is a
 * {@link dev.ferry.FerryException}; bad input is an {@link dev.ferry.InvalidInputException} naming
 * the field.
 */
package dev.ferry;
