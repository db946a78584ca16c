/**
 * Magics: {@code %zero}, {@code %medvqa}, {@code %dicom}, {@code %vlm}, {@code %train}, {@code %%train}
 * and the rest run the SAME picocli commands as {@code launch/medvlm}, with a display that renders rich
 * values; plus IJava's {@code %classpath}/{@code %jars} and {@code %help}.
 */
package org.medvlm.kernel.magic;
