package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    void refusesABadNameAsAUsageError(@TempDir Path prefix) {
        StringWriter err = new StringWriter();
        int code = Medvlm.commandLine(new TerminalDisplay(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true)))
                .execute("install-kernel", "--prefix", prefix.toString(), "--name", "bad name");
        assertEquals(Medvlm.EXIT_USAGE, code);
        assertEquals("medvlm install-kernel: Invalid value for option '--name': 'bad name' is not a kernel name: 1 to 100 letters,"
                + " digits, '.', '_' or '-', and not '.' or '..' (see 'medvlm install-kernel --help')", err.toString().strip());
        assertFalse(Files.exists(prefix.resolve("share")), "nothing was written");
    }

    @Test
    void namesAreLowerCasedAsJupyterDoes(@TempDir Path prefix) {
        assertEquals(0, install(prefix, "--classpath", "/x/classes"));
        StringWriter out = new StringWriter();
        int code = Medvlm.commandLine(new TerminalDisplay(new PrintWriter(out, true), new PrintWriter(out, true)))
                .execute("install-kernel", "--prefix", prefix.toString(), "--name", "MedVLM-Dev", "--classpath", "/x/classes");
        assertEquals(0, code, out.toString());
        assertTrue(Files.isRegularFile(prefix.resolve("share/jupyter/kernels/medvlm-dev/kernel.json")), out.toString());
    }

    private static String[] run(Path prefix, String... extra) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = new String[5 + extra.length];
        System.arraycopy(new String[] {"install-kernel", "--prefix", prefix.toString(), "--name", "unit"}, 0, args, 0, 5);
        System.arraycopy(extra, 0, args, 5, extra.length);
        int code = Medvlm.commandLine(new TerminalDisplay(new PrintWriter(out, true), new PrintWriter(err, true))).execute(args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    void replacingAKernelOfAnotherCheckoutSaysSo(@TempDir Path prefix) throws Exception {
        String[] first = run(prefix, "--classpath", "/x/classes");
        assertEquals("0", first[0], first[2]);
        assertEquals("", first[2]);
        // reinstalling from the same checkout (after a rebuild) is silent
        String[] again = run(prefix, "--classpath", "/y/classes");
        assertEquals("", again[2]);
        // a kernel of that name that runs another checkout
        Path spec = prefix.resolve("share/jupyter/kernels/unit");
        Path json = spec.resolve("kernel.json");
        String other = Files.readString(json).replaceAll("-Dmedvlm.home=[^\"]*", "-Dmedvlm.home=/old/checkout");
        Files.writeString(json, other);
        String[] replaced = run(prefix, "--classpath", "/z/classes");
        assertEquals("0", replaced[0], replaced[2]);
        assertEquals("install-kernel: replacing kernel 'unit' in " + spec.toAbsolutePath() + ", which ran the checkout /old/checkout",
                replaced[2].strip());
        assertFalse(Files.readString(json).contains("/old/checkout"));
        // a kernel that is not a MedVLM kernel at all: its command is named
        Files.writeString(json, "{\"argv\": [\"python3\", \"-m\", \"ipykernel_launcher\", \"-f\", \"{connection_file}\"]}");
        String[] foreign = run(prefix, "--classpath", "/z/classes");
        assertEquals("install-kernel: replacing kernel 'unit' in " + spec.toAbsolutePath()
                + ", which ran 'python3 -m ipykernel_launcher -f {connection_file}'", foreign[2].strip());
    }
}
