package org.medvlm.phantoms;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Where organs lie in a 256-pixel slice, shared by the painter (which draws them) and the case sampler
 * (which puts lesions inside them), so a lesion said to be in the left kidney is drawn in it.
 */
final class Anatomy {
    private Anatomy() {}

    /** A rotated ellipse. */
    record Ell(double cx, double cy, double rx, double ry, double angle) {
        /** The normalised radius of a point: below 1 inside. */
        double norm(double x, double y) {
            double dx = x - cx;
            double dy = y - cy;
            double c = Math.cos(angle);
            double s = Math.sin(angle);
            double u = (dx * c + dy * s) / rx;
            double w = (-dx * s + dy * c) / ry;
            return Math.sqrt(u * u + w * w);
        }

        /** A point at normalised radius at most {@code maxNorm}, uniform over that area. */
        double[] sample(SplittableRandom rnd, double maxNorm) {
            double r = Math.sqrt(rnd.nextDouble()) * maxNorm;
            double t = rnd.nextDouble() * 2 * Math.PI;
            double u = r * Math.cos(t) * rx;
            double w = r * Math.sin(t) * ry;
            double c = Math.cos(angle);
            double s = Math.sin(angle);
            return new double[] {cx + u * c - w * s, cy + u * s + w * c};
        }
    }

    // CT chest (axial). Image left is the patient's right.
    static final Ell CT_BODY_CHEST = new Ell(128, 134, 108, 82, 0);
    static final Ell CT_LUNG_RIGHT = new Ell(84, 124, 36, 52, 0.12);
    static final Ell CT_LUNG_LEFT = new Ell(172, 124, 33, 50, -0.12);
    static final Ell CT_HEART = new Ell(142, 134, 30, 25, 0.35);

    // CT abdomen (axial).
    static final Ell CT_BODY_ABDOMEN = new Ell(128, 134, 110, 80, 0);
    static final Ell CT_LIVER = new Ell(90, 116, 48, 40, -0.25);
    static final Ell CT_KIDNEY_RIGHT = new Ell(92, 170, 15, 22, 0.4);
    static final Ell CT_KIDNEY_LEFT = new Ell(164, 168, 15, 22, -0.4);

    // MR head (axial).
    static final Ell MR_HEAD = new Ell(128, 128, 92, 110, 0);
    static final Ell MR_BRAIN = new Ell(128, 128, 74, 92, 0);

    // Chest radiograph (PA).
    static final Ell XR_LUNG_RIGHT = new Ell(84, 118, 40, 78, 0.06);
    static final Ell XR_LUNG_LEFT = new Ell(172, 120, 38, 74, -0.06);
    static final Ell XR_HEART = new Ell(148, 172, 44, 32, 0);
    static final Ell XR_MEDIASTINUM = new Ell(128, 110, 19, 92, 0);

    /** Lesion radii (small, large) per organ and modality, in pixels of a 256-pixel image. */
    static double radius(Modality m, Organ o, boolean large) {
        return switch (o) {
            case KIDNEY -> large ? 10 : 7;
            case LIVER, BRAIN -> large ? 12 : 7;
            case LUNG -> m == Modality.XRAY ? (large ? 12 : 7.5) : (large ? 11 : 6.5);
        };
    }

    /** The ellipse a lesion of this organ and side is placed in. */
    static Ell region(Modality m, Organ o, Side side) {
        return switch (o) {
            case LUNG -> m == Modality.XRAY ? (side == Side.LEFT ? XR_LUNG_LEFT : XR_LUNG_RIGHT)
                    : (side == Side.LEFT ? CT_LUNG_LEFT : CT_LUNG_RIGHT);
            case KIDNEY -> side == Side.LEFT ? CT_KIDNEY_LEFT : CT_KIDNEY_RIGHT;
            case LIVER -> CT_LIVER;
            case BRAIN -> MR_BRAIN;
        };
    }

    /** Whether a lesion centre at (x, y) is where the organ really is (not over the heart, a ventricle, ...). */
    static boolean allowed(Modality m, Organ o, Side side, double x, double y, double r) {
        return switch (o) {
            case LUNG -> m == Modality.XRAY
                    ? XR_HEART.norm(x, y) > 1.15 && XR_MEDIASTINUM.norm(x, y) > 1.2 && y < 168
                    : CT_HEART.norm(x, y) > 1.25;
            case LIVER -> CT_KIDNEY_RIGHT.norm(x, y) > 1.5 && y < 140;
            case KIDNEY -> true;
            // a hemisphere, clear of the midline and the ventricles
            case BRAIN -> (x - 128) * side.imageDirection() > 24 + r;
        };
    }

    /**
     * Places lesions on the given sides without overlapping (so they can be counted), shrinking them a
     * little when they do not fit.
     */
    static List<Lesion> place(SplittableRandom rnd, Modality m, Organ o, List<Side> sides, boolean large) {
        double r = radius(m, o, large);
        for (int attempt = 0; attempt < 10; attempt++, r *= 0.92) {
            List<Lesion> out = new ArrayList<>();
            boolean ok = true;
            for (Side side : sides) {
                Ell e = region(m, o, side);
                Lesion placed = null;
                for (int t = 0; t < 400 && placed == null; t++) {
                    double[] p = e.sample(rnd, o == Organ.KIDNEY ? 0.75 : 0.68);
                    if (!allowed(m, o, side, p[0], p[1], r)) {
                        continue;
                    }
                    boolean clear = true;
                    for (Lesion l : out) {
                        if (Math.hypot(l.x() - p[0], l.y() - p[1]) < l.radius() + r + 4) {
                            clear = false;
                            break;
                        }
                    }
                    if (clear) {
                        placed = new Lesion(p[0], p[1], r, side);
                    }
                }
                if (placed == null) {
                    ok = false;
                    break;
                }
                out.add(placed);
            }
            if (ok) {
                return out;
            }
        }
        throw new IllegalStateException("cannot place " + sides.size() + " lesions in the " + o.answer());
    }
}
