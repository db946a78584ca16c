package org.medvlm.dicom;

/**
 * The usual CT windows in Hounsfield units (center / width, as Radiopaedia's "Windowing (CT)" lists them; sites vary
 * by some tens of HU). Brain and mediastinum are narrow soft-tissue windows; lung and bone are wide.
 */
public enum WindowPreset {
    LUNG(-600, 1500),
    MEDIASTINUM(50, 350),
    BONE(400, 1800),
    BRAIN(40, 80),
    ABDOMEN(40, 400);

    private final Window window;

    WindowPreset(double center, double width) {
        this.window = new Window(center, width);
    }

    public Window window() {
        return window;
    }
}
