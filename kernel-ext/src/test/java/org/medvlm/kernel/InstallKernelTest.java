package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.cli.Medvlm;
import org.medvlm.cli.TerminalDisplay;

/** {@code medvlm install-kernel} writes a kernelspec Jupyter can use, and reinstalling replaces it. */
class InstallKernelTest {

    private static int install(Path prefix, String... extra) {
        String[] args = new String[4 + extra.length];
        args[0] = "install-kernel";
        args[1] = "--prefix";
        args[2] = prefix.toString();
        args[3] = "--name=unit";
        System.arraycopy(extra, 0, args, 4, extra.length);
        StringWriter out = new StringWriter();
        return Medvlm.commandLine(new TerminalDisplay(new PrintWriter(out, true), new PrintWriter(out, true))).execute(args);
    }

    @Test
    void writesKernelJsonWithMessageInterruptsAndLogos(@TempDir Path prefix) throws Exception {
        assertEquals(0, install(prefix, "--classpath", "/x/classes", "--jvm-option=-Xmx2g"));
        Path spec = prefix.resolve("share/jupyter/kernels/unit");
        JsonObject json = JsonParser.parseString(Files.readString(spec.resolve("kernel.json"))).getAsJsonObject();
        assertEquals("message", json.get("interrupt_mode").getAsString());
        assertEquals("java", json.get("language").getAsString());
        assertEquals("MedVLM (Java)", json.get("display_name").getAsString());
        var argv = json.getAsJsonArray("argv");
        assertTrue(Path.of(argv.get(0).getAsString()).isAbsolute(), "java is an absolute path: " + argv);
        assertEquals("-Xmx2g", argv.get(1).getAsString());
        assertTrue(argv.get(2).getAsString().startsWith("-Dmedvlm.home="), argv.toString());
        assertEquals("org.medvlm.kernel.MedvlmKernel", argv.get(argv.size() - 2).getAsString());
        assertEquals("{connection_file}", argv.get(argv.size() - 1).getAsString());
        for (int size : new int[] {32, 64}) {
            BufferedImage logo = ImageIO.read(spec.resolve("logo-" + size + "x" + size + ".png").toFile());
            assertEquals(size, logo.getWidth());
            assertEquals(size, logo.getHeight());
        }
        // installing again (after a rebuild) replaces the spec in place
        assertEquals(0, install(prefix, "--classpath", "/y/classes", "--display-name", "MedVLM 2"));
        json = JsonParser.parseString(Files.readString(spec.resolve("kernel.json"))).getAsJsonObject();
        assertEquals("MedVLM 2", json.get("display_name").getAsString());
        assertTrue(json.getAsJsonArray("argv").toString().contains("/y/classes"));
    }

    @Test
    void refusesABadName(@TempDir Path prefix) {
        StringWriter err = new StringWriter();
        int code = Medvlm.commandLine(new TerminalDisplay(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true)))
                .execute("install-kernel", "--prefix", prefix.toString(), "--name", "bad name");
        assertEquals(Medvlm.EXIT_INPUT, code);
        assertEquals("medvlm install-kernel: --name bad name: use letters, digits, '.', '_' or '-'", err.toString().strip());
    }
}
