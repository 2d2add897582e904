package dev.tapline.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QueryTest {
  @Test
  void filtersAreAndedAfterTheAgentsOwnQueryInParentheses() {
    assertThat(Query.of(null, null, null, null)).isNull();
    assertThat(Query.of("status:5xx OR status:429", null, null, null)).isEqualTo("status:5xx OR status:429");
    assertThat(Query.of("status:5xx OR status:429", "orders", "pr-42", "15m"))
        .isEqualTo("(status:5xx OR status:429) AND service:orders AND routingKey:pr-42 AND time:[now-15m TO now]");
    assertThat(Query.of(null, "orders", "", null)).isEqualTo("service:orders AND target:baseline");
  }

  @Test
  void valuesThatAreNotPlainWordsAreQuoted() {
    assertThat(Query.term("demo-v2")).isEqualTo("demo-v2");
    assertThat(Query.term("my service")).isEqualTo("\"my service\"");
    assertThat(Query.term("a\"b")).isEqualTo("\"a\\\"b\"");
  }

  @Test
  void sinceTakesAWindowAndSaysWhatItTakesOtherwise() {
    assertThat(Query.since("15m")).isEqualTo("15m");
    assertThat(Query.since(" 2H ")).isEqualTo("2h");
    assertThat(Query.since("2w")).isEqualTo("14d");
    assertThatThrownBy(() -> Query.since("yesterday")).isInstanceOf(ToolError.class)
        .hasMessage("since must be a time window like 30s, 15m, 2h, 7d or 2w, got \"yesterday\".");
  }
}
