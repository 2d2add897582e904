@NullMarked
package dev.tapline.ui;

import org.jspecify.annotations.NullMarked;
