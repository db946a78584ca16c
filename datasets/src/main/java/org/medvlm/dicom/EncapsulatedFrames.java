package org.medvlm.dicom;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits encapsulated pixel data into one byte array per frame (PS3.5 A.4): one frame takes all fragments; else the
 * basic offset table gives each frame's first fragment; else one fragment per frame when the counts agree; else a
 * new frame starts at each fragment that begins with a JPEG start-of-image marker.
 */
final class EncapsulatedFrames {
    private EncapsulatedFrames() {}

    static List<byte[]> split(DicomHeader h, PixelLayout l) throws DicomFormatException {
        List<Fragment> items = h.encapsulatedItems();
        if (items.isEmpty()) {
            throw new DicomFormatException(h.file(), "transfer syntax " + h.transferSyntax()
                    + " needs encapsulated pixel data, but the pixel data is not encapsulated");
        }
        Fragment table = items.get(0);
        List<Fragment> fragments = items.subList(1, items.size());
        if (fragments.isEmpty()) {
            throw new DicomFormatException(h.file(), "encapsulated pixel data has no fragments");
        }
        byte[] b = h.bytes();
        int frames = l.frames();
        // each frame takes one fragment or more (PS3.5 A.4): more frames than fragments is a damaged header, and is
        // refused before the offset table of that many frames is allocated
        if (frames > fragments.size()) {
            throw new DicomFormatException(h.file(), "NumberOfFrames is " + frames + " but the encapsulated pixel data holds only "
                    + fragments.size() + " fragment(s)");
        }
        List<List<Fragment>> groups = new ArrayList<>();
        if (frames == 1) {
            groups.add(fragments);
        } else if (table.length() >= 4L * frames) {
            long[] starts = new long[frames];
            for (int i = 0; i < frames; i++) {
                starts[i] = NativeDecoder.read(b, table.offset() + 4 * i, 4, true);
            }
            // offsets count bytes from the first fragment's item tag, so each fragment starts 8 bytes after it
            long position = 0;
            int frame = -1;
            for (Fragment f : fragments) {
                while (frame + 1 < frames && starts[frame + 1] == position) {
                    frame++;
                    groups.add(new ArrayList<>());
                }
                if (frame < 0) {
                    throw new DicomFormatException(h.file(), "basic offset table does not start at the first fragment");
                }
                groups.get(frame).add(f);
                position += 8L + f.length();
            }
        } else if (fragments.size() == frames) {
            for (Fragment f : fragments) {
                groups.add(List.of(f));
            }
        } else {
            for (Fragment f : fragments) {
                boolean soi = f.length() >= 2 && (b[f.offset()] & 0xFF) == 0xFF && (b[f.offset() + 1] & 0xFF) == 0xD8;
                if (soi || groups.isEmpty()) {
                    groups.add(new ArrayList<>());
                }
                groups.get(groups.size() - 1).add(f);
            }
        }
        if (groups.size() != frames) {
            throw new DicomFormatException(h.file(), "NumberOfFrames is " + frames + " but the encapsulated pixel data holds "
                    + groups.size() + " frame(s) in " + fragments.size() + " fragment(s)");
        }
        List<byte[]> out = new ArrayList<>(frames);
        for (List<Fragment> group : groups) {
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            for (Fragment f : group) {
                frame.write(b, f.offset(), f.length());
            }
            out.add(frame.toByteArray());
        }
        return out;
    }
}
