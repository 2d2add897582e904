package dev.tapline.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * What a query may cost is checked while it is parsed: a query over a limit is a {@link
 * BadQueryException} that says what to change, within milliseconds, before Lucene builds anything
 * costly. (A search that passes these checks is bounded by its deadline: {@code QueryDeadlineTest}.)
 */
class QueryLimitsTest {
  private static final Duration QUICKLY = Duration.ofSeconds(2);

  private static BadQueryException refused(String q) {
    return assertTimeoutPreemptively(QUICKLY, () -> {
      try {
        QueryLanguage.parse(q);
      } catch (BadQueryException e) {
        return e;
      }
      throw new AssertionError("not refused: " + q);
    });
  }

  @Test
  void aRepeatCountOverTheBoundIsRefusedAtOnceNamingTheCountAndWhereItIs() {
    // Building this automaton took minutes of CPU before: it grows with the square of the count.
    BadQueryException e = refused("path:/[a-z]+{1,999999}/");
    assertThat(e).hasMessageContaining("{1,999999}").hasMessageContaining(String.valueOf(QueryLimits.MAX_REPEAT));
    assertThat(e.position()).isEqualTo("path:/[a-z]+".length());
    assertThat(refused("path:/a{5000}/")).hasMessageContaining("{5000}");
    assertThat(refused("path:/a{2000,}/")).hasMessageContaining("{2000,}");
    assertThat(refused("path:/a{1,99999999999}/")).hasMessageContaining("over " + QueryLimits.MAX_REPEAT);
  }

