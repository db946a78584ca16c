package org.medvlm.phantoms;

/**
 * One lesion of a phantom, in the coordinates of a 256-pixel image (scaled when drawn larger or smaller).
 *
 * @param x centre column
 * @param y centre row
 * @param radius radius in pixels
 * @param side the patient's side it lies on
 */
public record Lesion(double x, double y, double radius, Side side) {}
