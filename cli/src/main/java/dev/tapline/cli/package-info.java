@NullMarked
package dev.tapline.cli;

import org.jspecify.annotations.NullMarked;
