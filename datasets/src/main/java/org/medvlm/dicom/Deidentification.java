package org.medvlm.dicom;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which attributes are masked where the toolkit displays a header, and why. By tag, whatever VR the file writes:
 * <ul>
 *   <li>every attribute of the Application Level Confidentiality Profile, DICOM PS3.15 Annex E Table E.1-1
 *       (621 rows, revision 2024b: {@code confidentiality-profile.tsv} says where it comes from), including its
 *       curve (50xx,xxxx), overlay (60xx,3000 / 60xx,4000) and private (odd group) rows;
 *   <li>widened by rules, so that an attribute the table misses or a file mislabels still stays hidden: the whole
 *       Patient (0010), Study (0032), Visit (0038) and Results (4008) groups; every person name, date, time,
 *       date-time and application entity title, by the VR the file writes or by the dictionary's (a StudyDate
 *       written as LO is still a date);
 *       every UID except class UIDs and the transfer syntax (instance UIDs link a file back to its study).
 * </ul>
 * Values are masked for display only: the file is never changed. {@code --show-phi} (notebook: the same option)
 * shows the raw header to a user who may see it.
 */
public final class Deidentification {
    private Deidentification() {}

    /** Text shown in place of a masked value. */
    public static final String MASK = "<masked>";

    /** One row of Table E.1-1: the tag (a pattern where the table has x), its Basic Profile action, its keyword. */
    public record ProfileRow(String tag, String action, String keyword, String name) {}

    private static final List<ProfileRow> ROWS = new ArrayList<>();
    private static final Map<Integer, ProfileRow> EXACT = new HashMap<>();
    private static ProfileRow curves;
    private static ProfileRow overlayData;
    private static ProfileRow overlayComments;
    private static ProfileRow privateAttributes;

    static {
        load();
    }

    /** Every row of Table E.1-1, in the resource's order. */
    public static List<ProfileRow> profile() {
        return List.copyOf(ROWS);
    }

    /** True where the profile (or one of the rules above) covers this attribute. */
    public static boolean masks(DicomElement e) {
        return reason(e).isPresent();
    }

    /** Why this attribute's value is masked, or empty when it is shown. */
    public static Optional<String> reason(DicomElement e) {
        ProfileRow row = profileRow(e.tag());
        if (row != null) {
            return Optional.of("PS3.15 E.1-1 " + row.action() + (row == privateAttributes ? " (private attribute)" : ""));
        }
        int group = e.group();
        if (group == 0x0010 || group == 0x0032 || group == 0x0038 || group == 0x4008) {
            return Optional.of(String.format("group %04X (%s)", group, switch (group) {
                case 0x0010 -> "patient";
                case 0x0032 -> "study";
                case 0x0038 -> "visit";
                default -> "results";
            }));
        }
        String dictionary = DicomDictionary.vr(e.tag());
        for (String vr : new String[] {e.vr(), dictionary}) {
            switch (vr) {
                case "PN":
                    return Optional.of("person name (PN)");
                case "DA", "TM", "DT":
                    return Optional.of("date or time (" + vr + ")");
                case "AE":
                    return Optional.of("application entity title (AE)"); // names a machine of the institution
                default:
                    break;
            }
        }
        if (e.vr().equals("UI") || dictionary.equals("UI")) {
            String keyword = DicomDictionary.keyword(e.tag());
            if (!(keyword.endsWith("ClassUID") || e.tag() == Tags.TRANSFER_SYNTAX_UID)) {
                return Optional.of("instance UID");
            }
        }
        return Optional.empty();
    }

    /** The Table E.1-1 row covering {@code tag}, or null. */
    static ProfileRow profileRow(int tag) {
        ProfileRow row = EXACT.get(tag);
        if (row != null) {
            return row;
        }
        int group = tag >>> 16;
        int element = tag & 0xFFFF;
        if ((group & 1) == 1) {
            return privateAttributes;
        }
        if ((group & 0xFF00) == 0x5000) {
            return curves;
        }
        if ((group & 0xFF00) == 0x6000) {
            return element == 0x3000 ? overlayData : element == 0x4000 ? overlayComments : null;
        }
        return null;
    }

    private static void load() {
        try (InputStream in = Deidentification.class.getResourceAsStream("confidentiality-profile.tsv")) {
            if (in == null) {
                throw new IllegalStateException("confidentiality-profile.tsv is missing from the classpath");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                ProfileRow row = new ProfileRow(f[0], f[1], f[2], f[3]);
                ROWS.add(row);
                switch (f[0]) {
                    case "(50xx,xxxx)" -> curves = row;
                    case "(60xx,3000)" -> overlayData = row;
                    case "(60xx,4000)" -> overlayComments = row;
                    case "(gggg,eeee)" -> privateAttributes = row;
                    default -> EXACT.put(Integer.parseUnsignedInt(f[0].substring(1, 5) + f[0].substring(6, 10), 16), row);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (curves == null || overlayData == null || overlayComments == null || privateAttributes == null) {
            throw new IllegalStateException("confidentiality-profile.tsv lacks its curve, overlay or private rows");
        }
    }
}
