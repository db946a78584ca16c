package org.medvlm.dicom;

/**
 * One top-level attribute as found in the file: its tag, VR, and where its value lies ({@code offset}, {@code length}
 * in bytes). A sequence keeps only its item count; an undefined length is resolved to the bytes actually spanned.
 */
public record DicomElement(int tag, String vr, int offset, int length, int items) {

    public int group() {
        return tag >>> 16;
    }

    public int element() {
        return tag & 0xFFFF;
    }

    /** The tag as DICOM writes it: {@code (0010,0010)}. */
    public String tagString() {
        return Tags.format(tag);
    }

    public boolean isSequence() {
        return "SQ".equals(vr);
    }
}
