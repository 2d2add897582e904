/**
 * Redaction rules: what {@link dev.tapline.core.Redactor} looks for, each rule with its own cheap
 * {@link dev.tapline.core.redact.Trigger pre-filter}. A {@link dev.tapline.core.redact.HeaderRule}
 * names headers, a {@link dev.tapline.core.redact.FieldRule} names JSON, form and query fields, a
 * {@link dev.tapline.core.redact.ValueRule} finds secret values in any text.
 */
@NullMarked
package dev.tapline.core.redact;

import org.jspecify.annotations.NullMarked;
