package dev.tapline.core.api;

/** Pieces of the recorder's query language (docs/API.md, "Query syntax (`q`)") for code that builds queries. */
public final class QueryTerms {
  private QueryTerms() {}

  /** {@code value} as one quoted term: {@code "a \"b\""}, whatever characters it holds. */
  public static String quoted(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
