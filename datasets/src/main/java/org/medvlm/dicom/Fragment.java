package org.medvlm.dicom;

/** One item of encapsulated pixel data: its value's offset and length in the file. */
record Fragment(int offset, int length) {}
