package dev.ferry.spi;

import java.util.List;

/** The tasks a claim took, in claim order. */
public record ClaimResponse(List<ClaimedTask> tasks) {
    public ClaimResponse {
        tasks = List.copyOf(tasks);
    }
}
