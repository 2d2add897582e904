package dev.tapline.core.redact;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The value rules the default {@link dev.tapline.core.Redactor} applies to every header value, the
 * query, each path segment, the authority and every text body whatever its content type: secrets
 * recognized by their shape, whatever the field or header that carries them is called.
 *
 * <p>Each trigger word is confirmed where it is seen (a JWT's {@code eyJ} must be followed by
 * base64url and a dot, {@code AKIA} by sixteen capitals or digits...), so ordinary bodies that merely
 * contain the letters stay on the scanner's fast path.
 */
public final class KnownSecrets {
  private KnownSecrets() {}

  /** PEM private keys, {@code -----BEGIN ... PRIVATE KEY-----} to the matching END (or the end of a truncated text). */
  public static final ValueRule PRIVATE_KEY = ValueRule.of("private-key",
      "-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:[\\s\\S]*?-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|[\\s\\S]*+)",
      Trigger.word("private key", (t, s, e) -> e < t.length() && (t.charAt(e) == '-' || t.charAt(e) == ' ')));

  /** JSON Web Tokens (and JWE): {@code eyJ} then two or four more dot-separated base64url parts. */
  public static final ValueRule JWT = ValueRule.of("jwt",
      "(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]*(?:\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*)?",
      Trigger.word("eyJ", KnownSecrets::base64urlThenDot));

  /** AWS access key ids: {@code AKIA} (long-term) or {@code ASIA} (temporary) and 16 capitals or digits. */
  public static final ValueRule AWS_ACCESS_KEY = ValueRule.of("aws-access-key",
      "(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])",
      Trigger.word("AKIA", (t, s, e) -> exactly(t, s, "AKIA") && run(t, e, 16, KnownSecrets::upperOrDigit) >= 16),
      Trigger.word("ASIA", (t, s, e) -> exactly(t, s, "ASIA") && run(t, e, 16, KnownSecrets::upperOrDigit) >= 16));

  /** GitHub tokens: {@code ghp_ gho_ ghu_ ghs_ ghr_} classic tokens and {@code github_pat_} fine-grained ones. */
  public static final ValueRule GITHUB_TOKEN = ValueRule.of("github-token",
      "\\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})",
      Trigger.word("ghp", KnownSecrets::underscoreThenKey), Trigger.word("gho", KnownSecrets::underscoreThenKey),
      Trigger.word("ghu", KnownSecrets::underscoreThenKey), Trigger.word("ghs", KnownSecrets::underscoreThenKey),
      Trigger.word("ghr", KnownSecrets::underscoreThenKey), Trigger.word("github_pat_"));

  /** GitLab personal access tokens: {@code glpat-} and 20 or more characters. */
  public static final ValueRule GITLAB_TOKEN = ValueRule.of("gitlab-token",
      "\\bglpat-[A-Za-z0-9_-]{20,}", Trigger.word("glpat-"));

  /** Stripe secret and restricted keys ({@code sk_live_ sk_test_ rk_live_ rk_test_}) and webhook secrets ({@code whsec_}). */
  public static final ValueRule STRIPE_KEY = ValueRule.of("stripe-key",
      "\\b(?:[sr]k_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{20,})",
      Trigger.word("sk_live_"), Trigger.word("sk_test_"), Trigger.word("rk_live_"), Trigger.word("rk_test_"),
      Trigger.word("whsec_"));

  /** Slack tokens: {@code xoxb- xoxp- xoxa- xoxr- xoxs-}. */
  public static final ValueRule SLACK_TOKEN = ValueRule.of("slack-token",
      "\\bxox[bpars]-[A-Za-z0-9-]{10,}",
      Trigger.word("xoxb-"), Trigger.word("xoxp-"), Trigger.word("xoxa-"), Trigger.word("xoxr-"), Trigger.word("xoxs-"));

  /** Google API keys: {@code AIza} and 35 characters. */
  public static final ValueRule GOOGLE_API_KEY = ValueRule.of("google-api-key",
      "\\bAIza[0-9A-Za-z_-]{35}",
      Trigger.word("AIza", (t, s, e) -> exactly(t, s, "AIza") && run(t, e, 35, KnownSecrets::base64url) >= 35));

  /** npm access tokens: {@code npm_} and 36 letters or digits. */
  public static final ValueRule NPM_TOKEN = ValueRule.of("npm-token",
      "\\bnpm_[A-Za-z0-9]{36}", Trigger.word("npm", KnownSecrets::underscoreThenKey));

  /**
   * {@code Bearer <token>}: the token (8 or more token characters, with a digit or a symbol or 20
   * long, so that "bearer instruments" stays).
   */
  public static final ValueRule BEARER_TOKEN = ValueRule.of("bearer-token",
      "(?i)\\bbearer[ \\t]+([A-Za-z0-9._~+/-]{8,}=*)",
      Trigger.word("bearer", KnownSecrets::spaceThenNonSpace))
      .secretGroup(1)
      .secret(token -> token.length() >= 20 || token.chars().anyMatch(c -> !Character.isLetter(c)) ? token : null);

