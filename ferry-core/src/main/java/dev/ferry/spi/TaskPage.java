package dev.ferry.spi;

import dev.ferry.TaskInfo;
import java.util.List;

/** @param tasks the page; {@code hasMore} is true when another page follows */
public record TaskPage(List<TaskInfo> tasks, boolean hasMore) {
    public TaskPage {
        tasks = List.copyOf(tasks);
    }
}
