package dev.tapline.core.redact;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Secrets found by their shape in any text: a regular expression, the triggers that must have fired
 * for it to be run, and optionally a check of each match (a card number's Luhn digit). Each match (or
 * its {@link #secretGroup group}) is replaced by the redactor's marker, or removed when {@link
 * #stripped()}.
 *
 * <pre>{@code
 * ValueRule acme = ValueRule.of("acme-key", "\\bacme_[A-Za-z0-9]{32}\\b", Trigger.word("acme_"));
 * Redactor r = Redactor.builder().addRule(acme).build();
 * }</pre>
 */
public final class ValueRule implements RedactionRule {
  private final String name;
  private final Pattern pattern;
  private final List<Trigger> triggers;
  private final int group;
  private final Function<String, @Nullable String> secret;
  private final boolean strip;

  private ValueRule(String name, Pattern pattern, List<Trigger> triggers, int group,
      Function<String, @Nullable String> secret, boolean strip) {
    this.name = name;
    this.pattern = pattern;
    this.triggers = triggers;
    this.group = group;
    this.secret = secret;
    this.strip = strip;
  }

  /**
   * A rule named {@code name} (what {@code Exchange.redactions} records, e.g. {@code
   * response.body:acme-key}) replacing every match of {@code regex}, run where one of {@code
   * triggers} fired. The triggers must fire on every text the regex matches in.
   */
  public static ValueRule of(String name, String regex, Trigger... triggers) {
    requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    if (requireNonNull(triggers, "triggers").length == 0) {
      throw new IllegalArgumentException("rule " + name + " needs a trigger (Trigger.always() if nothing cheaper says where it applies)");
    }
    return new ValueRule(name, Pattern.compile(requireNonNull(regex, "regex")), List.of(triggers), 0, s -> s, false);
  }

  /** Only this capturing group of each match is the secret; the rest of the match stays. */
  public ValueRule secretGroup(int g) {
    if (g < 0 || g > pattern.matcher("").groupCount()) {
      throw new IllegalArgumentException("secretGroup must be a group of " + pattern + ": " + g);
    }
    return new ValueRule(name, pattern, triggers, g, secret, strip);
  }

  /**
   * Checks each match: returns the secret to hash for the marker (e.g. the digits of a card number
   * without spaces, so equal cards get equal markers), or null when the match is no secret.
   */
  public ValueRule secret(Function<String, @Nullable String> check) {
    return new ValueRule(name, pattern, triggers, group, requireNonNull(check, "check"), strip);
  }

  /** Matches are removed instead of replaced by a marker (e.g. a URL's {@code user:password@}). */
  public ValueRule stripped() {
    return new ValueRule(name, pattern, triggers, group, secret, true);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<Trigger> triggers() {
    return triggers;
  }

  public Pattern pattern() {
    return pattern;
  }

  /**
   * {@code text} with every secret this rule finds replaced by {@code marker.apply(secret)} (or
   * removed), or null when it finds none.
   */
  public @Nullable String redact(String text, UnaryOperator<String> marker) {
    Matcher m = pattern.matcher(text);
    StringBuilder out = null;
    int last = 0;
    while (m.find()) {
      int start = m.start(group);
      if (start < 0) {
        continue;
      }
      String s = secret.apply(m.group(group));
      if (s == null) {
        continue;
      }
      if (out == null) {
        out = new StringBuilder(text.length());
      }
      out.append(text, last, start).append(strip ? "" : marker.apply(s));
      last = m.end(group);
    }
    return out == null ? null : out.append(text, last, text.length()).toString();
  }

  @Override
  public String toString() {
    return "ValueRule[" + name + ": " + pattern + "]";
  }
}
