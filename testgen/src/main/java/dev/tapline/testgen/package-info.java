@NullMarked
package dev.tapline.testgen;

import org.jspecify.annotations.NullMarked;
