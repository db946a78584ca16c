package org.medvlm.kernel.jshell;

/**
 * What a piece of Java code evaluated to: the real object of its last expression, or nothing when the
 * code ended in a statement or declaration (which, as in IJava, show no result).
 */
public record CellResult(boolean hasValue, Object value) {
    static final CellResult NONE = new CellResult(false, null);

    static CellResult of(Object value) {
        return new CellResult(true, value);
    }
}
