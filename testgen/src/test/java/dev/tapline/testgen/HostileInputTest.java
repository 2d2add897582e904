package dev.tapline.testgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import com.sun.net.httpserver.HttpServer;
import dev.tapline.core.Exchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.lang.model.element.Modifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quotes, backslashes, comment terminators, unicode escapes, keywords: the code still means the recording. */
class HostileInputTest {
  static final List<String> CORPUS = List.of(
      "plain",
      "",
      "say \"hi\"",
      "back\\slash\\",
      "ends with a quote\"",
      "\"\"\" triple \"\"\"\"",
      "*/ closes a comment /* opens one",
      "\\u000a is not a newline, \\u0022 is not a quote, \\\\u0041",
      "caf\u00e9 \u65e5\u672c \ud83d\ude00 \u2028 \u200b \u00a0",
      "\u00a0nbsp first, \u2028 last\u2028",
      "lone \ud800 surrogate",
      "trailing spaces   ",
      "line\r\nwith crlf\r\n",
      "\ttab first\n  two spaces\n\n   \nlast",
      "  indented first line\n    more",
      "nul \u0000 bell \u0007 del \u007f",
      "ends with backslash-newline \\\n",
      "{\"json\":\"va\\\"lue\",\"k\":[1,2]}\n",
      "$L $S $T %s %n {} ${x}");

  @Test
  void everyCorpusStringRoundTripsThroughStringLiteralsAndTextBlocks(@TempDir Path dir) throws Exception {
    CodeBlock.Builder strings = CodeBlock.builder().add("return new String[] {\n$>");
    CodeBlock.Builder blocks = CodeBlock.builder().add("return new String[] {\n$>$>$>");
    for (String s : CORPUS) {
      strings.add("$L,\n", JavaLiterals.string(s));
      blocks.add("$L,\n", JavaLiterals.bodyLiteral(s));
    }
    strings.add("$<};\n");
    blocks.add("$<$<$<};\n");
    TypeSpec type = TypeSpec.classBuilder("Corpus").addModifiers(Modifier.PUBLIC)
        .addJavadoc("$L\n", JavaLiterals.comment(String.join(" ", CORPUS)))
        .addMethod(MethodSpec.methodBuilder("strings").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
            .returns(String[].class).addCode(strings.build()).build())
        .addMethod(MethodSpec.methodBuilder("blocks").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
            .returns(String[].class).addCode("// $L\n", JavaLiterals.comment(String.join(" ", CORPUS)))
            .addCode(blocks.build()).build())
        .build();
    String source = JavaFile.builder("corpus", type).build().toString();
    assertThat(CORPUS.stream().filter(JavaLiterals::textBlockSafe).count()).isEqualTo(CORPUS.size() - 2);
    SortedMap<String, String> files = new TreeMap<>(Map.of("java/corpus/Corpus.java", source));
    try (GeneratedTests compiled = GeneratedTests.compile(files, dir)) {
      Class<?> c = compiled.loader().loadClass("corpus.Corpus");
      assertThat((String[]) c.getMethod("strings").invoke(null)).containsExactlyElementsOf(CORPUS);
      assertThat((String[]) c.getMethod("blocks").invoke(null)).containsExactlyElementsOf(CORPUS);
    }
  }

  @Test
  void hostileTrafficGivesCodeThatCompilesAndSendsExactlyTheRecordedBodies(@TempDir Path dir) throws Exception {
    Traffic t = new Traffic("../../etc/passwd \"svc\"");
    String[] paths = {"/class/int", "/w%C3%A9ird/%22q%22/*/x%5Cu000a", "/Orders", "/or-ders", "/orders", "/123/_",
        "/given/when/then/spec", "/%2E%2E/%2F/evil"};
    int i = 0;
    Map<String, String> expectedBodies = new TreeMap<>();
    for (String p : paths) {
      String value = CORPUS.get(i++ % CORPUS.size());
      String field = i % 2 == 0 ? "note" : "weird \"key\" */ \\u000a";
      String json = "{" + quote(field) + ":" + quote(value) + ",\"note\":" + quote(value) + "}";
      String response = "{\"note\":" + quote(value) + ",\"class\":" + quote(value) + ",\"\u00e9\":1}";
      t.add("POST", p + "?q=" + "%22x%22", "application/json", json, 201, "application/json", response);
      expectedBodies.put("POST " + p, json);
      // A text body too: it must be sent byte for byte.
      String text = CORPUS.get(i % CORPUS.size()) + " tail";
      t.add("PUT", p, "text/plain; charset=utf-8", text, 200, "text/plain", "ok");
      expectedBodies.put("PUT " + p, text);
    }
    List<Exchange> exchanges = t.exchanges();
    GenerationResult result = TestGenerator.create(GeneratorOptions.builder("hostile.gen")
        .sourceName("*/ \\u000a \"evil\" source").build()).generate(exchanges);
    assertThat(result.files().keySet()).allMatch(k -> k.matches("(java|resources)/hostile/gen/[A-Za-z0-9_/.-]+"));

    Map<String, String> received = new ConcurrentHashMap<>();
    Map<String, Exchange> byRequest = new TreeMap<>();
    exchanges.forEach(e -> byRequest.put(e.request().method() + " " + e.request().path(), e));
    HttpServer stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    stub.createContext("/", ex -> {
      String key = ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath();
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      received.put(key, new String(body, StandardCharsets.UTF_8));
      Exchange recorded = byRequest.get(key);
      if (recorded == null) {
        ex.sendResponseHeaders(599, -1);
        ex.close();
        return;
      }
      byte[] resp = recorded.response().body().bytes();
      ex.getResponseHeaders().set("Content-Type", recorded.response().body().contentType());
      ex.sendResponseHeaders(recorded.status(), resp.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(resp);
      }
    });
    stub.start();
    try (GeneratedTests compiled = GeneratedTests.compile(result.files(), dir)) {
      SortedMap<String, String> results = compiled.run("http://127.0.0.1:" + stub.getAddress().getPort());
      assertThat(results).hasSize(result.scenariosWritten());
      assertThat(GeneratedTests.failures(results)).isEmpty();
      assertThat(received).isEqualTo(expectedBodies);
      // The echoed hostile values were asserted literally, and passed.
      assertThat(result.files().values().stream().filter(f -> f.contains(".body(\"note\", equalTo(")).count()).isPositive();
    } finally {
      stub.stop(0);
    }
  }

  @Test
  void nothingIsWrittenOutsideTheOutputDirectory(@TempDir Path dir) {
    GenerationResult evil = new GenerationResult(new TreeMap<>(Map.of("java/../../escape.java", "x")), 0, 0,
        List.of(), 0, List.of());
    assertThatThrownBy(() -> TestGenerator.write(evil, dir.resolve("out")))
        .isInstanceOf(IOException.class).hasMessageContaining("refusing to write outside");
    assertThat(dir.resolve("escape.java")).doesNotExist();
    assertThatThrownBy(() -> GeneratorOptions.builder("../evil").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("package");
    assertThatThrownBy(() -> GeneratorOptions.builder("com.class.x").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static String quote(String s) {
    return dev.tapline.core.ExchangeCodec.mapper().getNodeFactory().textNode(s).toString();
  }
}
