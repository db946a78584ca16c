package org.medvlm.data.formats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.medvlm.data.AnswerType;
import org.medvlm.data.ImageSource;
import org.medvlm.data.LoadReport;
import org.medvlm.data.VqaDataset;
import org.medvlm.data.VqaExample;
import org.medvlm.io.InputFiles;
import org.medvlm.io.Limit;

/**
 * Hugging Face parquet exports ({@code flaviagiammarino/vqa-rad}, {@code .../path-vqa}, SLAKE mirrors):
 * columns {@code image} (struct {@code bytes}, {@code path}), {@code question}, {@code answer}, images
 * embedded as encoded bytes. Extra columns some exports add ({@code answer_type}, {@code q_lang},
 * {@code modality}, {@code location}, {@code content_type}, {@code qid}) are used where present; without
 * {@code answer_type}, yes/no answers count as closed. The split is the file name's prefix
 * ({@code train-00000-of-00001-....parquet} → {@code train}).
 *
 * <p>Read with parquet-java's file reader on a {@link LocalInputFile} and its example Group API: no Hadoop
 * file system or configuration is involved (see {@link ParquetCodecs} for the one Hadoop jar on the classpath).
 */
public final class HfParquet {
    private HfParquet() {}

    /** True for a {@code .parquet} file, or a folder holding some (directly or in {@code data/}). */
    public static boolean isParquet(Path path) {
        if (Files.isRegularFile(path)) {
            return path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet");
        }
        return Files.isDirectory(path) && !Sources.find(path, 2, ".parquet").isEmpty()
                && Sources.find(path, 1, ".json").isEmpty();
    }

    public static VqaDataset load(String dataset, Path path) {
        Sources.existing(path);
        List<Path> files = Files.isDirectory(path) ? Sources.find(path, 2, ".parquet") : List.of(path);
        if (files.isEmpty()) {
            throw new IllegalArgumentException(path + ": no .parquet file in this folder or its data/ folder");
        }
        LoadReport.Builder report = new LoadReport.Builder(dataset, path);
        DatasetRoot root = DatasetRoot.of(path);
        List<VqaExample> out = new ArrayList<>();
        for (Path f : files) {
            read(dataset, f.equals(path) ? f : root.file(f), Sources.relative(path, f), report, out);
        }
        Sources.noteDuplicates(out, report);
        return VqaDataset.of(dataset, out, report.build());
    }

    /** Options with a plain configuration and our codecs: no Hadoop configuration files or native codecs are read. */
    static ParquetReadOptions options() {
        return new ParquetReadOptions.Builder(new PlainParquetConfiguration()).withCodecFactory(new ParquetCodecs()).build();
    }

    private static void read(String dataset, Path file, String name, LoadReport.Builder report, List<VqaExample> out) {
        String stem = Sources.stem(file);
        int dash = stem.indexOf('-');
        String split = dash > 0 ? stem.substring(0, dash) : stem;
        try {
            InputFiles.check(file, Limit.ANNOTATION_BYTES);
        } catch (IOException e) {
            throw Sources.io(file, e);
        }
        // the constructor, not open(...): open is overloaded with Hadoop types that javac would need to see
        try (ParquetFileReader reader = new ParquetFileReader(new LocalInputFile(file), options())) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            for (String need : List.of("question", "answer")) {
                if (!schema.containsField(need)) {
                    throw new IllegalArgumentException(file + ": missing column '" + need + "' (columns: "
                            + schema.getFields().stream().map(Type::getName).toList() + ")");
                }
            }
            boolean hasImage = schema.containsField("image") && !schema.getType("image").isPrimitive();
            if (!schema.containsField("answer_type")) {
                report.note(name + ": no answer_type column: yes/no answers count as closed, all others as open");
            }
            if (!hasImage) {
                report.note(name + ": no image struct column: records are kept without images");
            }
            ColumnIOFactory io = new ColumnIOFactory();
            PageReadStore pages;
            long row = 0;
            while ((pages = reader.readNextRowGroup()) != null) {
                RecordReader<Group> records = io.getColumnIO(schema).getRecordReader(pages, new GroupRecordConverter(schema));
                for (long i = 0, n = pages.getRowCount(); i < n; i++, row++) {
                    Group g = records.read();
                    String where = "row " + row;
                    report.record(file.toString(), where);
                    String question = text(g, "question");
                    String answer = text(g, "answer");
                    if (!Sources.answered(question, answer, name, where, report)) {
                        continue;
                    }
                    ImageSource image = null;
                    String imageName = "";
                    if (hasImage && g.getFieldRepetitionCount("image") > 0) {
                        Group img = g.getGroup("image", 0);
                        String path = text(img, "path");
                        imageName = path == null || path.isBlank() ? stem + "#" + row : path;
                        if (img.getType().containsField("bytes") && img.getFieldRepetitionCount("bytes") > 0) {
                            image = new ImageSource.Embedded(imageName, img.getBinary("bytes", 0).getBytes());
                        }
                    }
                    if (hasImage && image == null) {
                        report.missingImage(imageName.isEmpty() ? stem + "#" + row : imageName);
                    }
                    Map<String, String> meta = new HashMap<>();
                    meta.put("image_name", imageName);
                    copy(g, meta, "organ", "location");
                    copy(g, meta, "organ", "image_organ");
                    copy(g, meta, "modality", "modality");
                    copy(g, meta, "content_type", "content_type");
                    copy(g, meta, "question_type", "question_type");
                    String lang = text(g, "q_lang");
                    String qid = text(g, "qid");
                    AnswerType type = AnswerType.parse(text(g, "answer_type")).orElse(AnswerType.fromAnswer(answer));
                    out.add(new VqaExample(qid != null ? qid : split + ":" + row, dataset, split, image, question,
                            List.of(answer), type, lang == null ? "en" : lang, meta));
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException && e.getMessage() != null && e.getMessage().startsWith(file.toString())) {
                throw (IllegalArgumentException) e;
            }
            throw new IllegalArgumentException(file + ": not a readable parquet file ("
                    + InputFiles.oneLine(String.valueOf(e.getMessage())) + ")", e);
        } catch (OutOfMemoryError e) {
            throw new IllegalArgumentException(file + ": out of memory reading the parquet file (raise it with -Xmx,"
                    + " e.g. MEDVLM_JAVA_OPTS=-Xmx8g)");
        }
    }

    private static void copy(Group g, Map<String, String> meta, String key, String column) {
        String v = text(g, column);
        if (v != null && !v.isBlank()) {
            meta.putIfAbsent(key, v);
        }
    }

    /** A primitive column as text (strings, and numbers such as an int64 {@code qid}); null when absent. */
    private static String text(Group g, String field) {
        GroupType t = g.getType();
        if (!t.containsField(field) || !t.getType(field).isPrimitive() || g.getFieldRepetitionCount(field) == 0) {
            return null;
        }
        return g.getValueToString(t.getFieldIndex(field), 0);
    }
}
