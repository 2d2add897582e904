@NullMarked
package dev.tapline.proxy;

import org.jspecify.annotations.NullMarked;
