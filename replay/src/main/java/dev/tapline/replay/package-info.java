@NullMarked
package dev.tapline.replay;

import org.jspecify.annotations.NullMarked;
