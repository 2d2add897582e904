package dev.tapline.proxy;

import dev.tapline.core.endpoint.PathGlob;
import java.util.List;
import java.util.regex.Pattern;

/** Include/exclude path globs, each as {@link PathGlob} reads it. */
record PathGlobs(List<Pattern> include, List<Pattern> exclude) {

  static PathGlobs of(List<String> include, List<String> exclude) {
    return new PathGlobs(include.stream().map(PathGlob::compile).toList(),
        exclude.stream().map(PathGlob::compile).toList());
  }

  boolean isEmpty() {
    return include.isEmpty() && exclude.isEmpty();
  }

  boolean matches(String path) {
    for (Pattern p : exclude) {
      if (p.matcher(path).matches()) {
        return false;
      }
    }
    if (include.isEmpty()) {
      return true;
    }
    for (Pattern p : include) {
      if (p.matcher(path).matches()) {
        return true;
      }
    }
    return false;
  }
}
