package dev.tapline.mcp;

import static java.util.Objects.requireNonNull;

import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tool: what {@code tools/list} shows and what {@code tools/call} runs. Both transports (stdio,
 * and stateless HTTP) wrap the same specs. A call never throws: a {@link ToolError} becomes an error
 * result with its message, anything else an error result naming the tool and the failure.
 */
record ToolSpec(McpSchema.Tool tool, Set<String> argumentNames, Handler handler) {
  private static final Logger LOG = LoggerFactory.getLogger(ToolSpec.class);

  @FunctionalInterface
  interface Handler {
    /** The result text; throws {@link ToolError} for a call it cannot answer. */
    Reply call(Args args);
  }

  /** A tool's answer: its text, and whether it reports a failure the agent should act on. */
  record Reply(String text, boolean error) {
    static Reply ok(String text) {
      return new Reply(text, false);
    }

    static Reply failed(String text) {
      return new Reply(text, true);
    }
  }

  ToolSpec {
    requireNonNull(tool, "tool");
    requireNonNull(handler, "handler");
    argumentNames = Set.copyOf(argumentNames);
    if (tool.description() == null || tool.description().length() < 40) {
      throw new IllegalArgumentException("tool " + tool.name() + " needs a description of at least 40 characters");
    }
  }

  /** A tool with its name, description, input schema and hints. */
  static ToolSpec of(String name, String title, String description, InputSchema input, Hints hints, Handler handler) {
    McpSchema.Tool tool = McpSchema.Tool.builder(name, input.toMap())
        .title(title)
        .description(description)
        .annotations(McpSchema.ToolAnnotations.builder()
            .title(title)
            .readOnlyHint(hints.readOnly())
            .destructiveHint(hints.destructive())
            .idempotentHint(hints.idempotent())
            .openWorldHint(hints.openWorld())
            .build())
        .build();
    return new ToolSpec(tool, input.names(), handler);
  }

  /** The annotations of a tool: what it may change, and whether calling it twice is the same as once. */
  record Hints(boolean readOnly, boolean destructive, boolean idempotent, boolean openWorld) {
    /** Reads the recorder only: calling it changes nothing. */
    static final Hints READ_ONLY = new Hints(true, false, true, false);
  }

  String name() {
    return tool.name();
  }

  CallToolResult call(@Nullable Map<String, Object> arguments) {
    Reply reply;
    try {
      reply = handler.call(new Args(tool.name(), arguments, argumentNames));
    } catch (ToolError e) {
      reply = Reply.failed(e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("tool {} failed", tool.name(), e);
      reply = Reply.failed(tool.name() + " failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
    }
    return CallToolResult.builder().addTextContent(reply.text()).isError(reply.error()).build();
  }
}
