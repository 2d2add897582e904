/**
 * {@code tapline mcp}: a Model Context Protocol server that lets a coding agent search recorded
 * traffic, read one exchange, list endpoints, generate contract tests, check drift and change the
 * proxy's routes. {@link dev.tapline.mcp.TaplineMcp} is the entry point; everything else in this
 * package is package-private and may change at any time.
 */
@NullMarked
package dev.tapline.mcp;

import org.jspecify.annotations.NullMarked;
