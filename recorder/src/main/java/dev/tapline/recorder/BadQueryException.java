package dev.tapline.recorder;

/**
 * A query that is not valid Lucene syntax for the index, or has a value its field cannot hold.
 * {@link #position()} is the 0-based character offset in the query where the problem was found.
 */
public final class BadQueryException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int position;
  private final String query;

  BadQueryException(String problem, int position, String query) {
    super(problem);
    this.position = position;
    this.query = query;
  }

  public int position() {
    return position;
  }

  public String query() {
    return query;
  }
}