  @Test
  void repeatsThatMultiplyAreRefusedBeforeTheirAutomatonIsBuilt() {
    assertThat(refused("path:/(a{1,100}){1,100}/")).hasMessageContaining("too large")
        .hasMessageContaining("at most " + QueryLimits.MAX_REGEXP_STATES);
    assertThat(refused("path:/(.*a.*)&(.*b.*)&(.*c.*)&(.*d.*)&(.*e.*)&(.*f.*)&(.*g.*)&(.*h.*)/"))
        .hasMessageContaining("too large");
    // The budget is the query's: regular expressions that fit alone may not fit together.
    String one = "(abcdefghi){1," + QueryLimits.MAX_REGEXP_STATES * 2 / 3 / 10 + "}";
    QueryLimits.Budget budget = new QueryLimits.Budget();
    org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> budget.regexp(one));
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> budget.regexp(one))).hasMessageContaining("too large");
  }

  @Test
  void aRegularExpressionTooComplexToMakeDeterministicIsABadQuerySayingSo() {
    String exponential = "(a|b)*a" + "(a|b)".repeat(18);
    assertThat(refused("path:/~(" + exponential + ")/")).hasMessageContaining("too complex to run");
    assertThat(refused("path:/[a-z]+{1,1000}/")).hasMessageContaining("too complex to run");
    assertThat(refused("path:/[a-z/")).hasMessageContaining("malformed regular expression");
  }

  @Test
  void aQueryLongerThanTheLimitIsRefusedAtTheLimit() {
    String q = "body:" + "a".repeat(QueryLimits.MAX_QUERY_CHARS);
    BadQueryException e = refused(q);
    assertThat(e).hasMessageContaining(q.length() + " characters").hasMessageContaining("shorten it");
    assertThat(e.position()).isEqualTo(QueryLimits.MAX_QUERY_CHARS);
  }

  @Test
  void deeplyNestedParenthesesAreRefusedRatherThanOverflowingTheParsersStack() {
    String q = "(".repeat(2000) + "a" + ")".repeat(2000);
    BadQueryException e = refused(q);
    assertThat(e).hasMessageContaining("nested more than " + QueryLimits.MAX_NESTING);
    assertThat(e.position()).isEqualTo(QueryLimits.MAX_NESTING);
    assertThat(refused("path:/" + "(".repeat(400) + "a" + ")".repeat(400) + "/")).hasMessageContaining("nested");
  }

  @Test
  void moreClausesThanTheLimitAreRefusedEvenWhenSpreadOverGroups() {
    String group = "(" + IntStream.range(0, 26).mapToObj(i -> String.valueOf((char) ('a' + i))).collect(Collectors.joining(" ")) + ")";
    String q = String.join(" ", java.util.Collections.nCopies(QueryLimits.MAX_CLAUSES / 26 + 1, group));
    assertThat(refused(q)).hasMessageContaining("clauses, more than the " + QueryLimits.MAX_CLAUSES);
    // fuzzy terms count as the similar terms they may become
    String fuzzy = IntStream.range(0, 16).mapToObj(i -> "body:word" + i + "~1").collect(Collectors.joining(" OR "));
    String many = fuzzy + " " + IntStream.range(0, 300).mapToObj(i -> "t" + i).collect(Collectors.joining(" "));
    assertThat(refused(many)).hasMessageContaining("clauses");
  }

  @Test
  void moreWildcardsThanTheLimitAreRefused() {
    String q = IntStream.range(0, QueryLimits.MAX_PATTERNS + 1).mapToObj(i -> "body:*a" + i + "*")
        .collect(Collectors.joining(" OR "));
    BadQueryException e = refused(q);
    assertThat(e).hasMessageContaining("more than " + QueryLimits.MAX_PATTERNS + " wildcard");
    assertThat(e.position()).isEqualTo(q.lastIndexOf("*a16*"));
  }

  @Test
  void overlongPatternsAndFuzzyTermsAreRefused() {
    assertThat(refused("body:" + "a".repeat(QueryLimits.MAX_FUZZY_CHARS + 1) + "~2"))
        .hasMessageContaining("fuzzy term may be at most " + QueryLimits.MAX_FUZZY_CHARS);
    assertThat(refused("body:*" + "a".repeat(QueryLimits.MAX_PATTERN_CHARS) + "*"))
        .hasMessageContaining("wildcard term may be at most " + QueryLimits.MAX_PATTERN_CHARS);
  }

  @Test
  void everyQueryTheDocsShowStillParses() throws BadQueryException {
    List<String> documented = List.of(
        "id:0190b8f4-5c1e-7a3b-9c2d-1e2f3a4b5c6d", "service:orders", "routingKey:ann", "routingKey:*",
        "target:baseline", "target:\"sandbox:ann\"", "method:post", "path:\"/orders/1042\"", "path:\\/orders\\/10*",
        "template:\"/orders/{orderId}\"", "host:orders.local\\:8080", "error:TIMEOUT", "status:404",
        "status:[500 TO 599]", "status:5xx", "status:{200 TO *]", "duration:[250000 TO *]", "time:[now-15m TO now]",
        "time:[2026-11-26T10:00:00Z TO *]", "time:[2026-11-25 TO 2026-11-26]", "header:x-api-key",
        "header:\"content-type application/json\"", "sprocket", "body:\"out of stock\"", "\"card declined\"~2",
        "body:customer42@example.com", "body:SKU-1042-A", "body:\"2026-11-26T05:26:08.057Z\"", "body:sku-10*",
        "service:orders AND status:[500 TO 599]", "NOT service:orders", "body:declined~1", "path:/\\/orders\\/[0-9]+/",
        "path:/[a-z]{1,100}/", "(service:orders OR service:users) AND (status:5xx OR error:TIMEOUT)");
    for (String q : documented) {
      assertTimeoutPreemptively(QUICKLY, () -> QueryLanguage.parse(q), q);
    }
  }

  @Test
  void theStateEstimateFollowsTheSyntax() {
    assertThat(QueryLimits.states(new org.apache.lucene.util.automaton.RegExp("abc"))).isEqualTo(4);
    assertThat(QueryLimits.states(new org.apache.lucene.util.automaton.RegExp("a{10}"))).isEqualTo(20);
    assertThat(QueryLimits.states(new org.apache.lucene.util.automaton.RegExp("(a{10}){10}"))).isEqualTo(200);
  }
}
