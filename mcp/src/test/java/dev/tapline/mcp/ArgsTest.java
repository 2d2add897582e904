package dev.tapline.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArgsTest {
  private static Args args(Map<String, Object> values) {
    return new Args("search_traffic", values, Set.of("query", "limit", "methods", "routingKey"));
  }

  @Test
  void anUnknownArgumentIsNamedWithTheOnesTheToolTakes() {
    assertThatThrownBy(() -> args(Map.of("q", "status:500"))).isInstanceOf(ToolError.class)
        .hasMessage("search_traffic does not take q; its arguments are limit, methods, query, routingKey.");
  }

  @Test
  void numbersMayComeAsStringsAndOutOfRangeSaysTheRange() {
    assertThat(args(Map.of("limit", "20")).integer("limit", 5, 1, 100)).isEqualTo(20);
    assertThat(args(Map.of("limit", 30.0)).integer("limit", 5, 1, 100)).isEqualTo(30);
    assertThat(args(Map.of()).integer("limit", 5, 1, 100)).isEqualTo(5);
    assertThatThrownBy(() -> args(Map.of("limit", 500)).integer("limit", 5, 1, 100))
        .hasMessage("limit must be from 1 to 100, got 500.");
    assertThatThrownBy(() -> args(Map.of("limit", "many")).integer("limit", 5, 1, 100))
        .hasMessage("limit must be a whole number from 1 to 100, got \"many\".");
  }

  @Test
  void blankStringsAreAbsentExceptWhereEmptyMeansBaseline() {
    assertThat(args(Map.of("query", "  ")).string("query")).isNull();
    assertThat(args(Map.of("routingKey", "")).stringOrEmpty("routingKey")).isEmpty();
    assertThatThrownBy(() -> args(Map.of("query", 3)).string("query")).hasMessage("query must be a string, got 3 (integer).");
  }

  @Test
  void aListMayComeAsOneCommaSeparatedString() {
    assertThat(args(Map.of("methods", "GET, POST")).strings("methods")).containsExactly("GET", "POST");
    assertThat(args(Map.of("methods", List.of("GET"))).strings("methods")).containsExactly("GET");
  }
}
