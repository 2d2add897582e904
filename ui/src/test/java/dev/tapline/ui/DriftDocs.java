package dev.tapline.ui;

/** drift.json documents as {@code tapline replay} publishes them. */
final class DriftDocs {
  private DriftDocs() {}

  static String run(String runId, String startedAt, String verdict, String routingKey) {
    return """
        {"v":1,"runId":"%s","startedAt":"%s","finishedAt":"%s","baseline":"http://127.0.0.1:8081",
         "sandbox":"http://127.0.0.1:8082","routingKey":"%s","failOn":"breaking","verdict":"%s",
         "counts":{"endpoints":3,"exchanges":42,"breaking":2,"compatible":1,"ignored":2},
         "endpoints":[
          {"method":"GET","template":"/orders","exchanges":12,"verdict":"ok","differences":[],"ignored":[]},
          {"method":"POST","template":"/orders","exchanges":10,"verdict":"compatible","differences":[
            {"path":"$.currency","kind":"field-added","class":"compatible","sandbox":"EUR",
             "exchangeId":"0193a1b2-0000-7000-8000-000000000001","message":"new field currency"}],
           "ignored":[{"path":"$.id","reason":"differs between two baseline calls"}]},
          {"method":"GET","template":"/orders/{orderId}","exchanges":20,"verdict":"breaking","differences":[
            {"path":"$.total","kind":"type-changed","class":"breaking","baseline":19.98,"sandbox":"19.98",
             "exchangeId":"0193a1b2-0000-7000-8000-000000000002","message":"number became string"},
            {"path":"$.customer","kind":"field-removed","class":"breaking","baseline":"ann",
             "exchangeId":"0193a1b2-0000-7000-8000-000000000002","message":"field removed (renamed to customerName?)"},
            {"path":"$.customerName","kind":"field-added","class":"compatible","sandbox":"<img src=x onerror=\\"window.__xss=7\\">",
             "exchangeId":"0193a1b2-0000-7000-8000-000000000002","message":"new field customerName"}],
           "ignored":[{"path":"$.updatedAt","reason":"timestamp"}]}]}
        """.formatted(runId, startedAt, startedAt.replace("T10", "T11"), routingKey, verdict);
  }
}
