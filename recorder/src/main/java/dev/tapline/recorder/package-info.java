@NullMarked
package dev.tapline.recorder;

import org.jspecify.annotations.NullMarked;
