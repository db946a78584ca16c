package org.medvlm.dicom;

import java.io.IOException;

/** A file that is not DICOM, is cut short, is inconsistent, or uses an encoding this package does not decode. */
public class DicomFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The message reads {@code "<file>: <problem>"}, one line, as the command line prints it. */
    public DicomFormatException(String file, String problem) {
        super(file + ": " + problem);
    }

    public DicomFormatException(String file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
