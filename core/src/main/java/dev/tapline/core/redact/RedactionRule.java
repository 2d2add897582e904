package dev.tapline.core.redact;

import java.util.List;

/**
 * One thing the {@link dev.tapline.core.Redactor} removes from captured traffic, with the cheap
 * {@link #triggers() pre-filter} that tells the redactor where the rule may apply. Three kinds:
 *
 * <ul>
 *   <li>{@link HeaderRule}: headers by name; their whole value is replaced;
 *   <li>{@link FieldRule}: JSON, form, multipart and query fields by name; their value is replaced;
 *   <li>{@link ValueRule}: secrets found by their shape in any text (header values, query, path,
 *       bodies whatever their content type), e.g. card numbers.
 * </ul>
 */
public sealed interface RedactionRule permits HeaderRule, FieldRule, ValueRule {

  /** A short name; for a value rule it is what {@code Exchange.redactions} records, e.g. {@code card-number}. */
  String name();

  /**
   * Where this rule may apply: the redactor runs it on a text only when one of these fired on that
   * text. Empty for header rules, which look at header names only.
   */
  List<Trigger> triggers();
}
