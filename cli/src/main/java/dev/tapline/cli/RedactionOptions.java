package dev.tapline.cli;

import dev.tapline.core.Redactor;
import dev.tapline.core.redact.FieldRule;
import dev.tapline.core.redact.Trigger;
import dev.tapline.core.redact.ValueRule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Mixin for the commands that run a capture proxy ({@code up}, {@code proxy}): what is redacted
 * besides the defaults, which default value rule to leave out (docs/SECURITY.md, "Redaction"), and
 * the hash key that makes redacted values comparable ({@code --redact-key-file}; {@code up} keeps
 * one in its data directory), so that generate and replay can link a credential to its login.
 */
final class RedactionOptions {
  @Option(names = "--redact-header", paramLabel = "NAME",
      description = "Also redact this header in requests and responses (repeatable).")
  List<String> headers = new ArrayList<>();

  @Option(names = "--redact-field", paramLabel = "WORD",
      description = "Also redact JSON, form, multipart and query fields that have this word in their name (repeatable):"
          + " iban redacts iban, payerIban and iban_number.")
  List<String> fields = new ArrayList<>();

  @Option(names = "--redact-value", paramLabel = "NAME=REGEX",
      description = "Also redact every match of REGEX in header values, the path, the query and text bodies,"
          + " recorded as NAME in the exchange's redactions (repeatable).")
  List<String> values = new ArrayList<>();

  @Option(names = "--keep-value-rule", paramLabel = "RULE",
      description = "Leave out one of the default value rules, e.g. card-number when order numbers look like card"
          + " numbers (repeatable; the rules are listed in docs/SECURITY.md).")
  List<String> keep = new ArrayList<>();

  @Option(names = "--redact-key-file", paramLabel = "FILE",
      description = "A file holding the redaction hash key (at least 16 characters, e.g. made with openssl rand -hex 32)."
          + " Every redacted value then becomes [REDACTED:<keyed hash>], equal wherever the secret was, so that generate"
          + " and replay can link a token or a session cookie to the login that issued it. Keep the file readable by its"
          + " owner only. tapline up uses redact.key in its data directory when not given (made random and owner-only the"
          + " first time, reused after); tapline proxy without it writes a plain [REDACTED].")
  @Nullable Path keyFile;

  /** The redactor these options describe: the defaults when none is given. */
  Redactor redactor() {
    return redactor(null);
  }

  /**
   * The redactor these options describe, hashing with the key in {@code --redact-key-file}, else in
   * {@code defaultKeyFile} when not null.
   *
   * @throws UsageException when an option is malformed or the key file missing, unreadable or too short
   */
  Redactor redactor(@Nullable Path defaultKeyFile) {
    Path key = keyFile != null ? keyFile : defaultKeyFile;
    if (key == null && headers.isEmpty() && fields.isEmpty() && values.isEmpty() && keep.isEmpty()) {
      return Redactor.defaults();
    }
    Redactor.Builder b = Redactor.builder().addHeaders(headers);
    if (key != null) {
      b.hashKey(RedactKeyFile.read("--redact-key-file", key));
    }
    List<String> words = new ArrayList<>();
    for (String f : fields) {
      if (f.isBlank() || !f.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-'))) {
        throw new UsageException("--redact-field takes a word of letters and digits, got '" + f + "'");
      }
      words.add(f);
    }
    if (!words.isEmpty()) {
      b.addRule(FieldRule.words(List.of(), words));
    }
    for (String v : values) {
      int eq = v.indexOf('=');
      if (eq <= 0 || eq == v.length() - 1) {
        throw new UsageException("--redact-value takes NAME=REGEX, got '" + v + "'");
      }
      try {
        b.addRule(ValueRule.of(v.substring(0, eq).trim(), v.substring(eq + 1), Trigger.always()));
      } catch (PatternSyntaxException e) {
        throw new UsageException("--redact-value " + v.substring(0, eq) + ": not a regular expression: "
            + e.getDescription() + " near index " + e.getIndex());
      }
    }
    for (String k : keep) {
      try {
        b.removeRule(k.trim());
      } catch (IllegalArgumentException e) {
        throw new UsageException("--keep-value-rule: " + e.getMessage());
      }
    }
    return b.build();
  }

  /** A warning when users other than its owner may read the key file {@code key}, or null. */
  static @Nullable String keyWarning(@Nullable Path key) {
    if (key == null || !RedactKeyFile.readableByOthers(key)) {
      return null;
    }
    return "warning: the redaction key " + key + " is readable by other users, who could test guesses against the"
        + " hashes in captures: chmod 600 " + key;
  }
}
