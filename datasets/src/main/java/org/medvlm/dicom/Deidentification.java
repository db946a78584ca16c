package org.medvlm.dicom;

import java.util.Set;

/**
 * Which attributes are masked where the toolkit displays a header: those of the Basic Application Level
 * Confidentiality Profile (DICOM PS3.15 Annex E, Table E.1-1) that a header shows, widened by rules so that nothing
 * identifying slips through because it is missing from the list:
 * <ul>
 *   <li>the whole Patient (0010), Study (0032), Visit (0038) and Results (4008) groups, retired attributes included;
 *   <li>every person name (PN), every date, time and date-time (DA, TM, DT);
 *   <li>every UID except class UIDs and the transfer syntax (instance UIDs link a file back to its study);
 *   <li>every private attribute (odd group), curve data (50xx) and overlay data and comments (60xx,3000 / 60xx,4000);
 *   <li>the listed attributes below (institution, devices, physicians, free-text descriptions, sequences that carry them).
 * </ul>
 * Values are masked for display only: the file is never changed.
 */
public final class Deidentification {
    private Deidentification() {}

    /** Text shown in place of a masked value. */
    public static final String MASK = "<masked>";

    // PS3.15 Table E.1-1 attributes outside the groups and VRs masked by rule (tags from PS3.6)
    private static final Set<Integer> PROFILE = Set.of(
            0x0008_0050, // AccessionNumber SH
            0x0018_4000, // AcquisitionComments LT
            0x0018_1400, // AcquisitionDeviceProcessingDescription LO
            0x0018_9424, // AcquisitionProtocolDescription LT
            0x0040_4035, // ActualHumanPerformersSequence SQ
            0x0040_A078, // AuthorObserverSequence SQ
            0x0018_1007, // CassetteID LO
            0x0012_0060, // ClinicalTrialCoordinatingCenterName LO
            0x0012_0082, // ClinicalTrialProtocolEthicsCommitteeApprovalNumber LO
            0x0012_0081, // ClinicalTrialProtocolEthicsCommitteeName LO
            0x0012_0020, // ClinicalTrialProtocolID LO
            0x0012_0021, // ClinicalTrialProtocolName LO
            0x0012_0072, // ClinicalTrialSeriesDescription LO
            0x0012_0071, // ClinicalTrialSeriesID LO
            0x0012_0030, // ClinicalTrialSiteID LO
            0x0012_0031, // ClinicalTrialSiteName LO
            0x0012_0010, // ClinicalTrialSponsorName LO
            0x0012_0040, // ClinicalTrialSubjectID LO
            0x0012_0042, // ClinicalTrialSubjectReadingID LO
            0x0012_0051, // ClinicalTrialTimePointDescription ST
            0x0012_0050, // ClinicalTrialTimePointID LO
            0x0040_0280, // CommentsOnThePerformedProcedureStep ST
            0x0008_009C, // ConsultingPhysicianName PN
            0x0070_0084, // ContentCreatorName PN
            0x0040_A730, // ContentSequence SQ
            0x0018_0010, // ContrastBolusAgent LO
            0x0040_A07C, // CustodialOrganizationSequence SQ
            0x0008_2111, // DerivationDescription ST
            0x0018_700A, // DetectorID SH
            0x0050_0020, // DeviceDescription LO
            0x0018_1000, // DeviceSerialNumber LO
            0x0018_1002, // DeviceUID UI
            0xFFFA_FFFA, // DigitalSignaturesSequence SQ
            0x0040_2017, // FillerOrderNumberImagingServiceRequest LO
            0x0020_9158, // FrameComments LT
            0x0018_1008, // GantryID LO
            0x0018_1005, // GeneratorID LO
            0x0088_0200, // IconImageSequence SQ
            0x0020_4000, // ImageComments LT
            0x0008_0081, // InstitutionAddress ST
            0x0008_1040, // InstitutionalDepartmentName LO
            0x0008_0080, // InstitutionName LO
            0x0008_0082, // InstitutionCodeSequence SQ
            0x0400_0550, // ModifiedAttributesSequence SQ
            0x0008_1060, // NameOfPhysiciansReadingStudy PN
            0x0008_1070, // OperatorsName PN
            0x0008_1072, // OperatorIdentificationSequence SQ
            0x0040_2010, // OrderCallbackPhoneNumber SH
            0x0040_2008, // OrderEnteredBy PN
            0x0040_2009, // OrderEntererLocation SH
            0x0400_0561, // OriginalAttributesSequence SQ
            0x0040_A07A, // ParticipantSequence SQ
            0x0040_0243, // PerformedLocation SH
            0x0040_0254, // PerformedProcedureStepDescription LO
            0x0040_0253, // PerformedProcedureStepID SH
            0x0040_0241, // PerformedStationAETitle AE
            0x0040_0242, // PerformedStationName SH
            0x0008_1050, // PerformingPhysicianName PN
            0x0008_1052, // PerformingPhysicianIdentificationSequence SQ
            0x0040_1102, // PersonAddress ST
            0x0040_A123, // PersonName PN
            0x0040_1103, // PersonTelephoneNumbers LO
            0x0008_1048, // PhysiciansOfRecord PN
            0x0008_1049, // PhysiciansOfRecordIdentificationSequence SQ
            0x0008_1062, // PhysiciansReadingStudyIdentificationSequence SQ
            0x0018_1004, // PlateID LO
            0x0018_1030, // ProtocolName LO
            0x0008_1140, // ReferencedImageSequence SQ
            0x0008_1120, // ReferencedPatientSequence SQ
            0x0008_1111, // ReferencedPerformedProcedureStepSequence SQ
            0x0008_1110, // ReferencedStudySequence SQ
            0x0008_0092, // ReferringPhysicianAddress ST
            0x0008_0090, // ReferringPhysicianName PN
            0x0008_0094, // ReferringPhysicianTelephoneNumbers SH
            0x0008_0096, // ReferringPhysicianIdentificationSequence SQ
            0x0040_0275, // RequestAttributesSequence SQ
            0x0032_1060, // RequestedProcedureDescription LO
            0x0040_1001, // RequestedProcedureID SH
            0x0032_1032, // RequestingPhysician PN
            0x0032_1033, // RequestingService LO
            0x0010_2299, // ResponsibleOrganization LO
            0x0010_2297, // ResponsiblePerson PN
            0x0040_0006, // ScheduledPerformingPhysicianName PN
            0x0040_0007, // ScheduledProcedureStepDescription LO
            0x0040_0009, // ScheduledProcedureStepID SH
            0x0040_0001, // ScheduledStationAETitle AE
            0x0040_0010, // ScheduledStationName SH
            0x0008_103E, // SeriesDescription LO
            0x0008_2112, // SourceImageSequence SQ
            0x0008_1010, // StationName SH
            0x0008_1030, // StudyDescription LO
            0x0020_0010, // StudyID SH
            0x2030_0020, // TextString LO
            0x4000_4000, // TextComments LT
            0x0040_A075, // VerifyingObserverName PN
            0x0040_A073, // VerifyingObserverSequence SQ
            0x0040_A027, // VerifyingOrganization LO
            0xFFFC_FFFC, // DataSetTrailingPadding OB
            0x0040_2016, // PlacerOrderNumberImagingServiceRequest LO
            0x0040_1002, // ReasonForTheRequestedProcedure LO
            0x0008_1032, // ProcedureCodeSequence SQ
            0x0040_1400, // RequestedProcedureComments LT
            0x0040_2400, // ImagingServiceRequestComments LT
            0x0070_0086, // ContentCreatorIdentificationCodeSequence SQ
            0x0400_0100, // DigitalSignatureUID UI
            0x0008_0201 // TimezoneOffsetFromUTC SH
    );

    /** True where the basic profile (or one of the rules above) covers this attribute. */
    public static boolean masks(DicomElement e) {
        int group = e.group();
        int element = e.element();
        if (group == 0x0010 || group == 0x0032 || group == 0x0038 || group == 0x4008) {
            return true;
        }
        if ((group & 1) == 1 || (group & 0xFF00) == 0x5000) {
            return true;
        }
        if ((group & 0xFF00) == 0x6000 && (element == 0x3000 || element == 0x4000)) {
            return true;
        }
        if (PROFILE.contains(e.tag())) {
            return true;
        }
        String vr = e.vr().equals("UN") ? DicomDictionary.vr(e.tag()) : e.vr();
        switch (vr) {
            case "PN", "DA", "TM", "DT":
                return true;
            case "UI":
                String keyword = DicomDictionary.keyword(e.tag());
                return !(keyword.endsWith("ClassUID") || e.tag() == Tags.TRANSFER_SYNTAX_UID);
            default:
                return false;
        }
    }
}
