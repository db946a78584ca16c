package org.medvlm.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every attribute of PS3.15 Table E.1-1 is masked in the header table, the rows and their JSON, whatever VR the
 * file writes it with and in every encoding; each masked row says why; the raw header shows them on request.
 */
class ProfileMaskingTest {
    private static final String SECRET = HostileDicom.SECRET;

    private static Map<Integer, String> profileTags() {
        return HostileDicom.profileTags();
    }

    private static byte[] fileWithEveryAttribute(DicomFixture.Syntax syntax, boolean everyVrAsLo) {
        return HostileDicom.everyProfileAttribute(syntax, everyVrAsLo);
    }

    @Test
    void theResourceHoldsTheWholeTable() {
        List<Deidentification.ProfileRow> rows = Deidentification.profile();
        assertEquals(621, rows.size(), "PS3.15 2024b Table E.1-1 has 621 rows");
        assertEquals(rows.size(), rows.stream().map(Deidentification.ProfileRow::tag).distinct().count());
        Map<String, String> byKeyword = new LinkedHashMap<>();
        rows.forEach(r -> byKeyword.put(r.keyword(), r.tag()));
        // the attributes the outside probe found unmasked, by name
        Map<String, String> expected = Map.ofEntries(Map.entry("AdmittingDiagnosesDescription", "(0008,1080)"),
                Map.entry("IdentifyingComments", "(0008,4000)"), Map.entry("StationAETitle", "(0008,0055)"),
                Map.entry("GPSLatitude", "(0016,0072)"), Map.entry("GPSLongitude", "(0016,0074)"),
                Map.entry("CameraOwnerName", "(0016,004D)"), Map.entry("SpecimenIdentifier", "(0040,0551)"),
                Map.entry("SlideIdentifier", "(0040,06FA)"), Map.entry("PatientTelephoneNumbers", "(0010,2154)"),
                Map.entry("PatientTelecomInformation", "(0010,2155)"), Map.entry("PersonAddress", "(0040,1102)"),
                Map.entry("LabelText", "(2200,0002)"), Map.entry("BarcodeValue", "(2200,0005)"),
                Map.entry("RTPlanName", "(300A,0003)"), Map.entry("StructureSetName", "(3006,0004)"),
                Map.entry("StudyDate", "(0008,0020)"), Map.entry("CurveData", "(50xx,xxxx)"),
                Map.entry("OverlayData", "(60xx,3000)"), Map.entry("PrivateAttributes", "(gggg,eeee)"));
        expected.forEach((k, t) -> assertEquals(t, byKeyword.get(k), k));
    }

    @Test
    void everyTableAttributeIsMaskedInEveryEncodingAndWhateverItsVr() throws Exception {
        int files = 0;
        for (DicomFixture.Syntax syntax : DicomFixture.Syntax.values()) {
            for (boolean asLo : new boolean[] {false, true}) {
                if (asLo && !syntax.explicit) {
                    continue; // implicit VR files carry no VR to lie with
                }
                DicomImage image = DicomImage.read("all.dcm", fileWithEveryAttribute(syntax, asLo));
                List<HeaderTable.Row> rows = image.header().rows(false);
                int masked = 0;
                for (HeaderTable.Row r : rows) {
                    if (r.value().contains(SECRET) || r.value().contains("4242")) {
                        throw new AssertionError(syntax + (asLo ? " as LO" : "") + ": " + r + " is shown");
                    }
                    if (r.masked()) {
                        masked++;
                        assertEquals(Deidentification.MASK, r.value());
                        assertFalse(r.why().isEmpty(), r.toString());
                    }
                }
                assertTrue(masked >= profileTags().size() - 4, syntax + ": only " + masked + " masked");
                String printed = image.headerTable(false).printAll();
                assertFalse(printed.contains(SECRET), printed);
                // the raw header, for a user who may see it
                assertTrue(image.headerTable(true).printAll().contains(SECRET + "00080080"), "InstitutionName shown raw");
                files++;
            }
        }
        assertEquals(5, files);
    }

    @Test
    void eachMaskedRowSaysWhy() throws Exception {
        byte[] file = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE)
                .string(0x0008_0020, "LO", "20240229") // StudyDate written as LO: masked by tag
                .string(0x0008_0055, "AE", "CT_ROOM_3") // StationAETitle
                .string(0x0009_1001, "LO", "Jane's scan") // private
                .string(0x0010_2160, "SH", "Ethnic") // EthnicGroup: table
                .string(0x0032_1066, "UT", "visit") // ReasonForVisit: table (also group 0032)
                .string(0x0008_0016, "UI", "1.2.840.10008.5.1.4.1.1.2") // SOPClassUID: shown
                .string(Tags.MODALITY, "CS", "CT")
                .image(1, 1, 1, 1, 8, 8, false, "MONOCHROME2").nativePixels(new long[] {1}, 8).bytes();
        Map<String, HeaderTable.Row> rows = new LinkedHashMap<>();
        DicomImage.read("why.dcm", file).header().rows(false).forEach(r -> rows.put(r.tag(), r));
        assertEquals("PS3.15 E.1-1 Z", rows.get("(0008,0020)").why());
        assertTrue(rows.get("(0008,0020)").masked());
        assertEquals("PS3.15 E.1-1 X", rows.get("(0008,0055)").why());
        assertEquals("PS3.15 E.1-1 X (private attribute)", rows.get("(0009,1001)").why());
        assertEquals("PS3.15 E.1-1 X", rows.get("(0010,2160)").why());
        assertEquals("PS3.15 E.1-1 X", rows.get("(0032,1066)").why());
        assertFalse(rows.get("(0008,0016)").masked());
        assertEquals("", rows.get("(0008,0016)").why());
        assertEquals("CT", rows.get("(0008,0060)").value());
        assertEquals("StationAETitle", rows.get("(0008,0055)").keyword());
    }

    @Test
    void rulesCoverWhatTheTableMisses() throws Exception {
        // public attributes outside the table whose dictionary VR is a name, date, time, AE title or instance UID,
        // written with a wrong VR
        List<Integer> outside = new ArrayList<>();
        Set<Integer> exact = profileTags().keySet();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                DicomDictionary.class.getResourceAsStream("dictionary.tsv"), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split("\t");
                if (line.startsWith("#") || f.length < 3) {
                    continue;
                }
                int tag = Integer.parseUnsignedInt(f[0], 16);
                int group = tag >>> 16;
                if (!exact.contains(tag) && group > 0x0002 && group < 0x7FE0 && (group & 1) == 0
                        && (List.of("PN", "DA", "TM", "DT", "AE").contains(f[1])
                            || f[1].equals("UI") && !f[2].endsWith("ClassUID") && tag != Tags.TRANSFER_SYNTAX_UID)) {
                    outside.add(tag);
                }
            }
        }
        assertTrue(outside.size() > 40, "names, dates, times and UIDs outside the table: " + outside.size());
        DicomFixture f = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE);
        for (int tag : outside) {
            f.string(tag, "LO", SECRET);
        }
        f.string(0x0011_0010, "LO", SECRET).string(0x0043_1001, "SH", SECRET); // private creator and value
        List<HeaderTable.Row> rows = DicomImage.read("rules.dcm", f.image(1, 1, 1, 1, 8, 8, false, "MONOCHROME2")
                .nativePixels(new long[] {1}, 8).bytes()).header().rows(false);
        for (HeaderTable.Row r : rows) {
            assertFalse(r.value().contains(SECRET), r.toString());
        }
    }
}
