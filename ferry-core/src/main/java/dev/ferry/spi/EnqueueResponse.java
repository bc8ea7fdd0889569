package dev.ferry.spi;

import dev.ferry.EnqueueResult;
import java.util.List;

/** One result per task of an {@link EnqueueRequest}, in its order. */
public record EnqueueResponse(List<EnqueueResult> results) {
    public EnqueueResponse {
        results = List.copyOf(results);
    }
}
