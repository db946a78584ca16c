package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code medvlm notebook}: the kernel installed for the user, Jupyter serving the folder on 127.0.0.1 only with a token,
 * the URL printed, and Ctrl-C stopping Jupyter with its kernels.
 */
class NotebookServerTest {
    @TempDir Path tmp;

    /** medvlm notebook with only {@code bin} on PATH: exit code and stderr. */
    String[] notebookWithPath(Path bin, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", JupyterHarness.kernelClasspath(), "org.medvlm.cli.Medvlm", "notebook"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        pb.environment().put("PATH", bin.toString());
        NotebookServer.environment(pb, tmp.resolve("jupyter"));
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        return new String[] {Integer.toString(p.exitValue()), err.strip()};
    }

    @Test
    void withoutJupyterItNamesTheOneCommandToRunAndWritesNothing() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        String[] elsewhere = notebookWithPath(bin);
        assertEquals("1", elsewhere[0]);
        assertEquals("medvlm notebook: Jupyter is missing (jupyter-notebook, jupyter-kernelspec, jupyter-nbconvert, jupyter-execute"
                + " not on PATH); install it with: python3 -m pip install --user notebook", elsewhere[1]);
        if (Files.isRegularFile(Path.of("/etc/debian_version")) && Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
            Files.createSymbolicLink(bin.resolve("apt-get"), Path.of("/usr/bin/apt-get"));
            String[] debian = notebookWithPath(bin, "--no-install");
            assertEquals("1", debian[0]);
            String sudo = "root".equals(System.getProperty("user.name")) ? "" : "sudo ";
            assertEquals("medvlm notebook: Jupyter is missing (jupyter-notebook, jupyter-kernelspec, jupyter-nbconvert, jupyter-execute"
                    + " not on PATH); install it with: " + sudo + "apt-get install -y --no-install-recommends jupyter-notebook"
                    + " jupyter-client jupyter-nbconvert python3-nbclient", debian[1]);
        }
        String[] noDir = notebookWithPath(bin, "--dir", tmp.resolve("nope").toString());
        assertEquals("1", noDir[0]);
        assertEquals("medvlm notebook: --dir " + tmp.resolve("nope") + ": not a folder", noDir[1]);
        String[] badPort = notebookWithPath(bin, "--port", "0");
        assertEquals("2", badPort[0]);
        assertEquals("medvlm notebook: --port 0: not a port (1 to 65535) (see 'medvlm notebook --help')", badPort[1]);
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String[] busy = notebookWithPath(bin, "--port", Integer.toString(taken.getLocalPort()));
            assertEquals("1", busy[0]);
            assertEquals("medvlm notebook: --port " + taken.getLocalPort() + ": already in use on 127.0.0.1 (leave --port out"
                    + " for a free one)", busy[1]);
        }
        assertFalse(Files.exists(tmp.resolve("jupyter")), "nothing was installed or written");
    }

    @Test
    void servesTheFolderOnLoopbackWithATokenAndCtrlCStopsIt() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("notebooks"));
        Files.writeString(dir.resolve("hello.ipynb"), RunCommandTest.notebook("1 + 1"));
        NotebookServer server = NotebookServer.start(dir);
        try {
            assertTrue(server.token.length() >= 32, "a fresh token of 24 random bytes");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(server.base + "/api/contents")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, anonymous.statusCode(), "without the token Jupyter refuses");
            HttpResponse<String> contents = http.send(HttpRequest.newBuilder(URI.create(server.url("/api/contents"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, contents.statusCode());
            assertTrue(contents.body().contains("hello.ipynb"), "it serves the named folder: " + contents.body());
            JsonObject specs = JsonParser.parseString(http.send(HttpRequest.newBuilder(URI.create(server.url("/api/kernelspecs"))).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).getAsJsonObject().getAsJsonObject("kernelspecs");
            assertTrue(specs.has("medvlm"), "the MedVLM kernel is installed for the user: " + specs.keySet());
            assertEquals("MedVLM (Java)", specs.getAsJsonObject("medvlm").getAsJsonObject("spec").get("display_name").getAsString());
            assertTrue(Files.isRegularFile(server.jupyterData.resolve("data/kernels/medvlm/kernel.json")));

            ProcessHandle jupyter = server.process.descendants().filter(h -> h.info().commandLine().orElse("").contains("jupyter-notebook"))
                    .findFirst().orElseThrow(() -> new AssertionError("no jupyter-notebook process under medvlm notebook"));
            String argv = jupyter.info().commandLine().orElse("");
            assertTrue(argv.contains("--ip=127.0.0.1") && argv.contains("--port-retries=0"), argv);
            assertFalse(argv.contains(server.token), "the token is not on the command line, where ps shows it");
            // nothing answers on the machine's other addresses
            for (var address : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                for (var a : java.util.Collections.list(address.getInetAddresses())) {
                    if (!a.isLoopbackAddress() && a instanceof java.net.Inet4Address) {
                        int port = URI.create(server.base).getPort();
                        try (Socket s = new Socket(a, port)) {
                            throw new AssertionError("Jupyter answers on " + a + ":" + port);
                        } catch (ConnectException expected) {
                            // refused: bound to 127.0.0.1 only
                        }
                    }
                }
            }
            assertTrue(server.interrupt(), "Ctrl-C (SIGINT) stops medvlm notebook and its Jupyter");
            assertFalse(jupyter.isAlive());
            try (Socket s = new Socket("127.0.0.1", URI.create(server.base).getPort())) {
                throw new AssertionError("the port still answers after Ctrl-C");
            } catch (ConnectException expected) {
                // closed
            }
        } finally {
            server.close();
        }
    }
}
