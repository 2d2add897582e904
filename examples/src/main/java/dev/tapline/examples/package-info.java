@NullMarked
package dev.tapline.examples;

import org.jspecify.annotations.NullMarked;
