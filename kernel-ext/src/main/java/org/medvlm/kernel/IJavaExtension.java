package org.medvlm.kernel;

import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.magic.registry.CellMagicFunction;
import io.github.spencerpark.jupyter.kernel.magic.registry.LineMagicFunction;
import io.github.spencerpark.jupyter.kernel.magic.registry.Magics;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import org.medvlm.kernel.magic.CommandMagics;
import org.medvlm.kernel.render.Renderers;

/**
 * Adds the toolkit's magics and renderers to a stock IJava 1.3 kernel, which is built on the same base
 * library (jupyter-jvm-basekernel 2.3.0, not relocated). In an IJava notebook:
 * <pre>
 * %jars /path/to/medvlm/kernel-ext/target/medvlm-kernel.jar
 * %jars /path/to/medvlm/kernel-ext/target/lib/*.jar
 * org.medvlm.kernel.IJavaExtension.install();
 * </pre>
 * after which {@code %zero}, {@code %medvqa}, ... and {@code %%train} work there too. Values show through
 * IJava's display channel, because IJava hides a magic's return value. Interrupts, the protocol fixes and
 * the live displays' end-of-cell flush are this kernel's own and do not come along.
 */
public final class IJavaExtension {
    private IJavaExtension() {}

    /** Registers the magics and renderers with the running IJava kernel; returns the magic names. */
    public static java.util.Set<String> install() throws ReflectiveOperationException {
        Class<?> ijava = Class.forName("io.github.spencerpark.ijava.IJava");
        BaseKernel kernel = (BaseKernel) ijava.getMethod("getKernelInstance").invoke(null);
        if (kernel == null) {
            throw new IllegalStateException("no IJava kernel is running in this JVM");
        }
        Method getMagics = kernel.getClass().getMethod("getMagics");
        Magics registry = (Magics) getMagics.invoke(kernel);
        Renderers.register(kernel.getRenderer());
        PrintWriter out = new PrintWriter(new OutputStreamWriter(kernel.getIO().out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(kernel.getIO().err, StandardCharsets.UTF_8), true);
        CommandMagics magics = new CommandMagics(out, err, value -> {
            DisplayData data = kernel.getRenderer().render(value);
            kernel.display(data);
        });
        for (String name : magics.names()) {
            registry.registerLineMagic(name, (LineMagicFunction<Object>) args -> {
                magics.line(name, join(args));
                return magics.last();
            });
            registry.registerCellMagic(name, (CellMagicFunction<Object>) (args, body) -> {
                magics.cell(name, join(args), body);
                return magics.last();
            });
        }
        return magics.names();
    }

    /** IJava has already split the words; quote them again for {@link CommandMagics}'s shell-like split. */
    static String join(java.util.List<String> args) {
        StringBuilder line = new StringBuilder();
        for (String a : args) {
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append('\'').append(a.replace("'", "'\\''")).append('\'');
        }
        return line.toString();
    }
}
