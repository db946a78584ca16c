package org.medvlm.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.medvlm.launch.PythonEnv;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code medvlm convert biomedclip open_clip_pytorch_model.bin --out DIR}: BiomedCLIP's published pickle to a vision
 * part folder (config.json + model.safetensors in timm names, as {@code vision.BiomedClipKeys} maps them). Only
 * torch can read the pickle, so this runs the Python converter ({@code python3 -m medvlm.convert}).
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Converts published checkpoints to the toolkit's folders.",
            "biomedclip FILE --out DIR: open_clip's BiomedCLIP pickle -> a timm ViT folder (config.json, model.safetensors)."})
final class ConvertCommand implements Callable<Integer> {
    private final Display display;

    @Parameters(index = "0", paramLabel = "KIND", description = "biomedclip")
    String kind;

    @Parameters(index = "1", paramLabel = "FILE", description = "open_clip_pytorch_model.bin")
    Path source;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The folder to write.")
    Path out;

    @Option(names = "--num-heads", paramLabel = "N", description = "Attention heads (default: width / 64, as timm's ViTs).")
    Integer numHeads;

    @Option(names = "--python", paramLabel = "PATH", description = "The Python with torch (default: python3 or /usr/bin/python3, whichever has torch).")
    String python;

    ConvertCommand(Display display) {
        this.display = display;
    }

    @Override
    public Integer call() throws Exception {
        if (!kind.equals("biomedclip")) {
            throw new UserError("unknown conversion '" + kind + "' (biomedclip)");
        }
        if (!Files.exists(source)) {
            throw new UserError(source + ": no such file");
        }
        if (!Files.isRegularFile(source)) {
            throw new UserError(source + ": not a regular file (a folder, device or pipe); name the .bin file");
        }
        String py = PythonEnv.runnableHere(PythonEnv.python(python == null ? "" : python));
        List<String> argv = new java.util.ArrayList<>(List.of(py, "-m", "medvlm.convert", "biomedclip",
                source.toAbsolutePath().toString(), "--out", out.toAbsolutePath().toString()));
        if (numHeads != null) {
            argv.add("--num-heads");
            argv.add(numHeads.toString());
        }
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().put("PYTHONPATH", PythonEnv.packageRoot().toString());
        Path errors = Files.createTempFile("medvlm-convert", ".log");
        String stdout;
        String stderr;
        int code;
        try {
            pb.redirectError(errors.toFile());
            Process p = pb.start();
            stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            code = p.waitFor();
            stderr = Files.readString(errors, StandardCharsets.UTF_8).strip();
        } finally {
            Files.deleteIfExists(errors);
        }
        if (code != 0) {
            String last = stderr.isEmpty() ? "exit " + code : stderr.substring(stderr.lastIndexOf('\n') + 1);
            throw new UserError(last.replaceFirst("^medvlm convert: ", ""));
        }
        display.out().println(stdout);
        display.out().flush();
        return Medvlm.EXIT_OK;
    }
}
