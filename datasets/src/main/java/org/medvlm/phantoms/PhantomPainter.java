package org.medvlm.phantoms;

import java.awt.image.BufferedImage;
import java.util.SplittableRandom;
import org.medvlm.phantoms.Anatomy.Ell;

/**
 * Draws a {@link PhantomCase} as a grey-level slice: an axial CT of the chest or abdomen (air black,
 * fat grey, organs brighter, bone white, a scanner table below), an axial T2-weighted MR of the head (CSF
 * bright, grey matter brighter than white matter, a dark skull between scalp and brain, a coil's bias
 * field), or a PA chest radiograph (dark lungs, white mediastinum, heart, clavicles and ribs). Lesions are
 * drawn with the contrast they have in that modality. The same case and size always give the same pixels.
 */
final class PhantomPainter {
    private PhantomPainter() {}

    static BufferedImage paint(PhantomCase c, int size) {
        Canvas cv = new Canvas(256, 256, 0);
        SplittableRandom rnd = new SplittableRandom(c.seed());
        // lesion details draw from their own stream, so the anatomy and noise of a case are the same
        // with or without its lesions (the tests check that lesions are the only difference)
        SplittableRandom lesionRnd = new SplittableRandom(c.seed() ^ 0x7E5105L);
        switch (c.modality()) {
            case CT -> {
                if (c.organ() == Organ.LUNG) {
                    ctChest(cv, rnd, lesionRnd, c);
                } else {
                    ctAbdomen(cv, rnd, c);
                }
            }
            case MRI -> mrHead(cv, rnd, lesionRnd, c);
            case XRAY -> xrayChest(cv, rnd, c);
        }
        BufferedImage img = cv.toImage();
        return size == 256 ? img : scale(img, size);
    }

    private static void fill(Canvas cv, Ell e, float value, double soft) {
        cv.ellipse(e.cx(), e.cy(), e.rx(), e.ry(), e.angle(), value, soft);
    }

    private static void ctChest(Canvas cv, SplittableRandom rnd, SplittableRandom lr, PhantomCase c) {
        table(cv);
        Ell body = Anatomy.CT_BODY_CHEST;
        fill(cv, body, 92, 1.5); // subcutaneous fat
        cv.ellipse(128, 134, 100, 74, 0, 122, 1.5); // chest wall muscle
        ribs(cv, body);
        fill(cv, Anatomy.CT_LUNG_RIGHT, 18, 1.5);
        fill(cv, Anatomy.CT_LUNG_LEFT, 18, 1.5);
        cv.ellipse(128, 112, 16, 30, 0, 118, 2); // mediastinum
        fill(cv, Anatomy.CT_HEART, 128, 1.5);
        cv.ellipse(134, 96, 9, 9, 0, 150, 1); // ascending aorta
        cv.ellipse(144, 170, 9, 9, 0, 150, 1); // descending aorta
        cv.ellipse(116, 100, 5, 5, 0, 14, 1); // trachea
        spine(cv, 128, 186);
        cv.ellipse(128, 60, 10, 4, 0, 225, 1); // sternum
        // pulmonary vessels: small bright dots, far smaller than any lesion
        for (Ell lung : new Ell[] {Anatomy.CT_LUNG_RIGHT, Anatomy.CT_LUNG_LEFT}) {
            for (int i = 0; i < 22; i++) {
                double[] p = lung.sample(rnd, 0.9);
                double r = 0.7 + rnd.nextDouble() * 1.1;
                cv.ellipse(p[0], p[1], r, r * (1 + rnd.nextDouble()), rnd.nextDouble() * Math.PI, 95, 0.8);
            }
        }
        for (Lesion l : c.lesions()) {
            cv.ellipse(l.x(), l.y(), l.radius(), l.radius() * 0.92, lr.nextDouble() * Math.PI, 126, 1.2);
            for (int k = 0; k < 3; k++) { // lobulated margin
                double a = lr.nextDouble() * 2 * Math.PI;
                cv.ellipse(l.x() + Math.cos(a) * l.radius() * 0.7, l.y() + Math.sin(a) * l.radius() * 0.7,
                        l.radius() * 0.45, l.radius() * 0.45, 0, 122, 1);
            }
        }
        ctFinish(cv, rnd);
    }

