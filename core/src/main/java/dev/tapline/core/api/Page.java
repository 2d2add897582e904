package dev.tapline.core.api;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A page of search results, newest first.
 *
 * @param nextCursor pass to the next search to continue after the last item; null when this page
 *     was the last one
 */
public record Page(List<ExchangeSummary> items, @Nullable String nextCursor) {
  public Page {
    items = List.copyOf(items);
  }
}
