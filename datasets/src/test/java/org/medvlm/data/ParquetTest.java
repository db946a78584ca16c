package org.medvlm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ParquetTest {
    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(value = CompressionCodecName.class, names = {"UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD"})
    void roundTripOfAnHfExportKeepsTextAndImageBytes(CompressionCodecName codec) throws Exception {
        byte[] png = Fixtures.jpeg("png");
        Path data = dir.resolve("data");
        ParquetFixtures.write(data.resolve("train-00000-of-00001-abc.parquet"), ParquetFixtures.HF_SCHEMA, List.of(
                new ParquetFixtures.Row(png, "img_0.png", "is there a pneumothorax?", "yes"),
                new ParquetFixtures.Row(png, "img_1.png", "what organ is shown?", "lung")), codec);
        ParquetFixtures.write(data.resolve("test-00000-of-00001-def.parquet"), ParquetFixtures.HF_SCHEMA, List.of(
                new ParquetFixtures.Row(png, "img_2.png", "is this a ct?", "No")), codec);

        VqaDataset ds = VqaDataset.read().vqaRad(dir);

        assertEquals(3, ds.size());
        assertEquals(List.of("test", "train"), List.copyOf(ds.splits().keySet()), "files are read in name order");
        VqaExample first = ds.where("split", "train").get(0);
        assertEquals("is there a pneumothorax?", first.question());
        assertEquals("yes", first.answer());
        // no answer_type column: yes/no answers are closed, the rest open
        assertEquals(AnswerType.CLOSED, first.answerType());
        assertEquals(AnswerType.OPEN, ds.where("split", "train").get(1).answerType());
        assertEquals(AnswerType.CLOSED, ds.where("split", "test").get(0).answerType());
        ImageSource.Embedded img = assertInstanceOf(ImageSource.Embedded.class, first.image());
        assertArrayEquals(png, img.bytes());
        assertEquals("img_0.png", img.name());
        BufferedImage decoded = img.load();
        assertEquals(32, decoded.getWidth());
        assertEquals(0, ds.report().skipped().size());
        assertTrue(ds.report().notes().stream().anyMatch(n -> n.contains("no answer_type column")), ds.report().notes().toString());
    }

    @Test
    void rowsWithoutQuestionAreSkippedAndReported() throws Exception {
        Path f = dir.resolve("validation-0.parquet");
        ParquetFixtures.write(f, ParquetFixtures.HF_SCHEMA, List.of(
                new ParquetFixtures.Row(Fixtures.jpeg("png"), "a.png", null, "yes"),
                new ParquetFixtures.Row(Fixtures.jpeg("png"), "b.png", "q?", "no")), CompressionCodecName.SNAPPY);
        VqaDataset ds = VqaDataset.read().pathVqa(f);
        assertEquals(1, ds.size());
        assertEquals("validation", ds.get(0).split());
        assertEquals(1, ds.report().skipped().size());
        assertEquals("row 0", ds.report().skipped().get(0).where());
        assertEquals("missing question", ds.report().skipped().get(0).reason());
    }

    @Test
    void missingColumnIsOneLineNamingFileAndColumn() throws Exception {
        Path f = dir.resolve("train-0.parquet");
        ParquetFixtures.write(f, MessageTypeParser.parseMessageType(
                "message m { optional binary question (STRING); }"),
                List.of(new ParquetFixtures.Row(null, null, "q?", null)), CompressionCodecName.UNCOMPRESSED);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VqaDataset.read().slake(f));
        assertTrue(e.getMessage().startsWith(f + ": missing column 'answer'"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    void notParquetIsRefusedWithTheFileNamed() {
        Path f = Fixtures.write(dir.resolve("train-0.parquet"), "this is text, not parquet\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VqaDataset.read().vqaRad(f));
        assertTrue(e.getMessage().startsWith(f + ": not a readable parquet file"), e.getMessage());
    }
}
