package dev.tapline.mcp;

/**
 * A call the tool cannot answer, for a reason the agent can act on. The message is the whole
 * result text (one line first: what failed; then what to do), never a stack trace.
 */
final class ToolError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ToolError(String message) {
    super(message, null, false, false);
  }
}