  /** {@code Basic <base64 of user:password>}: the credentials, when they decode to something with a colon. */
  public static final ValueRule BASIC_CREDENTIALS = ValueRule.of("basic-credentials",
      "(?i)\\bbasic[ \\t]+([A-Za-z0-9+/]{4,}={0,2})",
      Trigger.word("basic", KnownSecrets::spaceThenNonSpace))
      .secretGroup(1)
      .secret(KnownSecrets::basicCredentials);

  /** {@code user:password@} (any userinfo) in a URL with a scheme, also with JSON's escaped {@code \/\/}: removed. */
  public static final ValueRule URL_USERINFO = ValueRule.of("url-userinfo",
      "(?i)\\b[a-z][a-z0-9+.-]{0,30}:(?://|\\\\/\\\\/)([^\\s/\\\\?#@\"'<>]+@)",
      Trigger.word("://", KnownSecrets::atInAuthority), Trigger.word(":\\/\\/", KnownSecrets::atInAuthority))
      .secretGroup(1)
      .stripped();

  /**
   * 13-19 digits, optionally grouped by spaces or dashes, that pass the Luhn check, standing alone:
   * not part of a word, a decimal or a dashed id (the digit groups of a UUID or a hex id are not
   * card numbers).
   */
  public static final ValueRule CARD_NUMBER = ValueRule.of("card-number",
      "(?<![0-9A-Za-z_.-])(?:\\d[ -]?){12,18}\\d(?![0-9A-Za-z_.-])", Trigger.digits(13))
      .secret(match -> {
        String digits = match.replace(" ", "").replace("-", "");
        return digits.length() >= 13 && digits.length() <= 19 && luhn(digits) ? digits : null;
      });

  /** All of the above, in the order the redactor applies them (the most specific first). */
  public static List<ValueRule> all() {
    return List.of(PRIVATE_KEY, JWT, AWS_ACCESS_KEY, GITHUB_TOKEN, GITLAB_TOKEN, STRIPE_KEY, SLACK_TOKEN,
        GOOGLE_API_KEY, NPM_TOKEN, BEARER_TOKEN, BASIC_CREDENTIALS, URL_USERINFO, CARD_NUMBER);
  }

  static boolean luhn(String digits) {
    int sum = 0;
    boolean dbl = false;
    for (int i = digits.length() - 1; i >= 0; i--) {
      int d = digits.charAt(i) - '0';
      if (dbl) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      dbl = !dbl;
    }
    return sum % 10 == 0;
  }

  private static @Nullable String basicCredentials(String b64) {
    try {
      String decoded = new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
      return decoded.indexOf(':') > 0 ? b64 : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  // ---- confirms: a few characters of look-around, no allocation ----

  private static boolean base64urlThenDot(CharSequence t, int start, int end) {
    int i = end + run(t, end, Integer.MAX_VALUE, KnownSecrets::base64url);
    return i - end >= 2 && i < t.length() && t.charAt(i) == '.';
  }

  private static boolean underscoreThenKey(CharSequence t, int start, int end) {
    return end < t.length() && t.charAt(end) == '_' && run(t, end + 1, 30, KnownSecrets::letterOrDigit) >= 30;
  }

  private static boolean spaceThenNonSpace(CharSequence t, int start, int end) {
    int i = end;
    while (i < t.length() && (t.charAt(i) == ' ' || t.charAt(i) == '\t')) {
      i++;
    }
    return i > end && i < t.length();
  }

  /** An {@code @} in what follows {@code //} up to the end of the authority. */
  private static boolean atInAuthority(CharSequence t, int start, int end) {
    for (int i = end; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c == '@') {
        return i > end;
      }
      if (c == '/' || c == '\\' || c == '?' || c == '#' || c == '"' || c == '\'' || c == '<' || c == '>' || c <= ' ') {
        return false;
      }
    }
    return false;
  }

  private static boolean exactly(CharSequence t, int start, String s) {
    if (start + s.length() > t.length()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (t.charAt(start + i) != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private interface CharTest {
    boolean test(char c);
  }

  /** How many characters from {@code from} pass {@code test}, counting up to {@code max}. */
  private static int run(CharSequence t, int from, int max, CharTest test) {
    int i = from;
    while (i < t.length() && i - from < max && test.test(t.charAt(i))) {
      i++;
    }
    return i - from;
  }

  private static boolean letterOrDigit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  private static boolean upperOrDigit(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  private static boolean base64url(char c) {
    return letterOrDigit(c) || c == '-' || c == '_';
  }
}
