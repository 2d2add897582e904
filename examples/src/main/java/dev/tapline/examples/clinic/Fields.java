package dev.tapline.examples.clinic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapline.examples.clinic.Problem.FieldError;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads the fields of one request body and collects what is wrong with them, so a 400 names every
 * invalid field at once (as bean validation does) instead of the first one. Getters return a
 * placeholder for an invalid field; {@link #validate} throws before anyone uses it.
 */
final class Fields {
  private final ObjectNode body;
  private final List<FieldError> errors = new ArrayList<>();

  Fields(ObjectNode body) {
    this.body = body;
  }

  /** A required string that must not be blank. */
  String text(String name) {
    JsonNode n = body.get(name);
    if (n == null || n.isNull() || (n.isTextual() && n.asText().isBlank())) {
      reject(name, "must not be blank");
      return "";
    }
    if (!n.isTextual()) {
      reject(name, "must be a string");
      return "";
    }
    return n.asText().strip();
  }

  /** An optional string: absent, {@code null} and blank all mean unset. */
  @Nullable String optionalText(String name) {
    JsonNode n = body.get(name);
    if (n == null || n.isNull() || (n.isTextual() && n.asText().isBlank())) {
      return null;
    }
    if (!n.isTextual()) {
      reject(name, "must be a string");
      return null;
    }
    return n.asText().strip();
  }

  /** A {@code yyyy-MM-dd} date; when absent, {@code dflt}, or an error when that is {@code null}. */
  LocalDate date(String name, @Nullable LocalDate dflt) {
    JsonNode n = body.get(name);
    if (n == null || n.isNull()) {
      if (dflt == null) {
        reject(name, "must not be null");
        return LocalDate.EPOCH;
      }
      return dflt;
    }
    try {
      if (n.isTextual()) {
        return LocalDate.parse(n.asText());
      }
    } catch (DateTimeParseException e) {
      // falls through to the rejection
    }
    reject(name, "must be a date (yyyy-MM-dd)");
    return LocalDate.EPOCH;
  }

  /** The {@code id} of a required reference {@code {"name": {"id": 2}}}, reported as {@code name.id}. */
  int referenceId(String name) {
    JsonNode ref = body.get(name);
    String field = name + ".id";
    if (ref == null || ref.isNull()) {
      reject(field, "must not be null");
      return 0;
    }
    JsonNode id = ref.get("id");
    if (id == null || !id.isIntegralNumber() || !id.canConvertToInt()) {
      reject(field, id == null || id.isNull() ? "must not be null" : "must be an integer");
      return 0;
    }
    return id.asInt();
  }

  void reject(String field, String message) {
    errors.add(new FieldError(field, message));
  }

  boolean valid(String field) {
    return errors.stream().noneMatch(e -> e.field().equals(field));
  }

  /** Throws a 400 naming every rejected field, if there is one. */
  void validate() {
    if (!errors.isEmpty()) {
      throw Problem.invalid(errors);
    }
  }
}
