package org.medvlm.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.medvlm.testing.Shared;
import tech.tablesaw.api.Table;

/** Identifying header values are masked in every table unless asked for; the image's own facts stay visible. */
class DeidentificationTest {

    private static DicomImage fixture(DicomFixture.Syntax syntax) throws Exception {
        byte[] file = DicomFixture.of(syntax)
                .string(0x0008_0016, "UI", "1.2.840.10008.5.1.4.1.1.2") // SOPClassUID: kept
                .string(0x0008_0018, "UI", "1.2.826.0.1.3680043.2.1125.1.42") // SOPInstanceUID: masked
                .string(0x0008_0020, "DA", "20240229") // StudyDate
                .string(Tags.MODALITY, "CS", "CT")
                .string(0x0008_0080, "LO", "St Elsewhere Hospital") // InstitutionName
                .string(0x0008_0090, "PN", "House^Gregory") // ReferringPhysicianName
                .string(Tags.PATIENT_NAME, "PN", "Doe^Jane")
                .string(Tags.PATIENT_ID, "LO", "MRN-0042")
                .string(Tags.PATIENT_BIRTH_DATE, "DA", "19700101")
                .string(0x0010_1000, "LO", "OLD-ID-7") // OtherPatientIDs, retired: masked by its group
                .string(0x0009_0010, "LO", "ACME 1.0") // private creator
                .string(0x0009_1001, "LO", "Jane's scan") // private value
                .sequence(0x0008_1110, 0x0008_1155, "UI", "1.2.3.4.5.6\0") // ReferencedStudySequence
                .image(1, 1, 1, 1, 16, 16, false, "MONOCHROME2")
                .nativePixels(new long[] {7}, 16).bytes();
        return DicomImage.read("phi.dcm", file);
    }

    private static Map<String, HeaderTable.Row> byKeyword(List<HeaderTable.Row> rows) {
        return rows.stream().filter(r -> !r.keyword().isEmpty())
                .collect(Collectors.toMap(HeaderTable.Row::keyword, Function.identity(), (a, b) -> a));
    }

    @Test
    void identifyingValuesAreMaskedByDefaultInEveryEncoding() throws Exception {
        for (DicomFixture.Syntax syntax : DicomFixture.Syntax.values()) {
            DicomImage image = fixture(syntax);
            Table table = image.headerTable(false);
            String text = table.printAll();
            for (String secret : List.of("Doe", "MRN-0042", "19700101", "20240229", "Elsewhere", "House", "OLD-ID-7",
                    "Jane's", "ACME", "3680043", "1.2.3.4.5.6")) {
                assertFalse(text.contains(secret), syntax + ": " + secret + " shown in\n" + text);
            }
            Map<String, HeaderTable.Row> rows = byKeyword(image.header().rows(false));
            assertEquals(Deidentification.MASK, rows.get("PatientName").value());
            assertTrue(rows.get("PatientID").masked());
            assertEquals("CT", rows.get("Modality").value());
            assertEquals("1.2.840.10008.5.1.4.1.1.2", rows.get("SOPClassUID").value());
            assertEquals("1", rows.get("Rows").value());
            assertEquals("1.2.840.10008.1.2.1".equals(syntax.uid) ? "1.2.840.10008.1.2.1" : syntax.uid,
                    rows.get("TransferSyntaxUID").value());
        }
    }

    @Test
    void showPhiRevealsThem() throws Exception {
        Map<String, HeaderTable.Row> rows = byKeyword(fixture(DicomFixture.Syntax.IMPLICIT_LE).header().rows(true));
        assertEquals("Doe^Jane", rows.get("PatientName").value());
        assertEquals("MRN-0042", rows.get("PatientID").value());
        assertEquals("19700101", rows.get("PatientBirthDate").value());
        assertEquals("<sequence of 1 item>", rows.get("ReferencedStudySequence").value());
        assertFalse(rows.get("PatientName").masked());
    }

    @Test
    void toStringShowsNothingIdentifying() throws Exception {
        DicomImage image = fixture(DicomFixture.Syntax.EXPLICIT_LE);
        assertEquals("DicomImage[phi.dcm: CT 1x1, MONOCHROME2, Explicit VR Little Endian]", image.toString());
    }

    @Test
    void realFilesShowNoPatientValues() throws Exception {
        // pydicom's CT_small carries PatientName "CompressedSamples^CT1" and PatientID "1CT1"
        DicomImage ct = DicomImage.read(Shared.path("external/dicom/CT_small.dcm"));
        String masked = ct.headerTable(false).printAll();
        assertFalse(masked.contains("CompressedSamples"), masked);
        assertFalse(masked.contains("1CT1"), masked);
        assertTrue(ct.headerTable(true).printAll().contains("CompressedSamples^CT1"));
    }
}