    private static void ctAbdomen(Canvas cv, SplittableRandom rnd, PhantomCase c) {
        table(cv);
        fill(cv, Anatomy.CT_BODY_ABDOMEN, 92, 1.5);
        cv.ellipse(128, 134, 98, 68, 0, 112, 1.5);
        cv.ellipse(128, 196, 60, 14, 0, 126, 2); // paraspinal muscles
        // bowel loops and gas, different in every image
        for (int i = 0; i < 14; i++) {
            double x = 110 + rnd.nextDouble() * 80;
            double y = 118 + rnd.nextDouble() * 46;
            double r = 6 + rnd.nextDouble() * 7;
            cv.ellipse(x, y, r, r * (0.7 + rnd.nextDouble() * 0.5), rnd.nextDouble() * Math.PI,
                    105 + (float) rnd.nextDouble() * 25, 1.5);
            if (rnd.nextDouble() < 0.35) {
                cv.ellipse(x, y - r * 0.3, r * 0.4, r * 0.3, 0, 12, 1);
            }
        }
        fill(cv, Anatomy.CT_LIVER, 150, 1.5);
        cv.ellipse(176, 118, 18, 28, 0.3, 140, 1.5); // spleen
        cv.ellipse(150, 96, 20, 13, -0.2, 118, 1.5); // stomach
        cv.ellipse(150, 90, 12, 5, -0.2, 10, 1); // gastric air
        for (Ell k : new Ell[] {Anatomy.CT_KIDNEY_RIGHT, Anatomy.CT_KIDNEY_LEFT}) {
            fill(cv, k, 168, 1.2); // enhancing cortex
            cv.ellipse(k.cx() + (k.cx() < 128 ? 7 : -7), k.cy(), 3.5, 6, k.angle(), 100, 2); // hilum fat
        }
        cv.ellipse(136, 160, 8, 8, 0, 205, 1); // aorta (contrast)
        cv.ellipse(114, 160, 9, 7, 0, 150, 1); // IVC
        spine(cv, 128, 182);
        for (Lesion l : c.lesions()) {
            float value = c.organ() == Organ.KIDNEY ? 48 : 84; // simple cyst: water; liver lesion: hypodense
            cv.ellipse(l.x(), l.y(), l.radius(), l.radius() * 0.95, 0, value, 1.2);
        }
        ctFinish(cv, rnd);
    }

    private static void mrHead(Canvas cv, SplittableRandom rnd, SplittableRandom lr, PhantomCase c) {
        fill(cv, Anatomy.MR_HEAD, 175, 2); // scalp fat
        cv.ellipse(128, 128, 86, 104, 0, 22, 1.5); // skull: no signal
        cv.ellipse(128, 128, 80, 98, 0, 205, 1.5); // CSF over the convexity
        fill(cv, Anatomy.MR_BRAIN, 138, 1.5); // grey matter
        cv.ellipse(128, 130, 60, 76, 0, 100, 6); // white matter, a soft grey-white junction
        // sulci: short bright CSF clefts reaching in from the surface at irregular angles
        for (int i = 0; i < 60; i++) {
            double a = rnd.nextDouble() * 2 * Math.PI;
            double rr = 0.8 + rnd.nextDouble() * 0.15;
            double x = 128 + Math.cos(a) * 74 * rr;
            double y = 128 + Math.sin(a) * 92 * rr;
            double tilt = (rnd.nextDouble() - 0.5) * 1.2;
            cv.ellipse(x, y, 1.1, 3 + rnd.nextDouble() * 6, a + Math.PI / 2 + tilt, 178, 0.8);
        }
        cv.ellipse(128, 128, 1.4, 90, 0, 200, 0.8); // interhemispheric fissure
        cv.ellipse(117, 122, 6, 22, 0.25, 218, 1.2); // lateral ventricles
        cv.ellipse(139, 122, 6, 22, -0.25, 218, 1.2);
        cv.ellipse(128, 148, 2, 6, 0, 210, 1); // third ventricle
        for (Lesion l : c.lesions()) {
            cv.ellipse(l.x(), l.y(), l.radius() * 1.6, l.radius() * 1.5, lr.nextDouble(), 172, 4); // oedema
            cv.ellipse(l.x(), l.y(), l.radius(), l.radius() * 0.9, lr.nextDouble(), 238, 1.2);
        }
        cv.biasField(0.25, -0.15);
        cv.lowFrequencyNoise(rnd, 6, 7, 40);
        cv.whiteNoise(rnd, 5, true);
        cv.blur();
    }

