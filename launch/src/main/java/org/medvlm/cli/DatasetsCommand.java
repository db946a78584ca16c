package org.medvlm.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.medvlm.data.CaptionDataset;
import org.medvlm.data.CaptionReader;
import org.medvlm.data.DatasetFormat;
import org.medvlm.data.DatasetStats;
import org.medvlm.data.LoadReport;
import org.medvlm.data.VqaDataset;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code medvqa} (alias {@code datasets}): loads MedVQA and caption datasets as distributed, shows them
 * with thumbnails and counts them. Datasets loaded {@code as NAME} stay in this command tree's
 * {@link DatasetCatalog}.
 */
@Command(name = "medvqa", aliases = "datasets", mixinStandardHelpOptions = true,
        description = "Loads MedVQA and caption datasets as distributed; shows and counts them.",
        subcommands = {DatasetsCommand.Stats.class, DatasetsCommand.Load.class, DatasetsCommand.Show.class, DatasetsPrepareCommand.class,
            CommandLine.HelpCommand.class})
final class DatasetsCommand implements Callable<Integer> {
    static final String FORMATS = "vqa-rad, slake, pathvqa, vqa-med-2019, vqa-med-2020, vqa-med-2021, pmc-vqa, pmc-oa, roco, phantoms";

    @Spec CommandSpec spec;

    private final Display display;
    private final DatasetCatalog catalog;

    DatasetsCommand(Display display) {
        this.display = display;
        this.catalog = DatasetCatalog.of(display);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(display.out());
        return Medvlm.EXIT_OK;
    }

    /**
     * Loads a format from PATH (for {@code phantoms}, {@code COUNT:SEED}); returns a VqaDataset or CaptionDataset. The
     * readers' limits refuse hostile files first; a JVM error that still happens is one line naming the path.
     */
    static Object load(String formatName, String path, String split, String lang) {
        try {
            return loadUnguarded(formatName, path, split, lang);
        } catch (OutOfMemoryError e) {
            throw new UserError(path + ": out of memory while loading it (raise the heap with -Xmx, e.g."
                    + " MEDVLM_JAVA_OPTS=-Xmx8g, or lower a limit: -Dmedvlm.limit.*)");
        } catch (StackOverflowError e) {
            throw new UserError(path + ": nested too deeply to read (stack overflow)");
        }
    }

    private static Object loadUnguarded(String formatName, String path, String split, String lang) {
        DatasetFormat format = DatasetFormat.of(formatName);
        if (format.isCaptions()) {
            if (lang != null && lang.equalsIgnoreCase("zh")) {
                throw new UserError(format + " captions are English: --lang zh selects nothing");
            }
            CaptionReader reader = CaptionDataset.read();
            if (split != null) {
                reader.split(split);
            }
            return reader.format(format, Path.of(path));
        }
        var reader = VqaDataset.read();
        if (split != null) {
            reader.split(split);
        }
        if (lang != null) {
            reader.lang(lang);
        }
        return reader.format(format, path);
    }

    static DatasetStats stats(Object dataset) {
        return dataset instanceof VqaDataset v ? v.stats() : ((CaptionDataset) dataset).stats();
    }

    static LoadReport report(Object dataset) {
        return dataset instanceof VqaDataset v ? v.report() : ((CaptionDataset) dataset).report();
    }

    /** The {@code --json} object of {@code stats}: exactly the keys the issue specifies, in its order. */
    static Map<String, Object> json(DatasetStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("records", s.records());
        m.put("splits", s.splits());
        m.put("answer_types", s.answerTypes());
        m.put("languages", s.languages());
        m.put("skipped", s.skipped());
        m.put("skipped_reasons", s.skippedReasons());
        return m;
    }

    /** Where a dataset comes from: a catalog name, or {@code --format F PATH}. */
    static final class Source {
        @Option(names = "--format", paramLabel = "F", description = "Dataset format: " + FORMATS + ".")
        String format;

        @Option(names = "--split", paramLabel = "S", description = "Keep one split (train, test, ... as the dataset names them).")
        String split;

        @Option(names = "--lang", paramLabel = "L", description = "Question language: en, zh or all (SLAKE has both).")
        String lang;

