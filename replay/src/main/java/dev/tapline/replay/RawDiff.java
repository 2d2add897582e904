package dev.tapline.replay;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/** One difference found by comparing two responses, before noise filtering and aggregation. */
record RawDiff(String path, DiffKind kind, @Nullable JsonNode baseline, @Nullable JsonNode sandbox, String message) {}
