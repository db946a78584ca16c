package org.medvlm.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.medvlm.data.formats.ParquetCodecs;

/** Writes small parquet files with the Hugging Face export's schema, using the same library that reads them. */
final class ParquetFixtures {
    /** The schema {@code datasets} writes for an Image feature plus two strings (VQA-RAD, PathVQA exports). */
    static final MessageType HF_SCHEMA = MessageTypeParser.parseMessageType("""
            message schema {
              optional group image {
                optional binary bytes;
                optional binary path (STRING);
              }
              optional binary question (STRING);
              optional binary answer (STRING);
            }""");

    record Row(byte[] image, String path, String question, String answer) {}

    private ParquetFixtures() {}

    static void write(Path file, MessageType schema, List<Row> rows, CompressionCodecName codec) throws IOException {
        java.nio.file.Files.createDirectories(file.getParent());
        SimpleGroupFactory groups = new SimpleGroupFactory(schema);
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file))
                .withConf(new PlainParquetConfiguration())
                .withType(schema)
                .withCodecFactory(new ParquetCodecs())
                .withCompressionCodec(codec)
                .build()) {
            for (Row r : rows) {
                Group g = groups.newGroup();
                if (r.image() != null && schema.containsField("image")) {
                    Group img = g.addGroup("image");
                    img.add("bytes", org.apache.parquet.io.api.Binary.fromConstantByteArray(r.image()));
                    img.add("path", r.path());
                }
                if (r.question() != null) {
                    g.add("question", r.question());
                }
                if (r.answer() != null && schema.containsField("answer")) {
                    g.add("answer", r.answer());
                }
                w.write(g);
            }
        }
    }
}
