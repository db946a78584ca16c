/**
 * DICOM for notebooks: read a file ({@link org.medvlm.dicom.DicomImage#read}), get its stored pixel values, the
 * modality values (Hounsfield units for CT), a windowed RGB image for the model, and a header table whose
 * patient-identifying attributes are masked unless asked for.
 *
 * <p>Uncompressed pixel data is read through ImageJ ({@code ij.plugin.DICOM}), checked against this package's own
 * parser; RLE Lossless and JPEG baseline are decoded here; any other compressed transfer syntax is refused by name.
 */
package org.medvlm.dicom;