        Object resolve(DatasetCatalog catalog, String target) {
            if (format != null) {
                return load(format, target, split, lang);
            }
            if (catalog.contains(target)) {
                Object ds = catalog.get(target);
                if (split != null) {
                    ds = ds instanceof VqaDataset v ? v.split(split) : ((CaptionDataset) ds).where("split", split);
                }
                if (lang != null && !lang.equalsIgnoreCase("all") && ds instanceof VqaDataset v) {
                    ds = v.where("language", lang);
                }
                return ds;
            }
            if (java.nio.file.Files.exists(Path.of(target))) {
                throw new UserError(target + ": give the dataset's format with --format (" + FORMATS + ")");
            }
            return catalog.get(target);
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Counts records per split, answer type, language, organ and modality, and what the load skipped.")
    static final class Stats implements Callable<Integer> {
        @ParentCommand DatasetsCommand parent;

        @CommandLine.Mixin Source source = new Source();

        @Parameters(index = "0", paramLabel = "NAME|PATH", description = "A loaded dataset's name, or with --format the file or folder as distributed (phantoms: COUNT:SEED).")
        String target;

        @Option(names = "--json", description = "Print {records, splits, answer_types, languages, skipped, skipped_reasons} as JSON.")
        boolean json;

        @Override
        public Integer call() {
            Object ds = source.resolve(parent.catalog, target);
            DatasetStats s = stats(ds);
            Display d = parent.display;
            if (json) {
                d.out().println(Json.compact(json(s)));
            } else if (d.rich()) {
                d.show(ds instanceof VqaDataset v ? v.summary() : ((CaptionDataset) ds).summary());
                d.show(report(ds));
            } else {
                d.out().println(s);
                d.out().println(report(ds));
            }
            d.out().flush();
            return Medvlm.EXIT_OK;
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Loads a dataset and keeps it under a name for show and stats: load slake DIR as slake_en.")
    static final class Load implements Callable<Integer> {
        @ParentCommand DatasetsCommand parent;

        @Parameters(index = "0", paramLabel = "FORMAT", description = "One of: " + FORMATS + ".")
        String format;

        @Parameters(index = "1", paramLabel = "PATH", description = "The file or folder as distributed (phantoms: COUNT:SEED).")
        String path;

        @Parameters(index = "2..*", paramLabel = "as NAME", arity = "0..2", description = "The name to keep it under (default: the format).")
        List<String> as = new ArrayList<>();

        @Option(names = "--split", paramLabel = "S", description = "Keep one split.")
        String split;

        @Option(names = "--lang", paramLabel = "L", description = "Question language: en, zh or all.")
        String lang;

        @Override
        public Integer call() {
            String name;
            if (as.isEmpty()) {
                name = DatasetFormat.of(format).cliName();
            } else if (as.size() == 2 && as.get(0).equals("as")) {
                name = as.get(1);
            } else {
                throw new CommandLine.ParameterException(spec(), "expected 'as NAME' after PATH, got '" + String.join(" ", as) + "'");
            }
            Object ds = load(format, path, split, lang);
            parent.catalog.put(name, ds);
            Display d = parent.display;
            if (d.rich()) {
                d.show(ds);
            }
            d.out().println("loaded " + name + ": " + stats(ds));
            if (!report(ds).clean()) { // what was left out, and why; a clean load says nothing more
                d.out().println(report(ds));
            }
            d.out().flush();
            return Medvlm.EXIT_OK;
        }

        @Spec CommandSpec spec;

        private CommandLine spec() {
            return spec.commandLine();
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Shows the first records as a table; in a notebook with image thumbnails.")
    static final class Show implements Callable<Integer> {
        @ParentCommand DatasetsCommand parent;

        @CommandLine.Mixin Source source = new Source();

        @Parameters(index = "0", paramLabel = "NAME|PATH", description = "A loaded dataset's name, or with --format the file or folder.")
        String target;

        @Option(names = "--n", paramLabel = "N", defaultValue = "12", showDefaultValue = CommandLine.Help.Visibility.ALWAYS,
                description = "How many records.")
        int n;

        @Option(names = "--where", paramLabel = "FIELD=VALUE",
                description = "Keep records whose field equals the value (split, answer_type, language, organ, modality, ...); repeatable.")
        List<String> where = new ArrayList<>();

        @Override
        public Integer call() {
            if (n < 0) {
                throw new UserError("--n must not be negative, got " + n);
            }
            Object ds = source.resolve(parent.catalog, target);
            for (String w : where) {
                int eq = w.indexOf('=');
                if (eq <= 0) {
                    throw new UserError("--where " + w + ": expected FIELD=VALUE");
                }
                String field = w.substring(0, eq).strip();
                String value = w.substring(eq + 1).strip();
                boolean known = ds instanceof VqaDataset v
                        ? v.examples().stream().anyMatch(e -> !e.field(field).isEmpty())
                        : ((CaptionDataset) ds).pairs().stream().anyMatch(p -> !p.field(field).isEmpty());
                if (!known) {
                    throw new UserError("--where " + w + ": no record has a field '" + field + "'; try one of: "
                            + (ds instanceof VqaDataset v ? String.join(", ", v.table().columnNames()) : String.join(", ", ((CaptionDataset) ds).table().columnNames())));
                }
                ds = ds instanceof VqaDataset v ? v.where(field, value) : ((CaptionDataset) ds).where(field, value);
            }
            Display d = parent.display;
            if (d.rich()) {
                d.show(ds instanceof VqaDataset v ? v.thumbnails(n) : ((CaptionDataset) ds).thumbnails(n));
            } else {
                // thumbnails are data URIs: unreadable in a terminal, so the text table leaves them out
                d.show(ds instanceof VqaDataset v ? v.first(n) : ((CaptionDataset) ds).first(n));
                int size = ds instanceof VqaDataset v ? v.size() : ((CaptionDataset) ds).size();
                d.out().println(Math.min(n, size) + " of " + size + " records");
            }
            d.out().flush();
            return Medvlm.EXIT_OK;
        }
    }
}