    private static void xrayChest(Canvas cv, SplittableRandom rnd, PhantomCase c) {
        cv.ellipse(128, 182, 130, 166, 0, 100, 16); // torso soft tissue
        cv.ellipse(128, 10, 30, 40, 0, 108, 8); // neck
        cv.addEllipse(4, 70, 16, 20, 0, 55, 4); // humeral heads at the edges
        cv.addEllipse(252, 70, 16, 20, 0, 55, 4);
        fill(cv, Anatomy.XR_LUNG_RIGHT, 26, 9);
        fill(cv, Anatomy.XR_LUNG_LEFT, 26, 9);
        cv.ellipse(94, 62, 24, 30, 0.2, 30, 9); // apices
        cv.ellipse(162, 62, 24, 30, -0.2, 30, 9);
        cv.addEllipse(128, 128, 8, 132, 0, 16, 3); // spine behind the mediastinum
        fill(cv, Anatomy.XR_MEDIASTINUM, 160, 7);
        fill(cv, Anatomy.XR_HEART, 168, 7);
        cv.addEllipse(136, 72, 10, 10, 0, 10, 3); // aortic knob
        cv.addEllipse(116, 70, 4, 22, 0, -30, 2); // trachea (air)
        // hila: vessels fanning out from the mediastinum
        for (int s = -1; s <= 1; s += 2) {
            for (int k = 0; k < 7; k++) {
                double a = (s < 0 ? Math.PI : 0) - s * (0.9 - k * 0.3);
                double len = 16 + rnd.nextDouble() * 18;
                double x = 128 + s * 26 + Math.cos(a) * len * 0.6;
                double y = 118 + Math.sin(a) * len * 0.6;
                cv.addEllipse(x, y, len * 0.5, 1.6, a, 24, 1.2);
            }
        }
        cv.addEllipse(94, 48, 44, 5, 0.25, 46, 2); // clavicles
        cv.addEllipse(162, 48, 44, 5, -0.25, 46, 2);
        for (int k = 0; k < 8; k++) { // posterior ribs: arcs falling away from the spine
            double y = 50 + k * 19;
            double rx = 72 - k * 2;
            cv.ring(128, y + 46, rx, 46, 0, 5, 17, -Math.PI + 0.15, -Math.PI / 2 - 0.08);
            cv.ring(128, y + 46, rx, 46, 0, 5, 17, -Math.PI / 2 + 0.08, -0.15);
        }
        for (Lesion l : c.lesions()) {
            cv.addEllipse(l.x(), l.y(), l.radius(), l.radius() * 0.95, 0, 72, 3);
        }
        cv.lowFrequencyNoise(rnd, 5, 8, 0);
        cv.whiteNoise(rnd, 3, false);
        cv.blur();
        cv.vignette(0.35);
    }

    private static void ctFinish(Canvas cv, SplittableRandom rnd) {
        cv.lowFrequencyNoise(rnd, 12, 5, 40);
        cv.whiteNoise(rnd, 6, false);
        cv.blur();
    }

    private static void table(Canvas cv) {
        cv.ring(128, 330, 160, 104, 0, 3, 90, -Math.PI + 0.6, -0.6);
    }

    private static void ribs(Canvas cv, Ell body) {
        for (int i = 0; i < 12; i++) {
            double a = Math.PI * (0.05 + 0.9 * i / 11.0) + Math.PI; // upper half, patient's front to back
            double x = body.cx() + Math.cos(a) * body.rx() * 0.93;
            double y = body.cy() + Math.sin(a) * body.ry() * 0.93;
            cv.ellipse(x, y, 6, 3.2, a + Math.PI / 2, 225, 1);
        }
        for (int s = -1; s <= 1; s += 2) {
            for (int i = 0; i < 3; i++) {
                double a = (s > 0 ? 0.2 : Math.PI - 0.2) + s * 0.28 * i;
                cv.ellipse(body.cx() + Math.cos(a) * body.rx() * 0.93, body.cy() + Math.sin(a) * body.ry() * 0.9,
                        6, 3.2, a + Math.PI / 2, 225, 1);
            }
        }
    }

    private static void spine(Canvas cv, double x, double y) {
        cv.ellipse(x, y, 14, 12, 0, 232, 1.2); // vertebral body
        cv.ellipse(x, y, 10, 8, 0, 190, 2); // cancellous bone
        cv.ellipse(x, y + 17, 6, 5, 0, 30, 1); // spinal canal
        cv.ellipse(x - 12, y + 22, 4, 9, 0.6, 225, 1); // laminae
        cv.ellipse(x + 12, y + 22, 4, 9, -0.6, 225, 1);
        cv.ellipse(x, y + 30, 4, 6, 0, 225, 1); // spinous process
    }

    private static BufferedImage scale(BufferedImage src, int size) {
        BufferedImage dst = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        java.awt.Graphics2D g = dst.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(src, 0, 0, size, size, null);
        g.dispose();
        return dst;
    }
}
