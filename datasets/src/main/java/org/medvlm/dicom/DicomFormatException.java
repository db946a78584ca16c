package org.medvlm.dicom;

import org.medvlm.io.InputFileException;

/**
 * A file that is not DICOM, is cut short, is inconsistent, exceeds a {@link org.medvlm.io.Limit}, or uses an encoding
 * this package does not decode.
 */
public class DicomFormatException extends InputFileException {
    private static final long serialVersionUID = 1L;

    /** The message reads {@code "<file>: <problem>"}, one line, as the command line prints it. */
    public DicomFormatException(String file, String problem) {
        super(file, problem);
    }

    public DicomFormatException(String file, String problem, Throwable cause) {
        super(file, problem, cause);
    }
}
