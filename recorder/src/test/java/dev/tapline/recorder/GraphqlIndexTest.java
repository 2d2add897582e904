package dev.tapline.recorder;

import static dev.tapline.recorder.Fixtures.exchange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.api.EndpointStats;
import dev.tapline.core.api.ExchangeSummary;
import dev.tapline.core.endpoint.Endpoints;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GraphQL operations in the index: searchable by name, type and root field; one catalog entry each. */
class GraphqlIndexTest {
  @TempDir Path dir;

  static final String GET_USER = "{\"operationName\":\"GetUser\",\"query\":\"query GetUser($id: ID!) { user(id: $id) { id name } }\","
      + "\"variables\":{\"id\":\"1\"}}";
  static final String CREATE_USER = "{\"query\":\"mutation CreateUser($n: String!) { createUser(name: $n) { id } }\","
      + "\"variables\":{\"n\":\"ann\"}}";
  static final String ANONYMOUS = "{\"query\":\"{ users { id } }\"}";

  static List<Exchange> traffic(long t0) {
    List<Exchange> out = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      out.add(exchange("gql", null, "POST", "/graphql", 200, GET_USER, "{\"data\":{\"user\":{\"id\":\"1\",\"name\":\"ann\"}}}", t0 + i));
    }
    for (int i = 0; i < 3; i++) {
      out.add(exchange("gql", null, "POST", "/graphql", 200, CREATE_USER, "{\"data\":{\"createUser\":{\"id\":\"9\"}}}", t0 + 10 + i));
    }
    out.add(exchange("gql", null, "POST", "/graphql", 200, ANONYMOUS, "{\"data\":{\"users\":[]}}", t0 + 20));
    out.add(exchange("gql", null, "POST", "/graphql", 200, "[" + GET_USER + "," + CREATE_USER + "]", "[{},{}]", t0 + 21));
    out.add(exchange("gql", null, "GET", "/users/7", 200, "", "{\"id\":7}", t0 + 22));
    return out;
  }

  @Test
  void operationsAreSearchableByNameTypeAndRootField() throws Exception {
    ExchangeIndex index = ExchangeIndex.open(dir.resolve("index"), false, Duration.ofMillis(50), new SimpleMeterRegistry());
    try {
      List<Exchange> traffic = traffic(dev.tapline.core.Ids.nowMicros());
      long seq = 0;
      for (Exchange e : traffic) {
        index.put(e.id(), IndexSchema.document(e, ExchangeCodec.encode(e), seq++, Endpoints.defaults()));
      }
      index.markIndexedThrough(seq);
      index.refresh();
      assertThat(index.count("operation:GetUser")).isEqualTo(7);
      assertThat(index.count("operationType:mutation")).isEqualTo(4);
      assertThat(index.count("field:createUser AND operation:GetUser")).isEqualTo(1);
      assertThat(index.count("template:\"/graphql\"")).isEqualTo(11);
      assertThat(index.count("operation:anonymous_*")).isEqualTo(1);
      ExchangeSummary batch = index.search("operation:GetUser AND operation:CreateUser", 10, null).items().get(0);
      assertThat(batch.operation()).isEqualTo("mutation CreateUser, query GetUser");
      assertThat(index.search("path:\"/users/7\"", 1, null).items().get(0).operation()).isEmpty();

      List<EndpointStats> catalog = index.endpoints("gql", null);
      assertThat(catalog).extracting(EndpointStats::method, EndpointStats::template, EndpointStats::operation, EndpointStats::count)
          .containsExactly(
              tuple("POST", "/graphql", "mutation CreateUser", 4L),
              tuple("POST", "/graphql", "query GetUser", 7L),
              tuple("POST", "/graphql", catalog.get(2).operation(), 1L),
              tuple("GET", "/users/{userId}", "", 1L));
      assertThat(catalog.get(2).operation()).matches("query anonymous_[0-9a-f]{8}");
      assertThat(catalog.get(1).exampleId()).isEqualTo(traffic.get(10).id());
    } finally {
      index.close();
    }
  }

  @Test
  void anIndexOfTheSchemaBeforeGraphqlIsRewrittenWithOperations() throws Exception {
    Path indexDir = dir.resolve("old");
    List<Exchange> traffic = traffic(dev.tapline.core.Ids.nowMicros());
    try (Directory d = FSDirectory.open(indexDir);
        IndexWriter w = new IndexWriter(d, new IndexWriterConfig(IndexSchema.indexAnalyzer()).setCodec(new TaplineCodec()))) {
      long seq = 0;
      for (Exchange e : traffic) {
        // Schema 5 knew no GraphQL: every request was templated by the heuristic alone.
        w.updateDocument(new Term(Fields.ID, e.id()), IndexSchema.document(e, ExchangeCodec.encode(e), seq++, Endpoints.heuristic()));
      }
      w.setLiveCommitData(Map.of(IndexSchema.VERSION_KEY, "5", "seq", String.valueOf(seq)).entrySet());
      w.commit();
    }
    ExchangeIndex index = ExchangeIndex.open(indexDir, false, Duration.ofMillis(50), RecorderConfig.DEFAULT_QUERY_TIMEOUT, new SimpleMeterRegistry(), Endpoints.defaults());
    try {
      assertThat(index.lastCommitData()).containsEntry(IndexSchema.VERSION_KEY, IndexSchema.VERSION);
      assertThat(index.count("operation:GetUser")).isEqualTo(7);
      assertThat(index.endpoints("gql", null)).extracting(EndpointStats::operation).contains("query GetUser", "mutation CreateUser");
    } finally {
      index.close();
    }
  }
}
